import { badRequest } from '../../lib/errors'

// Stock quantities in thousandths of a unit as bigint, so sums and differences are exact
// (numeric(12,3) in the database; decimal strings with three decimals on the wire).

const THOUSAND = 1000n

/** "−2.5" / -2.5 → -2500n; the sign rules per movement type are checked by the caller. */
export function parseSigned(value: string | number, path: string): bigint {
  const text = typeof value === 'number' ? String(value) : value.trim()
  const m = /^(-?)(\d{1,9})(?:\.(\d{1,3}))?$/.exec(text)
  if (!m)
    throw badRequest(`${path} must be a quantity with at most 3 decimals`, [
      { path, message: 'at most 3 decimals' },
    ])
  const milli = BigInt(m[2] as string) * THOUSAND + BigInt((m[3] ?? '').padEnd(3, '0'))
  return m[1] === '-' ? -milli : milli
}

/** numeric text from PostgreSQL ("12.5", "-0.250", "3") → thousandths. */
export function fromNumeric(text: string | null | undefined): bigint {
  if (!text) return 0n
  const [whole = '0', frac = ''] = text.replace('-', '').split('.')
  const milli = BigInt(whole) * THOUSAND + BigInt(frac.padEnd(3, '0').slice(0, 3))
  return text.startsWith('-') ? -milli : milli
}

export function formatMilli(milli: bigint): string {
  const sign = milli < 0n ? '-' : ''
  const abs = milli < 0n ? -milli : milli
  return `${sign}${abs / THOUSAND}.${(abs % THOUSAND).toString().padStart(3, '0')}`
}
