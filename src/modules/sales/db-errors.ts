import { AppError, type ProblemCode, sqlState } from '../../lib/errors'

// Errors raised by the sales SQL functions as 'POS:<CODE>:<detail>', and the PostgreSQL errors the
// sales path can meet, as problems.

const statusOf: Partial<Record<string, number>> = {
  IDEMPOTENCY_KEY_REUSED: 422,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  VALIDATION_FAILED: 400,
  SHIFT_NOT_OPEN: 409,
  INSUFFICIENT_STOCK: 409,
  REFUND_EXCEEDS_SALE: 422,
}

type PgLike = { message?: string; code?: string; cause?: unknown }

export function posError(error: unknown): { code: string; detail: string } | undefined {
  for (let e = error as PgLike | undefined; e; e = e.cause as PgLike | undefined) {
    const m = e.message ? /POS:([A-Z_]+):?(.*)/.exec(e.message) : null
    if (m) return { code: m[1] as string, detail: (m[2] ?? '').trim() }
  }
  return undefined
}

/** Maps a database error of the sales path to a problem; rethrows what it does not know. */
export function toSalesProblem(error: unknown): never {
  const pos = posError(error)
  if (pos && statusOf[pos.code])
    throw new AppError(statusOf[pos.code] as number, pos.code as ProblemCode, pos.detail || pos.code)
  switch (sqlState(error)) {
    case '55P03':
      throw new AppError(
        409,
        'IDEMPOTENCY_KEY_IN_FLIGHT',
        'A request with this Idempotency-Key is still in flight',
      )
    case '23503':
      throw new AppError(404, 'NOT_FOUND', 'A referenced object (employee, customer, …) was not found')
  }
  throw error
}
