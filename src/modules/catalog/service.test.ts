import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import { sql } from 'drizzle-orm'
import { TenantDb } from '../../infra/tenant-db'
import { startTestApp, type TestApp } from '../../testing/harness'
import { ProductPage, SearchResult } from './model'
import { getProduct } from './products'
import { productJsonByBarcode } from './service'

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

/** Escapes, nulls, several barcodes (sorted), microsecond timestamps at millisecond edges. */
async function insertVariedProducts(tenant: string): Promise<string[]> {
  const names = ['Кефир "Домашний" 1%', 'back\\slash\ttab\nline\u0001', 'emoji 🍎 ', 'a/b <c> &d']
  const ids: string[] = []
  for (const [i, name] of names.entries()) {
    const [p] = await t.database.rows<{ id: string }>(sql`
      insert into products (tenant_id, sku, name, description, price, cost, unit, tax_rate, is_active,
        created_at, updated_at)
      values (${tenant}, ${`JSON-${i}`}, ${name}, ${i % 2 ? null : `описание ${name}`}, ${i * 1001},
        ${i % 2 ? 5 : null}, ${i % 2 ? 'kg' : 'pcs'}, ${i * 100}, ${i % 2 === 0},
        ${`2026-11-26 05:38:22.${['999999', '000500', '123456', '999500'][i]}+00`},
        ${`2027-01-01 00:00:00.${['000001', '999999', '500000', '000000'][i]}+05`})
      returning id`)
    if (!p) throw new Error('insert failed')
    ids.push(p.id)
    for (const barcode of [`99${i}9`, `99${i}1`, `99${i}5-X`])
      await t.database.rows(
        sql`insert into product_barcodes (tenant_id, barcode, product_id) values (${tenant}, ${barcode}, ${p.id})`,
      )
  }
  return ids
}

describe('barcode lookup query', () => {
  test('resolves within the tenant only', async () => {
    const json = await productJsonByBarcode(t.db, tenantId, '4780000000042')
    const product = JSON.parse(json ?? 'null')
    expect(product?.sku).toBe('SKU-42')
    expect(product?.barcodes).toEqual(['4780000000042'])
    const [row] = await t.database.rows<{ id: string }>(
      sql`select id from products where tenant_id = ${otherTenantId} and sku = 'SKU-42'`,
    )
    expect(product?.id).not.toBe(row?.id)
    expect(await productJsonByBarcode(t.db, tenantId, '0000')).toBeUndefined()
  })

  test('anything but a plain UUID and barcode goes as parameters, never into the statement', async () => {
    for (const barcode of [
      "4780000000042'",
      "x' or true --",
      '4780000000042\\',
      "'); delete from products; --",
    ])
      expect(await productJsonByBarcode(t.db, tenantId, barcode)).toBeUndefined()
    // Not a UUID at all: PostgreSQL refuses the parameter.
    await expect(productJsonByBarcode(t.db, `${tenantId}' or true --`, '4780000000042')).rejects.toThrow()
    const [left] = await t.database.rows<{ n: number }>(
      sql`select count(*)::int as n from products where tenant_id = ${tenantId}`,
    )
    expect(left?.n).toBeGreaterThanOrEqual(3000)
  })

  test('answers the bytes the product routes serialize, whatever the fields hold', async () => {
    const ids = await insertVariedProducts(tenantId)
    const tdb = new TenantDb(t.db, tenantId)
    for (const [i, id] of ids.entries()) {
      const expected = JSON.stringify(await getProduct(tdb, id))
      expect(await productJsonByBarcode(t.db, tenantId, `99${i}1`)).toBe(expected)
      // The parameterized form gives the same: a UUID in braces is one to PostgreSQL, not to the check.
      expect(await productJsonByBarcode(t.db, `{${tenantId}}`, `99${i}5-X`)).toBe(expected)
    }
  })

  test('is answered from indexes, never by scanning a table', async () => {
    // The statement inside pos_product_json as deployed, with its arguments as parameters.
    const [fn] = await t.database.rows<{ src: string }>(
      sql`select prosrc as src from pg_proc where proname = 'pos_product_json'`,
    )
    const body = /INTO result FROM \(([\s\S]*?)\) v;/.exec(fn?.src ?? '')?.[1]
    expect(body).toBeDefined()
    const statement = (body ?? '').replaceAll('p_tenant', '$1::uuid').replaceAll('p_barcode', '$2::text')
    const plan = await t.explain({ toSQL: () => ({ sql: statement, params: [tenantId, '4780000000042'] }) })
    expect(plan).toContain('"Index Name":"product_barcodes_tenant_id_barcode_pk"')
    expect(plan).toContain('"Index Name":"products_tenant_id_id_pk"')
    expect(plan).not.toContain('Seq Scan')
  })
})

/** A tenant with the varied products, and the JSON pos_product_json builds for each, by id. */
async function variedTenant() {
  const { tenant, apiKey } = await t.newTenant()
  const ids = await insertVariedProducts(tenant.id)
  const expected = new Map<string, string>()
  for (const [i, id] of ids.entries())
    expected.set(id, (await productJsonByBarcode(t.db, tenant.id, `99${i}1`)) ?? 'missing')
  return { tenant: tenant.id, apiKey, ids, expected }
}

// The list and name-search routes send their answers serialized without Elysia's response check:
// these tests are it. pos_product_json builds each product's JSON independently of toProductView.
describe('product list', () => {
  test('pages hold the JSON PostgreSQL builds for each product, valid against the documented schema', async () => {
    const { tenant, apiKey, ids, expected } = await variedTenant()
    const deleted = ids[1] ?? ''
    await t.database.rows(
      sql`update products set deleted_at = '2027-02-03 04:05:06.789999+00' where tenant_id = ${tenant} and id = ${deleted}`,
    )
    expected.set(deleted, `${expected.get(deleted)?.slice(0, -1)},"deletedAt":"2027-02-03T04:05:06.789Z"}`)
    for (const since of ['', '&updatedSince=2000-01-01T00:00:00Z']) {
      const seen: string[] = []
      let cursor = ''
      do {
        const res = await t.request('GET', `/api/v1/products?limit=2${since}${cursor}`, { key: apiKey })
        expect(res.status).toBe(200)
        expect(res.headers.get('content-type')).toBe('application/json')
        const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null }
        expect([...Value.Errors(ProductPage, page)]).toEqual([])
        for (const item of page.items) {
          seen.push(item.id)
          expect(JSON.stringify(item)).toBe(expected.get(item.id) ?? 'missing')
        }
        cursor = page.nextCursor ? `&cursor=${page.nextCursor}` : ''
      } while (cursor)
      expect(seen.sort()).toEqual((since ? ids : ids.filter((id) => id !== deleted)).sort())
    }
  })
})

describe('name search', () => {
  test('answers hold the JSON PostgreSQL builds for each product, valid against the documented schema', async () => {
    const { apiKey, ids, expected } = await variedTenant()
    for (const [i, q] of ['кефир', 'back', 'emoji', 'a/b <c> &d'].entries()) {
      const res = await t.request('POST', '/api/v1/products/search', { key: apiKey, body: { q } })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/json')
      const body = (await res.json()) as { items: { id: string }[] }
      expect([...Value.Errors(SearchResult, body)]).toEqual([])
      expect(body.items.map((item) => item.id)).toContain(ids[i] ?? 'missing')
      for (const item of body.items) expect(JSON.stringify(item)).toBe(expected.get(item.id) ?? 'missing')
    }
  })
})
