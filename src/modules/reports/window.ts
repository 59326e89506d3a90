import { sql } from 'drizzle-orm'
import { rows } from '../../infra/db'
import type { TenantDb } from '../../infra/tenant-db'
import { badRequest, notFound } from '../../lib/errors'
import { isStorableDateTime } from '../../lib/schemas'
import type { Principal } from '../../plugins/auth'

// A report's period per store: dates are whole business days in the store's own time zone, so
// each store gets its own [lo, hi) in UTC. The union [minLo, maxHi) is passed to the queries as
// constants, which is what lets the planner prune the monthly partitions.

export type StoreWindow = { storeId: string; timezone: string; lo: string; hi: string }
export type Period = { stores: StoreWindow[]; minLo: string; maxHi: string }

const isDate = (v: string) => v.length === 10

function checkMoment(value: string, path: string) {
  const instant = isDate(value) ? `${value}T00:00:00Z` : value
  if (
    !isStorableDateTime(instant) ||
    (isDate(value) && new Date(instant).toISOString().slice(0, 10) !== value)
  )
    throw badRequest(`${path} is not a valid date or instant`, [{ path, message: 'invalid date' }])
}

/** The stores reported on (one, or all of the tenant's) with their UTC bounds for the period. */
export async function reportPeriod(
  tdb: TenantDb,
  auth: Principal,
  q: { storeId?: string; from: string; to: string },
): Promise<Period> {
  checkMoment(q.from, 'from')
  checkMoment(q.to, 'to')
  // A store-bound key reports on its own store; another store is answered like a missing one.
  if (auth.storeId && q.storeId && q.storeId !== auth.storeId) throw notFound('store')
  const storeId = q.storeId ?? auth.storeId ?? undefined
  const lo = isDate(q.from)
    ? sql`(${q.from}::date)::timestamp at time zone s.timezone`
    : sql`${q.from}::timestamptz`
  const hi = isDate(q.to)
    ? sql`((${q.to}::date + 1)::timestamp at time zone s.timezone)`
    : sql`${q.to}::timestamptz`
  const stores = await rows<{ storeId: string; timezone: string; lo: number; hi: number }>(
    tdb.db,
    sql`select s.id as "storeId", s.timezone, extract(epoch from ${lo})::float8 * 1000 as lo,
        extract(epoch from ${hi})::float8 * 1000 as hi
      from stores s
      where s.tenant_id = ${tdb.tenantId} ${storeId ? sql`and s.id = ${storeId}` : sql``}
      order by s.id`,
  )
  if (storeId && stores.length === 0) throw notFound('store')
  const windows = stores
    .filter((s) => s.lo < s.hi)
    .map((s) => ({ ...s, lo: new Date(s.lo).toISOString(), hi: new Date(s.hi).toISOString() }))
  if (stores.length > 0 && windows.length === 0)
    throw badRequest('from must be before to', [{ path: 'to', message: 'before from' }])
  // ISO instants in UTC sort as text.
  const los = windows.map((s) => s.lo).sort()
  const his = windows.map((s) => s.hi).sort()
  return { stores: windows, minLo: los[0] ?? '', maxHi: his.at(-1) ?? '' }
}
