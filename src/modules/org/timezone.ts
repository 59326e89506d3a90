import { sql } from 'drizzle-orm'
import { rows } from '../../infra/db'
import type { TenantDb } from '../../infra/tenant-db'
import { badRequest, sqlState } from '../../lib/errors'

/** A winter and a summer instant: a zone must mean the same offsets at both, here and in PostgreSQL. */
const PROBES = ['2026-01-15T12:00:00Z', '2026-07-15T12:00:00Z']

/** Minutes east of UTC of `timeZone` at `iso`, by the runtime's zone database (throws on an unknown zone). */
function runtimeOffset(timeZone: string, iso: string): number {
  const at = new Date(iso)
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  })
  const part = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, Number(p.value)]))
  const local = Date.UTC(part.year ?? 0, (part.month ?? 1) - 1, part.day, part.hour, part.minute)
  return Math.round((local - at.getTime()) / 60_000)
}

/**
 * A store's time zone decides its business days in reports, which PostgreSQL computes. Only a zone
 * name both sides know and read alike is taken: an offset such as `+05:00` is UTC+5 to the runtime
 * but UTC−5 to PostgreSQL (POSIX signs), and a name only the runtime knows (`US/Pacific-New`) would
 * fail every report of the tenant.
 */
export async function checkTimezone(tdb: TenantDb, timezone: string | undefined): Promise<void> {
  if (timezone === undefined) return
  const refuse = (message: string) =>
    badRequest(`timezone ${timezone}: ${message}`, [{ path: 'timezone', message }])
  if (!/^[A-Za-z]/.test(timezone))
    throw refuse('a time zone name such as Asia/Tashkent is expected, not an offset')
  let here: number[]
  try {
    here = PROBES.map((iso) => runtimeOffset(timezone, iso))
  } catch {
    throw refuse('unknown time zone')
  }
  let there: number[]
  try {
    const [row] = await rows<{ offsets: number[] }>(
      tdb.db,
      sql`select array[${sql.join(
        PROBES.map(
          (iso) =>
            sql`round(extract(epoch from (${iso}::timestamptz at time zone ${timezone}) - (${iso}::timestamptz at time zone 'UTC')) / 60)::int`,
        ),
        sql`, `,
      )}] as offsets`,
    )
    there = row?.offsets ?? []
  } catch (error) {
    if (sqlState(error) === '22023') throw refuse('unknown time zone')
    throw error
  }
  if (here.some((offset, i) => offset !== there[i]))
    throw refuse('the database reads this time zone differently; use its region name')
}
