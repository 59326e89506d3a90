// The one error model: services throw AppError with a stable code; the problem plugin turns it
// into application/problem+json (RFC 9457).

export type ProblemCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'VERSION_MISMATCH'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_FLIGHT'
  | 'INSUFFICIENT_STOCK'
  | 'SHIFT_NOT_OPEN'
  | 'STORE_MISMATCH'
  | 'TOTAL_MISMATCH'
  | 'PAYMENT_MISMATCH'
  | 'PRICE_MISMATCH'
  | 'REFUND_EXCEEDS_SALE'
  | 'RATE_LIMITED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'MALFORMED_REQUEST'
  | 'UNAVAILABLE'
  | 'INTERNAL'

export type FieldError = { path: string; message: string }

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: extra.cause })
    this.name = 'AppError'
  }
}

export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} not found`)
export const conflict = (detail: string, code: ProblemCode = 'CONFLICT') => new AppError(409, code, detail)
export const badRequest = (detail: string, errors?: FieldError[]) =>
  new AppError(400, 'VALIDATION_FAILED', detail, errors ? { errors } : {})

/** The string `code`s of an error and of its `cause`s, outermost first. */
function* codesOf(error: unknown): Generator<string> {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e)
    if (typeof e.code === 'string') yield e.code
}

/** The SQLSTATE of a database error (postgres.js or PGlite), looking through `cause`s. */
export function sqlState(error: unknown): string | undefined {
  for (const code of codesOf(error)) if (/^[0-9A-Z]{5}$/.test(code)) return code
  return undefined
}

const dataExceptions: Partial<Record<string, string>> = {
  '22001': 'A text value is longer than can be stored',
  '22003': 'A number is outside the range that can be stored',
  '22007': 'A date or time is not valid',
  '22008': 'A date or time is outside the range that can be stored',
  '22009': 'A time zone offset is outside the range that can be stored',
  '22021': 'Text contains a character that cannot be stored (such as U+0000)',
  '22P05': 'Text contains a character that cannot be stored (such as U+0000)',
}

/**
 * A database data exception caused by a value the schemas let through (a stock level pushed past
 * its numeric bounds, say), as a 400 — the statement failed, so nothing was written.
 */
export function dataError(error: unknown): AppError | undefined {
  const detail = dataExceptions[sqlState(error) ?? '']
  return detail ? new AppError(400, 'VALIDATION_FAILED', detail, { cause: error }) : undefined
}

/** Node and postgres.js codes of a connection that failed, broke or was closed. */
const UNREACHABLE = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'ETIMEDOUT',
])
/** SQLSTATEs of a server that cannot serve now: admin or crash shutdown, starting up, too many connections. */
const NOT_NOW = new Set(['57P01', '57P02', '57P03', '53300'])

/**
 * 503 UNAVAILABLE (with Retry-After) for an error that says the database cannot be reached right
 * now — a refused or broken connection, a connection exception (class 08, PgBouncer's too), a
 * server shutting down — rather than a 500: the request may succeed on retry, elsewhere or later.
 */
export function unavailableError(error: unknown): AppError | undefined {
  for (const code of codesOf(error)) {
    if (UNREACHABLE.has(code) || NOT_NOW.has(code) || /^08[0-9A-Z]{3}$/.test(code))
      return new AppError(503, 'UNAVAILABLE', 'The database cannot be reached at the moment; retry shortly', {
        headers: { 'retry-after': '1' },
        cause: error,
      })
  }
  return undefined
}
