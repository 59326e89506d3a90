import { badRequest } from './errors'

const EARLIEST = Date.UTC(2000, 0, 1)
/** Registers' clocks drift: a moment slightly ahead of ours is accepted, a future one is not. */
const SKEW_MS = 5 * 60_000

/** When a sale or stock movement happened: the given instant (after 2000, not in the future) or now. */
export function occurredAt(value: string | undefined): Date {
  const at = value === undefined ? new Date() : new Date(value)
  const ms = at.getTime()
  if (!(ms >= EARLIEST && ms <= Date.now() + SKEW_MS))
    throw badRequest('occurredAt must be after 2000 and not in the future', [
      { path: 'occurredAt', message: 'out of range' },
    ])
  return at
}
