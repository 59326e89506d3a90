import { AppError } from '../../lib/errors'

// Receipt arithmetic, in integer minor units and thousandths of a unit, never floats.
//
// Rounding rule (documented in the API): a line's gross is price × quantity rounded half up to the
// minor unit; the line discount is an absolute amount taken from that gross (0..gross); prices
// are tax-inclusive, so a line's tax is total × rate / (10000 + rate) rounded half up, computed
// per line; the receipt's subtotal, discount, tax and total are the sums of its lines.

export type PricedLine = {
  productId: string
  name: string
  barcode: string | null
  /** Thousandths of a unit (1.250 kg = 1250). */
  quantityMilli: bigint
  price: number
  discount: number
  taxRate: number
}

export type LineAmounts = { gross: number; discount: number; total: number; tax: number }

const THOUSAND = 1000n

/** x / d rounded half up, for non-negative x and positive d. */
const divRound = (x: bigint, d: bigint) => (x * 2n + d) / (d * 2n)

export function parseQuantity(value: string | number, path: string): bigint {
  const text = typeof value === 'number' ? String(value) : value.trim()
  const m = /^(\d{1,9})(?:\.(\d{1,3}))?$/.exec(text)
  if (!m) throw fieldError(path, 'a positive quantity with at most 3 decimals')
  const milli = BigInt(m[1] as string) * THOUSAND + BigInt((m[2] ?? '').padEnd(3, '0'))
  if (milli === 0n) throw fieldError(path, 'must be greater than zero')
  return milli
}

export const formatQuantity = (milli: bigint) => {
  const whole = milli / THOUSAND
  const frac = (milli % THOUSAND).toString().padStart(3, '0')
  return `${whole}.${frac}`
}

export function lineAmounts(line: PricedLine, path: string): LineAmounts {
  const gross = divRound(BigInt(line.price) * line.quantityMilli, THOUSAND)
  const discount = BigInt(line.discount)
  if (discount > gross) throw fieldError(`${path}/discount`, `exceeds the line amount ${gross}`)
  const total = gross - discount
  const rate = BigInt(line.taxRate)
  const tax = rate === 0n ? 0n : divRound(total * rate, 10_000n + rate)
  const out = { gross: Number(gross), discount: Number(discount), total: Number(total), tax: Number(tax) }
  if (!Number.isSafeInteger(out.gross)) throw fieldError(path, 'the line amount exceeds 2^53-1')
  return out
}

export type Payment = { method: 'cash' | 'card' | 'transfer'; amount: number }

export type Totals = {
  subtotal: number
  discount: number
  tax: number
  total: number
  paid: number
  change: number
}

/**
 * Sums the lines and settles the payments: card and transfer may not exceed what is due; cash may,
 * and the difference is the change (never more than the cash given).
 */
export function settle(lines: LineAmounts[], payments: Payment[], clientTotal?: number): Totals {
  let subtotal = 0
  let discount = 0
  let tax = 0
  let total = 0
  for (const l of lines) {
    subtotal += l.gross
    discount += l.discount
    tax += l.tax
    total += l.total
  }
  if (!Number.isSafeInteger(subtotal)) throw fieldError('items', 'the receipt total exceeds 2^53-1')
  if (clientTotal !== undefined && clientTotal !== total)
    throw new AppError(422, 'TOTAL_MISMATCH', `The receipt total is ${total}, not ${clientTotal}`)
  let cash = 0
  let other = 0
  for (const p of payments) {
    if (p.method === 'cash') cash += p.amount
    else other += p.amount
  }
  if (other > total)
    throw new AppError(
      422,
      'PAYMENT_MISMATCH',
      `Card and transfer payments (${other}) exceed the total ${total}`,
    )
  const paid = cash + other
  if (paid < total)
    throw new AppError(422, 'PAYMENT_MISMATCH', `Payments (${paid}) do not cover the total ${total}`)
  return { subtotal, discount, tax, total, paid, change: paid - total }
}

const fieldError = (path: string, message: string) =>
  new AppError(400, 'VALIDATION_FAILED', `${path}: ${message}`, { errors: [{ path, message }] })
