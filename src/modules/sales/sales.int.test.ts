import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { rows } from '../../infra/db'
import { startTestApp, type TestApp, usingPostgres } from '../../testing/harness'
import { type SellingTenant, sellingTenant } from './sales-fixture'

// Concurrency against real PostgreSQL through PgBouncer: many requests in flight at once.

let t: TestApp
let s: SellingTenant

beforeAll(async () => {
  if (!usingPostgres) return
  t = await startTestApp({ DATABASE_POOL_SIZE: '40', RATE_LIMIT_PER_SECOND: '0' })
  s = await sellingTenant(t)
})
afterAll(() => t?.close())

const p = (i: number) => s.products[i] as SellingTenant['products'][number]

describe.skipIf(!usingPostgres)('sales under concurrency (PostgreSQL through PgBouncer)', () => {
  test('200 concurrent sales of one product with stock 50 and negative stock refused: exactly 50 succeed', async () => {
    const product = p(5)
    await t.database.rows(
      sql`update stock set quantity = 50 where tenant_id = ${s.tenantId} and product_id = ${product.id}`,
    )
    await s.call('PATCH', '/api/v1/settings', { allowNegativeStock: false }, { key: s.admin })
    const shiftId = await s.openShift()
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        s.sell({
          shiftId,
          items: [{ productId: product.id }],
          payments: [{ method: 'card', amount: product.price }],
        }),
      ),
    )
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((x) => x === 201).length).toBe(50)
    expect(statuses.filter((x) => x === 409).length).toBe(150)
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'INSUFFICIENT_STOCK')).toBe(
      true,
    )
    expect(await s.stockOf(product.id)).toBe('0.000')
    const [sum] = await rows<{ q: string }>(
      t.db,
      sql`select sum(quantity)::text as q from stock_movements where tenant_id = ${s.tenantId} and product_id = ${product.id} and type = 'sale'`,
    )
    expect(sum?.q).toBe('-50.000')
    await s.call('PATCH', '/api/v1/settings', { allowNegativeStock: true }, { key: s.admin })
    await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 0 })
  })

  test('100 concurrent requests with one Idempotency-Key: one receipt, the rest replays or 409', async () => {
    const shiftId = await s.openShift()
    const idem = crypto.randomUUID()
    const body = {
      shiftId,
      items: [{ productId: p(6).id }],
      payments: [{ method: 'cash', amount: p(6).price }],
    }
    const results = await Promise.all(Array.from({ length: 100 }, () => s.sell(body, { idem })))
    const created = results.filter(
      (r) => r.status === 201 && r.res.headers.get('idempotent-replayed') !== 'true',
    )
    const replayed = results.filter(
      (r) => r.status === 201 && r.res.headers.get('idempotent-replayed') === 'true',
    )
    const inFlight = results.filter((r) => r.status === 409)
    expect(created.length).toBe(1)
    expect(replayed.length + inFlight.length).toBe(99)
    for (const r of replayed) expect(r.body.id).toBe(created[0]?.body.id)
    const [n] = await rows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from receipts where tenant_id = ${s.tenantId} and shift_id = ${shiftId}`,
    )
    expect(n?.n).toBe(1)
    await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 0 })
  })

  test('two refunds of one line queued behind a lock return exactly the line amount', async () => {
    // Both requests start while the line is locked, so each takes its first snapshot before the
    // other commits: the second must still see what the first returned.
    const shiftId = await s.openShift()
    const c = p(6)
    const sale = await s.sell({
      shiftId,
      items: [{ productId: c.id, quantity: 3, discount: 1 }],
      payments: [{ method: 'card', amount: c.price * 3 - 1 }],
    })
    const line = sale.body.items[0].id as string
    const refund = (quantity: number) =>
      s.call('POST', `/api/v1/receipts/${sale.body.id}/refunds`, {
        items: [{ receiptItemId: line, quantity }],
        restock: false,
      })
    let pending: ReturnType<typeof refund>[] = []
    await t.db.transaction(async (tx) => {
      await tx.execute(
        sql`select 1 from receipt_items where tenant_id = ${s.tenantId} and id = ${line} for update`,
      )
      pending = [refund(1), refund(2)]
      // Released only once both wait on the lock: otherwise the race is not the one tested.
      for (let waiting = 0; waiting < 2; await Bun.sleep(20)) {
        const [row] = await rows<{ n: number }>(
          t.db,
          sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%receipt_items%for update%'`,
        )
        waiting = row?.n ?? 0
      }
    })
    const done = await Promise.all(pending)
    expect(done.map((r) => r.status)).toEqual([201, 201])
    expect(done.reduce((sum, r) => sum + r.body.total, 0)).toBe(sale.body.total)
    expect(done.reduce((sum, r) => sum + r.body.tax, 0)).toBe(sale.body.tax)
    await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 0 })
  })

  test('refunds and cash movements racing the close land before the Z report or not at all', async () => {
    await s.call('PATCH', '/api/v1/settings', { allowNegativeStock: true }, { key: s.admin })
    const shiftId = await s.openShift(0)
    const a = p(1)
    const sales = await Promise.all(
      Array.from({ length: 20 }, () =>
        s.sell({ shiftId, items: [{ productId: a.id }], payments: [{ method: 'cash', amount: a.price }] }),
      ),
    )
    const racing = [
      ...sales.map((sale) =>
        s.call('POST', `/api/v1/receipts/${sale.body.id}/refunds`, {
          items: [{ receiptItemId: sale.body.items[0].id, quantity: 1 }],
          restock: false,
        }),
      ),
      ...sales.map(() => s.call('POST', `/api/v1/shifts/${shiftId}/cash`, { type: 'in', amount: 100 })),
    ]
    await Bun.sleep(5)
    const close = await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 0 })
    const outcomes = await Promise.all(racing)
    expect(close.status).toBe(200)
    expect(outcomes.filter((r) => r.status !== 201 && r.body.code !== 'SHIFT_NOT_OPEN')).toEqual([])
    const [stored] = await rows<{ refunds: number; cashIn: number }>(
      t.db,
      sql`select (select count(*)::int from refunds where tenant_id = ${s.tenantId} and shift_id = ${shiftId}) as refunds,
        (select coalesce(sum(amount), 0)::int from cash_movements where tenant_id = ${s.tenantId} and shift_id = ${shiftId}) as "cashIn"`,
    )
    expect(close.body.refunds.count).toBe(stored?.refunds)
    expect(close.body.cashIn).toBe(stored?.cashIn)
  })

  test('a sale queued behind its register for longer than the in-flight bound still lands', async () => {
    // The Idempotency-Key's 2 s wait bound is for a duplicate in flight; the terminal row lock (a
    // shift being closed, a long sale) is an ordinary wait, not a reason to answer 409.
    const shiftId = await s.openShift()
    const c = p(2)
    const [shift] = await rows<{ terminalId: string }>(
      t.db,
      sql`select terminal_id as "terminalId" from shifts where tenant_id = ${s.tenantId} and id = ${shiftId}`,
    )
    let pending: ReturnType<typeof s.sell> | undefined
    await t.db.transaction(async (tx) => {
      await tx.execute(
        sql`select 1 from terminals where tenant_id = ${s.tenantId} and id = ${shift?.terminalId} for update`,
      )
      pending = s.sell({
        shiftId,
        items: [{ productId: c.id }],
        payments: [{ method: 'card', amount: c.price }],
      })
      await Bun.sleep(2_600)
    })
    const sale = await pending
    expect(sale?.body.code).toBeUndefined()
    expect(sale?.status).toBe(201)
    await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 0 })
  })

  test('50 terminals selling at once: every terminal’s numbers are gapless', async () => {
    const store = await s.call(
      'POST',
      '/api/v1/stores',
      { name: 'Гипермаркет', timezone: 'Asia/Tashkent' },
      { key: s.admin },
    )
    const terminals = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const till = await s.call(
          'POST',
          '/api/v1/terminals',
          { storeId: store.body.id, name: `Касса ${i}` },
          { key: s.admin },
        )
        const shift = await s.call(
          'POST',
          '/api/v1/shifts',
          { terminalId: till.body.id, openingCash: 0 },
          { key: s.admin },
        )
        return { terminalId: till.body.id as string, shiftId: shift.body.id as string }
      }),
    )
    const product = p(2)
    const perTerminal = 6
    const results = await Promise.all(
      terminals.flatMap(({ shiftId }) =>
        Array.from({ length: perTerminal }, () =>
          s.sell(
            {
              shiftId,
              items: [{ productId: product.id }],
              payments: [{ method: 'card', amount: product.price }],
            },
            { key: s.admin },
          ),
        ),
      ),
    )
    expect(results.filter((r) => r.status !== 201)).toEqual([])
    const numbers = await rows<{ terminal: string; numbers: number[] }>(
      t.db,
      sql`select terminal_id as terminal, array_agg(number order by number) as numbers from receipts
        where tenant_id = ${s.tenantId} and store_id = ${store.body.id} group by terminal_id`,
    )
    expect(numbers.length).toBe(50)
    for (const row of numbers) expect(row.numbers.map(Number)).toEqual([1, 2, 3, 4, 5, 6])
  })
})
