import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestApp, type TestApp, usingPostgres } from '../../testing/harness'
import { type SellingTenant, sellingTenant } from '../sales/sales-fixture'

// Thousands of random receipts (quantities, discounts, payment mixes, partial refunds): the report's
// rows and totals by day, product and payment method must equal sums computed here from what the
// API answered, and the three groupings' totals must agree. Embedded PGlite runs fewer receipts.

const RECEIPTS = Number(process.env.RECONCILE_RECEIPTS ?? (usingPostgres ? 2000 : 400))
const ZONE = 'Asia/Tashkent'

let t: TestApp
let s: SellingTenant
let reader: string

beforeAll(async () => {
  t = await startTestApp({
    RATE_LIMIT_PER_SECOND: '0',
    ...(usingPostgres ? { DATABASE_POOL_SIZE: '20' } : {}),
  })
  s = await sellingTenant(t)
  reader = (await s.call('POST', '/api/v1/api-keys', { scopes: ['reports:read'] }, { key: s.admin })).body.key
})
afterAll(() => t.close())

type Fig = { receipts: number; gross: number; refunds: number; tax: number }
type Receipt = {
  id: string
  occurredAt: string
  total: number
  tax: number
  change: number
  items: { id: string; productId: string; quantity: string; total: number; tax: number }[]
  payments: { method: string; amount: number }[]
}
type Refund = {
  occurredAt: string
  total: number
  tax: number
  items: { productId: string; amount: number; tax: number }[]
  payments: { method: string; amount: number }[]
}

let seed = 20261031
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}
const pick = (n: number) => Math.floor(rand() * n)
const dayOf = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
})
const local = (iso: string) => dayOf.format(new Date(iso))
/** round(a × b / c) half up, exact, as the report's cumulative tax sharing does. */
const roundDiv = (a: bigint, c: bigint) => (c === 0n ? 0n : (2n * a + c) / (2n * c))

function add(
  map: Map<string, Fig & { seen?: Set<string> }>,
  key: string,
  f: Partial<Fig>,
  receiptId?: string,
) {
  const row = map.get(key) ?? { receipts: 0, gross: 0, refunds: 0, tax: 0, seen: new Set<string>() }
  if (receiptId && !row.seen?.has(receiptId)) {
    row.seen?.add(receiptId)
    row.receipts++
  }
  row.gross += f.gross ?? 0
  row.refunds += f.refunds ?? 0
  row.tax += f.tax ?? 0
  map.set(key, row)
}

/** Shares `tax` over per-method amounts summing to `total`, cumulatively in method order. */
function shareTax(amounts: Map<string, number>, total: number, tax: number) {
  let cum = 0n
  const out = new Map<string, number>()
  for (const method of [...amounts.keys()].sort()) {
    const amount = BigInt(amounts.get(method) as number)
    const before = roundDiv(BigInt(tax) * cum, BigInt(total))
    cum += amount
    out.set(method, Number(roundDiv(BigInt(tax) * cum, BigInt(total)) - before))
  }
  return out
}

function netByMethod(payments: { method: string; amount: number }[], change: number) {
  const m = new Map<string, number>()
  for (const p of payments) m.set(p.method, (m.get(p.method) ?? 0) + p.amount)
  if (change) m.set('cash', (m.get('cash') ?? 0) - change)
  return m
}

