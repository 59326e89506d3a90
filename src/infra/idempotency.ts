import { createHash } from 'node:crypto'
import { eq, type SQL, sql } from 'drizzle-orm'
import { idempotencyKeys } from '../../db/schema'
import { AppError, sqlState } from '../lib/errors'
import { idempotentReplays } from './metrics'
import type { TenantDb } from './tenant-db'

export type Outcome<T = unknown> = { status: number; body: T }
export type IdempotentOutcome<T = unknown> = Outcome<T> & { replayed: boolean }

/** The value with every object's keys in one order: a retry may rebuild its body from a map. */
const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical)
  if (value === null || typeof value !== 'object') return value
  const object = value as Record<string, unknown>
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, canonical(object[key])]),
  )
}

/** What identifies "the same request" for an Idempotency-Key: its route and its parsed body. */
export const requestHash = (route: string, request: unknown) =>
  createHash('sha256')
    .update(route)
    .update('\n')
    .update(JSON.stringify(canonical(request ?? null)))
    .digest('hex')

const inFlight = () =>
  new AppError(409, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'A request with this Idempotency-Key is still in flight')

type StoredKey = { requestHash: string; responseStatus: number; responseBody: unknown }

/**
 * A key's stored record as the answer to a request with `hash`: 422 when it was used for another
 * request, the first answer replayed once there is one, undefined while the first is in flight.
 */
export function replayOf<T>(
  stored: StoredKey | undefined,
  hash: string,
  route: string,
): IdempotentOutcome<T> | undefined {
  if (stored && stored.requestHash !== hash)
    throw new AppError(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used with a different request; use a new key for a new request',
    )
  if (!stored || stored.responseStatus === 0) return undefined
  idempotentReplays.inc({ route })
  return { status: stored.responseStatus, body: stored.responseBody as T, replayed: true }
}

/**
 * Runs `effect` in one transaction together with the record of its idempotency key, with Stripe's
 * semantics: the same key and request replay the stored response; the same key with another
 * request is 422; a key whose first request is still in flight is 409. The key row is inserted
 * before the effect, so a concurrent duplicate waits on it (briefly) instead of doing the work
 * twice; only successful outcomes are stored, so a refused request can be retried with its key.
 */
export async function withIdempotency<T>(
  tdb: TenantDb,
  opts: {
    key: string | undefined
    route: string
    request: unknown
    inFlightWaitMs?: number
    /** What of the answer is kept for replays, when not all of it may be stored (a secret). */
    kept?: (body: NoInfer<T>) => unknown
  },
  effect: (tx: TenantDb) => Promise<Outcome<T>>,
): Promise<IdempotentOutcome<T>> {
  const { key, route, request } = opts
  if (key === undefined) return { ...(await tdb.transaction(effect)), replayed: false }
  const hash = requestHash(route, request)
  try {
    return await tdb.transaction(async (tx) => {
      await tx.db.execute(sql.raw(`set local lock_timeout = '${Math.round(opts.inFlightWaitMs ?? 2000)}ms'`))
      const claimed = await tx.db
        .insert(idempotencyKeys)
        .values(tx.own({ key, route, requestHash: hash, responseStatus: 0, responseBody: {} }))
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key })
      if (claimed.length === 0) {
        const [stored] = await tx.db
          .select()
          .from(idempotencyKeys)
          .where(tx.where(idempotencyKeys, eq(idempotencyKeys.key, key)))
        const replay = replayOf<T>(stored, hash, route)
        if (!replay) throw inFlight()
        return replay
      }
      // The wait bound was for the key alone: the effect may queue behind ordinary locks (a shift
      // being closed), which is no reason to answer "in flight".
      await tx.db.execute(sql.raw('set local lock_timeout to default'))
      const outcome = await effect(tx)
      await tx.db
        .update(idempotencyKeys)
        .set({
          responseStatus: outcome.status,
          responseBody: (opts.kept?.(outcome.body) ?? outcome.body) as object,
        })
        .where(tx.where(idempotencyKeys, eq(idempotencyKeys.key, key)))
      return { ...outcome, replayed: false }
    })
  } catch (error) {
    if (sqlState(error) === '55P03') throw inFlight()
    throw error
  }
}

/** A claim older than this with no answer is taken to be from a process that died mid-way. */
const ABANDONED_AFTER = '10 minutes'

/**
 * The same semantics for work that commits in transactions of its own (an offline batch records
 * each receipt on its own): the key is claimed in a short transaction first, the work runs, and
 * its answer is stored. A duplicate while the first runs is 409; a claim left without an answer
 * (the process died) is taken over after ten minutes, which is safe only for work that is itself
 * idempotent underneath (receipts are, by their ids). Each claim carries a token, so a slow first
 * request whose claim was taken over neither stores its answer nor releases the new claim.
 * Refused work releases the key.
 */
export async function withIdempotencyClaim<T>(
  tdb: TenantDb,
  opts: { key: string | undefined; route: string; request: unknown },
  work: () => Promise<Outcome<T>>,
): Promise<IdempotentOutcome<T>> {
  const { key, route, request } = opts
  if (key === undefined) return { ...(await work()), replayed: false }
  const hash = requestHash(route, request)
  const claim = { claim: crypto.randomUUID() }
  const mine = (...more: SQL[]) => tdb.where(idempotencyKeys, eq(idempotencyKeys.key, key), ...more)
  const ours = () =>
    mine(
      eq(idempotencyKeys.responseStatus, 0),
      sql`${idempotencyKeys.responseBody}->>'claim' = ${claim.claim}`,
    )
  const claimed = await tdb.db
    .insert(idempotencyKeys)
    .values(tdb.own({ key, route, requestHash: hash, responseStatus: 0, responseBody: claim }))
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key })
  if (claimed.length === 0) {
    const [stored] = await tdb.db.select().from(idempotencyKeys).where(mine())
    const replay = replayOf<T>(stored, hash, route)
    if (replay) return replay
    const takenOver = await tdb.db
      .update(idempotencyKeys)
      .set({ createdAt: sql`now()`, responseBody: claim })
      .where(
        mine(
          eq(idempotencyKeys.responseStatus, 0),
          sql`${idempotencyKeys.createdAt} < now() - ${ABANDONED_AFTER}::interval`,
        ),
      )
      .returning({ key: idempotencyKeys.key })
    if (takenOver.length === 0) throw inFlight()
  }
  let outcome: Outcome<T>
  try {
    outcome = await work()
  } catch (error) {
    await tdb.db.delete(idempotencyKeys).where(ours())
    throw error
  }
  await tdb.db
    .update(idempotencyKeys)
    .set({ responseStatus: outcome.status, responseBody: outcome.body as object })
    .where(ours())
  return { ...outcome, replayed: false }
}
