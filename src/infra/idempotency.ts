import { createHash } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { idempotencyKeys } from '../../db/schema'
import { AppError, sqlState } from '../lib/errors'
import { idempotentReplays } from './metrics'
import type { TenantDb } from './tenant-db'

export type Outcome<T = unknown> = { status: number; body: T }
export type IdempotentOutcome<T = unknown> = Outcome<T> & { replayed: boolean }

const hashRequest = (route: string, request: unknown) =>
  createHash('sha256')
    .update(route)
    .update('\n')
    .update(JSON.stringify(request ?? null))
    .digest('hex')

/**
 * Runs `effect` in one transaction together with the record of its idempotency key, with Stripe's
 * semantics: the same key and request replay the stored response; the same key with another
 * request is 422; a key whose first request is still in flight is 409. The key row is inserted
 * before the effect, so a concurrent duplicate waits on it (briefly) instead of doing the work
 * twice; only successful outcomes are stored, so a refused request can be retried with its key.
 */
export async function withIdempotency<T>(
  tdb: TenantDb,
  opts: { key: string | undefined; route: string; request: unknown; inFlightWaitMs?: number },
  effect: (tx: TenantDb) => Promise<Outcome<T>>,
): Promise<IdempotentOutcome<T>> {
  const { key, route, request } = opts
  if (key === undefined) return { ...(await tdb.transaction(effect)), replayed: false }
  const requestHash = hashRequest(route, request)
  try {
    return await tdb.transaction(async (tx) => {
      await tx.db.execute(sql.raw(`set local lock_timeout = '${Math.round(opts.inFlightWaitMs ?? 2000)}ms'`))
      const claimed = await tx.db
        .insert(idempotencyKeys)
        .values(tx.own({ key, route, requestHash, responseStatus: 0, responseBody: {} }))
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key })
      if (claimed.length === 0) {
        const [stored] = await tx.db
          .select()
          .from(idempotencyKeys)
          .where(tx.where(idempotencyKeys, eq(idempotencyKeys.key, key)))
        if (!stored)
          throw new AppError(409, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'A request with this key is in flight')
        if (stored.requestHash !== requestHash)
          throw new AppError(
            422,
            'IDEMPOTENCY_KEY_REUSED',
            'This Idempotency-Key was used with a different request; use a new key for a new request',
          )
        idempotentReplays.inc({ route })
        return { status: stored.responseStatus, body: stored.responseBody as T, replayed: true }
      }
      // The wait bound was for the key alone: the effect may queue behind ordinary locks (a shift
      // being closed), which is no reason to answer "in flight".
      await tx.db.execute(sql.raw('set local lock_timeout to default'))
      const outcome = await effect(tx)
      await tx.db
        .update(idempotencyKeys)
        .set({ responseStatus: outcome.status, responseBody: outcome.body as object })
        .where(tx.where(idempotencyKeys, eq(idempotencyKeys.key, key)))
      return { ...outcome, replayed: false }
    })
  } catch (error) {
    if (sqlState(error) === '55P03')
      throw new AppError(
        409,
        'IDEMPOTENCY_KEY_IN_FLIGHT',
        'A request with this Idempotency-Key is still in flight',
      )
    throw error
  }
}
