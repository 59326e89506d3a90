import { sql } from 'drizzle-orm'
import { DEMO_MILK_BARCODE, seedDemoCatalog } from '../../../db/seed/demo'
import { rows } from '../../infra/db'
import type { TestApp } from '../../testing/harness'

// A tenant ready to sell, for the sales tests: the demo catalog (store, register, products with
// barcodes and stock), an admin key, a key bound to the register, and a helper to post receipts.

export async function sellingTenant(t: TestApp) {
  const { tenant, apiKey: admin } = await t.newTenant()
  const demo = await seedDemoCatalog(t.db, tenant.id, { products: 12 })
  const keyRes = await t.request('POST', '/api/v1/api-keys', {
    key: admin,
    body: { scopes: ['catalog:read', 'sales:write', 'sales:read'], terminalId: demo.terminalId },
  })
  const till = ((await keyRes.json()) as { key: string }).key
  const products = await rows<{ id: string; price: number; taxRate: number; barcode: string; name: string }>(
    t.db,
    sql`select p.id, p.price::float8 as price, p.tax_rate as "taxRate", min(b.barcode) as barcode, p.name
      from products p join product_barcodes b on b.tenant_id = p.tenant_id and b.product_id = p.id
      where p.tenant_id = ${tenant.id} and p.unit = 'pcs' group by p.tenant_id, p.id order by p.sku`,
  )
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    opts: { key?: string; idem?: string } = {},
  ) => {
    const headers: Record<string, string> = {}
    if (opts.idem !== undefined) headers['idempotency-key'] = opts.idem
    const res = await t.request(method, path, { key: opts.key ?? till, body, headers })
    const text = await res.text()
    return { res, status: res.status, body: text ? JSON.parse(text) : undefined }
  }
  const openShift = async (openingCash = 100_000) => {
    const r = await call('POST', '/api/v1/shifts', { openingCash })
    if (r.status !== 201) throw new Error(`shift: ${JSON.stringify(r.body)}`)
    return r.body.id as string
  }
  const stockOf = async (productId: string) => {
    const [row] = await rows<{ q: string }>(
      t.db,
      sql`select quantity::text as q from stock where tenant_id = ${tenant.id} and warehouse_id = ${demo.warehouseId} and product_id = ${productId}`,
    )
    return row?.q
  }
  const sell = (body: unknown, opts: { key?: string; idem?: string } = {}) =>
    call('POST', '/api/v1/receipts', body, { idem: crypto.randomUUID(), ...opts })
  return {
    tenantId: tenant.id,
    admin,
    till,
    demo,
    products,
    call,
    openShift,
    stockOf,
    sell,
    milk: DEMO_MILK_BARCODE,
  }
}

export type SellingTenant = Awaited<ReturnType<typeof sellingTenant>>
