import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { rows } from '../../infra/db'
import { startTestApp, type TestApp, usingPostgres } from '../../testing/harness'
import { type SellingTenant, sellingTenant } from '../sales/sales-fixture'

// Concurrency against real PostgreSQL through PgBouncer: counts racing with sales, transfers in
// both directions at once (no deadlocks), and the ledger still summing to the levels.

let t: TestApp
let s: SellingTenant
let key: string
let other: string

beforeAll(async () => {
  if (!usingPostgres) return
  t = await startTestApp({ DATABASE_POOL_SIZE: '40', RATE_LIMIT_PER_SECOND: '0' })
  s = await sellingTenant(t)
  await t.database.rows(sql`delete from stock where tenant_id = ${s.tenantId}`)
  await t.database.rows(sql`delete from stock_movements where tenant_id = ${s.tenantId}`)
  key = (
    await s.call('POST', '/api/v1/api-keys', { scopes: ['stock:read', 'stock:write'] }, { key: s.admin })
  ).body.key
  other = (await s.call('POST', '/api/v1/warehouses', { name: 'Back' }, { key: s.admin })).body.id
})
afterAll(() => t?.close())

const p = (i: number) => s.products[i] as SellingTenant['products'][number]
const move = (body: unknown) => s.call('POST', '/api/v1/stock/movements', body, { key })

describe.skipIf(!usingPostgres)('stock under concurrency (PostgreSQL through PgBouncer)', () => {
  test('a count racing with 60 sales: the count holds at its moment, every later sale applies on top', async () => {
    const wh = s.demo.warehouseId
    const product = p(0)
    await move({
      type: 'receive',
      warehouseId: wh,
      lines: [{ productId: product.id, quantity: 100 }],
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
    })
    const countedAt = new Date(Date.now() - 1_000).toISOString()
    const shiftId = await s.openShift()
    const sales = Array.from({ length: 60 }, () =>
      s.sell({
        shiftId,
        items: [{ productId: product.id }],
        payments: [{ method: 'card', amount: product.price }],
      }),
    )
    const count = (async () => {
      await Bun.sleep(20)
      return move({
        type: 'count',
        warehouseId: wh,
        lines: [{ productId: product.id, quantity: 90 }],
        occurredAt: countedAt,
      })
    })()
    const [sold, counted] = await Promise.all([Promise.all(sales), count])
    expect(sold.every((r) => r.status === 201)).toBe(true)
    expect(counted.status).toBe(201)
    // Whatever the interleaving: 90 at the counted moment, minus the 60 sold after it.
    expect(await s.stockOf(product.id)).toBe('30.000')
    const at = await s.call(
      'GET',
      `/api/v1/stock/level?warehouseId=${wh}&productId=${product.id}&at=${countedAt}`,
      undefined,
      { key },
    )
    expect(at.body.quantity).toBe('90.000')
  })

  test('transfers both ways and sales at once never deadlock; Σ movements = level', async () => {
    const wh = s.demo.warehouseId
    const ids = [p(1).id, p(2).id, p(3).id, p(4).id]
    await move({
      type: 'receive',
      warehouseId: wh,
      lines: ids.map((productId) => ({ productId, quantity: 500 })),
    })
    await move({
      type: 'receive',
      warehouseId: other,
      lines: ids.map((productId) => ({ productId, quantity: 500 })),
    })
    const shiftId = await s.openShift().catch(async () => {
      const open = await rows<{ id: string }>(
        t.db,
        sql`select id from shifts where tenant_id = ${s.tenantId} and status = 'open'`,
      )
      return open[0]?.id as string
    })
    const shuffled = () =>
      [...ids].sort(() => Math.random() - 0.5).map((productId) => ({ productId, quantity: 1 }))
    const jobs = Array.from({ length: 90 }, (_, i) =>
      i % 3 === 0
        ? move({ type: 'transfer', warehouseId: wh, toWarehouseId: other, lines: shuffled() })
        : i % 3 === 1
          ? move({ type: 'transfer', warehouseId: other, toWarehouseId: wh, lines: shuffled() })
          : s.sell({
              shiftId,
              items: shuffled(),
              payments: [{ method: 'card', amount: ids.reduce((a, _, k) => a + p(k + 1).price, 0) }],
            }),
    )
    const results = await Promise.all(jobs)
    expect(results.map((r) => r.status).filter((x) => x !== 201)).toEqual([])
    const mismatched = await rows(
      t.db,
      sql`select s.warehouse_id, s.product_id from stock s
        left join (select warehouse_id, product_id, sum(quantity) as q from stock_movements where tenant_id = ${s.tenantId} group by 1, 2) m
          on m.warehouse_id = s.warehouse_id and m.product_id = s.product_id
        where s.tenant_id = ${s.tenantId} and s.quantity is distinct from m.q`,
    )
    expect(mismatched).toEqual([])
  })
})
