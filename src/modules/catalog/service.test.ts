import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { startTestApp, type TestApp } from '../../testing/harness'
import { findByBarcode } from './service'

let t: TestApp
let tenantId: string
let otherTenantId: string

beforeAll(async () => {
  t = await startTestApp()
  tenantId = (await t.newTenant()).tenant.id
  otherTenantId = (await t.newTenant()).tenant.id
  // Enough rows for the planner to prefer an index, in two tenants.
  for (const tenant of [tenantId, otherTenantId]) {
    await t.database.rows(sql`
      with p as (
        insert into products (tenant_id, sku, name, price)
        select ${tenant}, 'SKU-' || g, 'Товар ' || g, 1000 + g from generate_series(1, 3000) g
        returning id, sku)
      insert into product_barcodes (tenant_id, barcode, product_id)
      select ${tenant}, '478' || lpad(substr(sku, 5), 10, '0'), id from p`)
  }
  await t.database.rows(sql`analyze products`)
  await t.database.rows(sql`analyze product_barcodes`)
})
afterAll(() => t.close())

describe('barcode lookup query', () => {
  test('resolves within the tenant only', async () => {
    const product = await findByBarcode(t.db, tenantId, '4780000000042')
    expect(product?.sku).toBe('SKU-42')
    expect(product?.barcodes).toEqual(['4780000000042'])
    const [row] = await t.database.rows<{ id: string }>(
      sql`select id from products where tenant_id = ${otherTenantId} and sku = 'SKU-42'`,
    )
    expect(product?.id).not.toBe(row?.id)
    expect(await findByBarcode(t.db, tenantId, '0000')).toBeUndefined()
  })

  test('is answered from indexes, never by scanning a table', async () => {
    // The statement inside pos_product_by_barcode as deployed, with its arguments as parameters.
    const [fn] = await t.database.rows<{ src: string }>(
      sql`select prosrc as src from pg_proc where proname = 'pos_product_by_barcode'`,
    )
    const body = /RETURN QUERY([\s\S]*?);/.exec(fn?.src ?? '')?.[1]
    expect(body).toBeDefined()
    const statement = (body ?? '').replaceAll('p_tenant', '$1::uuid').replaceAll('p_barcode', '$2::text')
    const plan = await t.explain({ toSQL: () => ({ sql: statement, params: [tenantId, '4780000000042'] }) })
    expect(plan).toContain('"Index Name":"product_barcodes_tenant_id_barcode_pk"')
    expect(plan).toContain('"Index Name":"products_tenant_id_id_pk"')
    expect(plan).not.toContain('Seq Scan')
  })
})
