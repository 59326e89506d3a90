import { badRequest } from './errors'

const EARLIEST = Date.UTC(2000, 0, 1)
/** Registers' clocks drift: a moment this far ahead of ours is still taken as given. */
const SKEW_MS = 5 * 60_000

/**
 * When a sale or stock movement happened: the given instant (after 2000) or now. A moment further
 * ahead than the clock skew is refused — or, for a sale (`future: 'now'`), recorded as now: a
 * register whose clock runs fast has still taken the money, and refusing its offline receipts
 * would leave them stuck on the register; the sale happened no later than it reached us.
 */
export function occurredAt(value: string | undefined, future: 'refuse' | 'now' = 'refuse'): Date {
  const now = Date.now()
  const at = value === undefined ? new Date(now) : new Date(value)
  const ms = at.getTime()
  if (ms > now + SKEW_MS && future === 'now') return new Date(now)
  if (!(ms >= EARLIEST && ms <= now + SKEW_MS))
    throw badRequest('occurredAt must be after 2000 and not in the future', [
      { path: 'occurredAt', message: 'out of range' },
    ])
  return at
}
