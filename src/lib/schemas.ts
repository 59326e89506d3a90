import { type IntegerOptions, Type } from '@sinclair/typebox'
import { t } from 'elysia'

// Schemas shared by every module: the problem document and the pieces of the list/ETag contract.

/**
 * An integer in a JSON document: a JSON number and nothing else. Elysia's `t.Integer` also takes
 * numeric strings (`" 7 "` and `"0x10"` became 7 and 16), which query strings need (the list
 * `limit`s keep it) but a body must not: API.md's money is JSON numbers, and a wrong type is a 400.
 */
export const Integer = (options?: IntegerOptions) => Type.Integer(options)

export const Problem = t.Object(
  {
    type: t.String({ format: 'uri' }),
    title: t.String(),
    status: Integer(),
    detail: t.String(),
    code: t.String({ description: 'Stable UPPER_SNAKE error code' }),
    errors: t.Optional(t.Array(t.Object({ path: t.String(), message: t.String() }))),
  },
  {
    title: 'Problem',
    description: 'RFC 9457 problem details, served as application/problem+json',
    examples: [
      {
        type: 'https://pos.dev/problems/not-found',
        title: 'Not Found',
        status: 404,
        detail: 'product not found',
        code: 'NOT_FOUND',
      },
    ],
  },
)

/**
 * Options for request bodies: an unknown field is a 400 naming it. Elysia's normalisation drops
 * fields outside `additionalProperties: false` without a word — a misspelt `qty` would sell one
 * unit — while a schema for the rest (Never) is checked rather than stripped.
 */
export const strict = { additionalProperties: t.Never() }

/** Problem responses for the given statuses, for a route's `response` map. */
export const problems = <const S extends number>(...statuses: S[]) =>
  Object.fromEntries(statuses.map((s) => [s, Problem])) as { [K in S]: typeof Problem }

export const IdempotencyHeaders = t.Object({
  'idempotency-key': t.Optional(
    t.String({
      minLength: 1,
      maxLength: 255,
      description:
        'Makes the create safe to retry: the same key and body replay the first answer (Idempotent-Replayed: true); ' +
        'the same key with another body is 422; while the first is in flight, 409. Keys are kept at least 24 h.',
    }),
  ),
})

export const Pagination = {
  limit: t.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size, 1..200' }),
  cursor: t.Optional(t.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
}

const MIN_MS = Date.UTC(1900, 0, 1)
const MAX_MS = Date.UTC(3000, 0, 1)
/** An instant PostgreSQL and ISO formatting handle: 1900 ≤ year < 3000 (false for NaN). */
export const isStorableInstant = (ms: number) => ms >= MIN_MS && ms < MAX_MS

const OFFSET = /[+-](\d{2}):?(\d{2})$/
/**
 * An RFC 3339 date or date-time PostgreSQL can take: storable (above) and, if it has a UTC offset,
 * one within ±14:00 as real zones are (PostgreSQL refuses ±16:00; `Date.parse` takes up to ±23:59).
 */
export function isStorableDateTime(value: string): boolean {
  const offset = OFFSET.exec(value)
  if (offset && Number(offset[1]) * 60 + Number(offset[2]) > 14 * 60) return false
  return isStorableInstant(Date.parse(value))
}

/**
 * An amount in minor units (tiyin, cents): 0 … 10^13, so that sums over many receipts stay exact
 * in a double and prices times quantities stay inside bigint.
 */
export const Money = (description: string) =>
  Integer({ minimum: 0, maximum: 10_000_000_000_000, description })

export const Uuid = t.String({ format: 'uuid' })
export const IdParams = t.Object({ id: Uuid })

/** A 204 answer: no body. */
export const NoContent = t.Void({ description: 'No content' })
