import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { rows } from '../../infra/db'
import { TenantDb } from '../../infra/tenant-db'
import type { Principal } from '../../plugins/auth'
import { keepPartitionsFromOctober2026, startTestApp, type TestApp } from '../../testing/harness'
import { type SellingTenant, sellingTenant } from '../sales/sales-fixture'
import { salesReportQuery } from './sales-report'
import { reportPeriod } from './window'

// Reports must not scan history: for one store and one month the plan touches only the monthly
// partitions the store's local month overlaps, through the (tenant, store, occurred_at) indexes.

let t: TestApp
let s: SellingTenant
let tdb: TenantDb
let auth: Principal

beforeAll(async () => {
  t = await startTestApp()
  s = await sellingTenant(t)
  await keepPartitionsFromOctober2026(t)
  tdb = new TenantDb(t.db, s.tenantId)
  auth = {
    tenantId: s.tenantId,
    keyId: 'k',
    scopes: ['admin'],
    storeId: null,
    terminalId: null,
    rateLimit: null,
  }
  const shiftId = await s.openShift()
  // 12,000 receipts over Oct 2026 – Jan 2027 across 40 stores (ours is one of them), with lines,
  // payments and some refunds, written directly: the planner needs realistic proportions.
  await t.database.rows(sql`with g as (
      select gen_random_uuid() as id, i,
        timestamptz '2026-10-01 00:00Z' + i * interval '15 minutes' as at,
        case when i % 40 = 0 then ${s.demo.storeId}::uuid else md5((i % 40)::text)::uuid end as store
      from generate_series(1, 12000) i),
    ids as (insert into receipt_ids (tenant_id, id, occurred_at) select ${s.tenantId}, id, at from g returning id),
    r as (insert into receipts (tenant_id, id, occurred_at, number, store_id, terminal_id, shift_id, subtotal, discount, tax, total, paid, change)
      select ${s.tenantId}, g.id, g.at, g.i, g.store, ${s.demo.terminalId}, ${shiftId}, 1000, 0, 100, 1000, 1000, 0
      from g join ids on ids.id = g.id returning id),
    i as (insert into receipt_items (tenant_id, occurred_at, receipt_id, line_no, product_id, name, quantity, price, discount, total, tax_rate, tax)
      select ${s.tenantId}, g.at, g.id, 1, md5((g.i % 50)::text)::uuid, 'x', 1, 1000, 0, 1000, 1200, 100 from g join r on r.id = g.id returning 1)
    insert into payments (tenant_id, occurred_at, receipt_id, store_id, method, amount)
    select ${s.tenantId}, g.at, g.id, g.store, 'card', 1000 from g join r on r.id = g.id`)
  await t.database.rows(sql`insert into refunds (tenant_id, receipt_id, store_id, total, tax, occurred_at)
    select tenant_id, id, store_id, 500, 50, occurred_at + interval '1 hour' from receipts
    where tenant_id = ${s.tenantId} and number % 10 = 0`)
  for (const table of ['receipts', 'receipt_items', 'payments', 'refunds', 'refund_items'])
    await t.database.rows(sql.raw(`analyze ${table}`))
}, 60_000)
afterAll(() => t.close())

const partitionsIn = (plan: string, table: string) =>
  [
    ...new Set(
      [...plan.matchAll(new RegExp(`"Relation Name":"(${table}_[a-z0-9]+)"`, 'g'))].map((m) => m[1]),
    ),
  ].sort()

describe('sales report plans', () => {
  for (const groupBy of ['day', 'product', 'paymentMethod'] as const)
    test(`groupBy=${groupBy}, one store, one month: only that month's partitions, via the store indexes`, async () => {
      const period = await reportPeriod(tdb, auth, {
        storeId: s.demo.storeId,
        from: '2026-11-01',
        to: '2026-11-30',
      })
      const [row] = await rows<Record<string, unknown>>(
        t.db,
        sql`explain (format json) ${salesReportQuery(tdb, period, groupBy)}`,
      )
      const plan = JSON.stringify(row)
      // Tashkent's November is 2026-10-31T19:00Z .. 2026-11-30T19:00Z: the tail of October and November.
      expect(partitionsIn(plan, 'receipts')).toEqual(['receipts_p202610', 'receipts_p202611'])
      if (groupBy === 'product') {
        expect(partitionsIn(plan, 'receipt_items')).toEqual([
          'receipt_items_p202610',
          'receipt_items_p202611',
        ])
        expect(plan).toContain('receipt_items_p202611_tenant_id_receipt_id_idx')
      }
      if (groupBy === 'paymentMethod') {
        expect(partitionsIn(plan, 'payments')).toEqual(['payments_p202610', 'payments_p202611'])
        expect(plan).toContain('payments_p202611_tenant_id_receipt_id_idx')
        expect(plan).toContain('payments_p202611_tenant_id_store_id_occurred_at_idx')
      }
      expect(plan).toContain('receipts_p202611_tenant_id_store_id_occurred_at_idx')
      expect(plan).toContain('refunds_store_occurred_idx')
      expect(plan).not.toContain('_default')
    })
})
