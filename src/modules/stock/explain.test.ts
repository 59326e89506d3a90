import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { rows } from '../../infra/db'
import { keepPartitionsFromOctober2026, startTestApp, type TestApp } from '../../testing/harness'
import { type SellingTenant, sellingTenant } from '../sales/sales-fixture'
import { movementQuery } from './history'

// The ledger list must stay cheap however long the history: with from/to inside one month only that
// month's partition is planned, read through the (tenant, product|warehouse, occurred_at) index.

let t: TestApp
let s: SellingTenant

beforeAll(async () => {
  t = await startTestApp()
  s = await sellingTenant(t)
  await keepPartitionsFromOctober2026(t)
  // 20,000 movements over Oct 2026 – Jan 2027, 50 products × 10 warehouses.
  await t.database.rows(sql`insert into stock_movements (tenant_id, occurred_at, warehouse_id, product_id, type, quantity)
    select ${s.tenantId}, timestamptz '2026-10-01 00:00Z' + i * interval '9 minutes',
      md5((i % 10)::text)::uuid, md5((i % 50)::text)::uuid, 'receive', 1
    from generate_series(1, 20000) i`)
  await t.database.rows(sql`analyze stock_movements`)
}, 60_000)
afterAll(() => t.close())

const plan = async (q: Parameters<typeof movementQuery>[1], warehouses: string[] | null) => {
  const [row] = await rows<Record<string, unknown>>(
    t.db,
    sql`explain (format json) ${movementQuery(s.tenantId, q, warehouses)}`,
  )
  return JSON.stringify(row)
}
const partitions = (p: string) =>
  [...new Set([...p.matchAll(/"Relation Name":"(stock_movements_[a-z0-9]+)"/g)].map((m) => m[1]))].sort()

describe('stock ledger plans', () => {
  const month = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', limit: 50 }

  test('by product within one month: one partition, the product index', async () => {
    const p = await plan({ ...month, productId: '6512bd43-d9ca-a6e0-2c99-0b0a82652dca' }, null)
    expect(partitions(p)).toEqual(['stock_movements_p202611'])
    expect(p).toContain('stock_movements_p202611_tenant_id_product_id_occurred_at_idx')
  })

  test('by warehouse within one month: one partition, the warehouse index', async () => {
    const p = await plan(month, ['c4ca4238-a0b9-2382-0dcc-509a6f75849b'])
    expect(partitions(p)).toEqual(['stock_movements_p202611'])
    expect(p).toContain('stock_movements_p202611_tenant_id_warehouse_id_occurred_at_idx')
  })
})