describe('sales report reconciliation', () => {
  test(`${RECEIPTS} random receipts with refunds: day, product and method rows equal sums of what was sold`, async () => {
    const shiftId = await s.openShift()
    const products = s.products.slice(0, 7)
    const start = Date.parse('2026-10-01T00:00:00+05:00')
    const end = Date.now() - 3_600_000
    const receipts: Receipt[] = []
    const refunds: Refund[] = []

    const one = async () => {
      const lines = Array.from({ length: 1 + pick(4) }, () => {
        const p = products[pick(products.length)] as (typeof products)[number]
        const milli = rand() < 0.3 ? 1 + pick(3000) : 1000 * (1 + pick(5))
        const gross = Number((BigInt(p.price) * BigInt(milli) * 2n + 1000n) / 2000n)
        const discount = rand() < 0.3 ? pick(Math.floor(gross / 2)) : 0
        return {
          item: { productId: p.id, quantity: (milli / 1000).toFixed(3), discount },
          amount: gross - discount,
        }
      })
      const total = lines.reduce((a, l) => a + l.amount, 0)
      const change = pick(5000)
      const half = Math.floor(total / 2)
      const third = Math.floor(total / 3)
      const payments = [
        [{ method: 'cash', amount: total + change }],
        [{ method: 'card', amount: total }],
        [{ method: 'transfer', amount: total }],
        [
          { method: 'card', amount: half },
          { method: 'cash', amount: total - half + change },
        ],
        [
          { method: 'transfer', amount: third },
          { method: 'card', amount: third },
          { method: 'cash', amount: total - 2 * third },
        ],
      ][pick(5)]
      const occurredAt = new Date(start + Math.floor(rand() * (end - start))).toISOString()
      const sold = await s.sell({ shiftId, occurredAt, items: lines.map((l) => l.item), payments, total })
      if (sold.status !== 201) throw new Error(`sale: ${JSON.stringify(sold.body)}`)
      receipts.push(sold.body)
      if (rand() < 0.15) {
        const line = sold.body.items[pick(sold.body.items.length)]
        const quantity = rand() < 0.5 ? line.quantity : (Number(line.quantity) / 2).toFixed(3)
        const body = {
          items: [{ receiptItemId: line.id, quantity: Number(quantity) > 0 ? quantity : line.quantity }],
          restock: rand() < 0.5,
        }
        const refund = await s.call('POST', `/api/v1/receipts/${sold.body.id}/refunds`, body, {
          idem: crypto.randomUUID(),
        })
        if (refund.status !== 201) throw new Error(`refund: ${JSON.stringify(refund.body)}`)
        refunds.push(refund.body)
      }
    }
    const parallel = usingPostgres ? 16 : 1
    for (let i = 0; i < RECEIPTS; i += parallel)
      await Promise.all(Array.from({ length: Math.min(parallel, RECEIPTS - i) }, one))

    const byDay = new Map<string, Fig>()
    const byProduct = new Map<string, Fig>()
    const byMethod = new Map<string, Fig>()
    for (const r of receipts) {
      add(byDay, local(r.occurredAt), { gross: r.total, tax: r.tax }, r.id)
      for (const i of r.items) add(byProduct, i.productId, { gross: i.total, tax: i.tax }, r.id)
      const net = netByMethod(r.payments, r.change)
      const taxes = shareTax(net, r.total, r.tax)
      for (const [method, amount] of net)
        add(byMethod, method, { gross: amount, tax: taxes.get(method) ?? 0 }, r.id)
    }
    for (const f of refunds) {
      add(byDay, local(f.occurredAt), { refunds: f.total, tax: -f.tax })
      for (const i of f.items) add(byProduct, i.productId, { refunds: i.amount, tax: -i.tax })
      const net = netByMethod(f.payments, 0)
      const taxes = shareTax(net, f.total, f.tax)
      for (const [method, amount] of net)
        add(byMethod, method, { refunds: amount, tax: -(taxes.get(method) ?? 0) })
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
    const totals = {
      receipts: receipts.length,
      gross: sum(receipts.map((r) => r.total)),
      refunds: sum(refunds.map((f) => f.total)),
      tax: sum(receipts.map((r) => r.tax)) - sum(refunds.map((f) => f.tax)),
    }
    const expectedTotals = { ...totals, net: totals.gross - totals.refunds }
    const rowsOf = (map: Map<string, Fig & { seen?: Set<string> }>, key: string) =>
      [...map.entries()]
        .map(([k, f]) => ({
          [key]: k,
          receipts: f.receipts,
          gross: f.gross,
          refunds: f.refunds,
          net: f.gross - f.refunds,
          tax: f.tax,
        }))
        .sort((a, b) => String(a[key]).localeCompare(String(b[key])))

    const started = performance.now()
    for (const [groupBy, key, map] of [
      ['day', 'day', byDay],
      ['product', 'productId', byProduct],
      ['paymentMethod', 'method', byMethod],
    ] as const) {
      const res = await s.call(
        'GET',
        `/api/v1/reports/sales?storeId=${s.demo.storeId}&from=2026-10-01&to=2026-11-30&groupBy=${groupBy}`,
        undefined,
        { key: reader },
      )
      expect(res.status).toBe(200)
      const got = [...res.body.rows].sort((a, b) => String(a[key]).localeCompare(String(b[key])))
      expect(got).toEqual(rowsOf(map, key))
      expect(res.body.totals).toEqual(expectedTotals)
      for (const field of ['gross', 'refunds', 'net', 'tax'] as const)
        expect(sum(res.body.rows.map((r: Record<string, number>) => r[field]))).toBe(expectedTotals[field])
    }
    console.log(
      `${receipts.length} receipts, ${refunds.length} refunds; three reports in ${(performance.now() - started).toFixed(0)} ms`,
    )
  }, 120_000)
})
