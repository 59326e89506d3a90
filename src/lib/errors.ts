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
