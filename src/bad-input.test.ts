import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { rows } from './infra/db'
import { encodeCursor } from './infra/resource'
import { type SellingTenant, sellingTenant } from './modules/sales/sales-fixture'
import { startTestApp, type TestApp } from './testing/harness'

// Input that passes a naive schema but not the database or the date arithmetic behind it: each
// case found by fuzzing once answered 500. Every one must be a 400 problem that changed nothing.

let t: TestApp
let s: SellingTenant
let shiftId: string

beforeAll(async () => {
  t = await startTestApp()
  s = await sellingTenant(t)
  shiftId = await s.openShift()
})
afterAll(() => t.close())

const admin = (method: string, path: string, body?: unknown) => s.call(method, path, body, { key: s.admin })

function expect400(r: { status: number; res: Response; body: { code?: string } }) {
  expect(r.status).toBe(400)
  expect(r.res.headers.get('content-type')).toContain('application/problem+json')
  expect(r.body.code).toBe('VALIDATION_FAILED')
}

describe('input the database cannot store is a 400, not a 500', () => {
  test('U+0000 in a body, a query or a path names the field', async () => {
    const created = await admin('POST', '/api/v1/categories', { name: 'Молоко\u0000' })
    expect400(created)
    expect(created.body.errors).toEqual([
      { path: 'body/name', message: 'contains U+0000 or an unpaired surrogate' },
    ])
    expect400(await admin('POST', '/api/v1/categories', { name: 'Молоко\ud800' }))
    expect400(await admin('GET', '/api/v1/products?q=%00'))
    expect400(await admin('GET', '/api/v1/stores/%00'))
    const batch = await admin('POST', '/api/v1/products/batch', {
      items: [
        { sku: 'NUL-1', name: 'ok', price: 1 },
        { sku: 'NUL-2', name: 'Сыр\u0000', price: 1 },
      ],
    })
    expect400(batch)
    const [stored] = await rows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from products where tenant_id = ${s.tenantId} and sku like 'NUL-%'`,
    )
    expect(stored?.n).toBe(0)
  })

  test('a body version past the int column is refused like an impossible If-Match', async () => {
    const p = s.products[0] as SellingTenant['products'][number]
    for (const version of [2 ** 31, 1e308])
      expect400(await admin('PATCH', `/api/v1/products/${p.id}`, { price: 1, version }))
  })

  test('amounts past 10^13 minor units are refused before they can overflow a sum', async () => {
    expect400(await admin('POST', '/api/v1/products', { sku: 'BIG', name: 'big', price: 1e14 }))
    expect400(
      await s.sell({
        shiftId,
        items: [{ barcode: s.milk }],
        payments: [{ method: 'cash', amount: Number.MAX_SAFE_INTEGER }],
      }),
    )
  })

  test('a stock level pushed past numeric(18,3) is a 400 and the level stays', async () => {
    const p = s.products[1] as SellingTenant['products'][number]
    const receive = () =>
      admin('POST', '/api/v1/stock/movements', {
        type: 'receive',
        warehouseId: s.demo.warehouseId,
        lines: [{ productId: p.id, quantity: 999_999_999 }],
      })
    expect((await receive()).status).toBe(201)
    // A million such receipts away from the limit: set the level next to it directly.
    const top = '999999999999999.000'
    await t.db.execute(
      sql`update stock set quantity = ${top} where tenant_id = ${s.tenantId} and warehouse_id = ${s.demo.warehouseId} and product_id = ${p.id}`,
    )
    const over = await receive()
    expect400(over)
    expect(over.body.detail).toContain('outside the range')
    expect(await s.stockOf(p.id)).toBe(top)
  })

  test('instants the RFC grammar allows but Date cannot hold, and year 1, are refused', async () => {
    for (const occurredAt of ['2016-12-31T23:59:60Z', '2026-11-26T10:00:00+05', '0001-01-01T00:00:00Z']) {
      const sale = await s.sell({
        shiftId,
        items: [{ barcode: s.milk }],
        payments: [{ method: 'card', amount: 1 }],
        occurredAt,
      })
      expect400(sale)
      expect(JSON.stringify(sale.body.errors)).toContain('occurredAt')
      const batch = await s.call('POST', '/api/v1/receipts/offline-batch', {
        receipts: [
          {
            id: crypto.randomUUID(),
            shiftId,
            occurredAt,
            items: [{ barcode: s.milk }],
            payments: [{ method: 'card', amount: 1 }],
          },
        ],
      })
      expect400(batch)
      expect(JSON.stringify(batch.body.errors)).toContain('occurredAt')
    }
    expect400(await admin('GET', '/api/v1/reports/sales?from=0001-01-01&to=2026-01-01'))
    expect400(await admin('GET', '/api/v1/reports/sales?from=2026-01-01&to=9999-12-31T23:00:00Z'))
    // Offsets PostgreSQL refuses although the RFC grammar allows them.
    const far = encodeURIComponent('2026-11-20T12:00:00+23:59')
    expect400(await admin('GET', `/api/v1/receipts?from=${far}`))
    expect400(await admin('GET', `/api/v1/stock/movements?to=${far}`))
    expect400(await admin('GET', `/api/v1/reports/sales?from=${far}&to=2026-12-01`))
  })

  test('a well-formed cursor with an impossible instant or id is a 400', async () => {
    const bad = [
      encodeCursor(`9999-99-99T99:99:99.999Z|${crypto.randomUUID()}`),
      encodeCursor('2026-11-26T10:00:00.000Z|------------------------------------'),
    ]
    for (const cursor of bad) {
      expect400(await admin('GET', `/api/v1/receipts?cursor=${cursor}`))
      expect400(await admin('GET', `/api/v1/stock/movements?cursor=${cursor}`))
    }
    expect400(await admin('GET', `/api/v1/products?cursor=${encodeCursor('-'.repeat(36))}`))
    // The catalog sync cursor keeps PostgreSQL's own timestamp text.
    for (const value of [
      `2026-11-26 10:00:00+00|${'-'.repeat(36)}`,
      `2026-13-45 99:99:99+00|${crypto.randomUUID()}`,
      `2026-11-26 10:00:00+99|${crypto.randomUUID()}`,
      `2026-11-26 10:00:00+14:99|${crypto.randomUUID()}`,
    ])
      expect400(
        await admin(
          'GET',
          `/api/v1/products?updatedSince=2026-01-01T00:00:00Z&cursor=${encodeCursor(value)}`,
        ),
      )
  })
})

test('a body nested deeper than any schema is a 400, however deep', async () => {
  for (const depth of [100, 20_000])
    expect400(await admin('POST', '/api/v1/categories', `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`))
  const r = await admin('POST', '/api/v1/categories', `${'['.repeat(20_000)}${']'.repeat(20_000)}`)
  expect(r.status).toBe(400)
})

describe('unknown fields', () => {
  test('are refused by name, not dropped: a misspelt qty must not sell one unit', async () => {
    const sale = await s.sell({
      shiftId,
      items: [{ barcode: s.milk, qty: 5 }],
      payments: [{ method: 'cash', amount: 10_000_000 }],
    })
    expect400(sale)
    expect(sale.body.errors).toContainEqual({ path: 'body/items/0/qty', message: 'unknown field' })
    const batch = await s.call('POST', '/api/v1/receipts/offline-batch', {
      receipts: [
        {
          id: crypto.randomUUID(),
          shiftId,
          occurredAt: new Date().toISOString(),
          items: [{ barcode: s.milk }],
          payments: [{ method: 'cash', amount: 10_000_000 }],
          cashier: 'Дилноза',
        },
      ],
    })
    expect(batch.body.errors).toEqual([{ path: 'body/receipts/0/cashier', message: 'unknown field' }])
    // A search body is one of two shapes: the closer one names the field.
    const search = await s.call('POST', '/api/v1/products/search', { q: 'молоко', limt: 5 })
    expect(search.body.errors).toEqual([{ path: 'body/limt', message: 'unknown field' }])
    const patch = await admin('PATCH', '/api/v1/settings', { allowNegativStock: false })
    expect(patch.body.errors).toEqual([{ path: 'body/allowNegativStock', message: 'unknown field' }])
  })
})

describe('register clocks', () => {
  test('a sale dated ahead of the server beyond the clock skew is kept, dated now; a stock movement is refused', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString()
    const body = { shiftId, items: [{ barcode: s.milk }], payments: [{ method: 'cash', amount: 10_000_000 }] }
    const sale = await s.sell({ ...body, occurredAt: tomorrow })
    expect(sale.status).toBe(201)
    expect(Math.abs(Date.parse(sale.body.occurredAt) - Date.now())).toBeLessThan(60_000)
    const ahead = new Date(Date.now() + 60_000).toISOString()
    const batch = await s.call('POST', '/api/v1/receipts/offline-batch', {
      receipts: [
        { ...body, id: crypto.randomUUID(), occurredAt: tomorrow },
        { ...body, id: crypto.randomUUID(), occurredAt: ahead },
      ],
    })
    expect(batch.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'created'])
    const p = s.products[2] as SellingTenant['products'][number]
    const movement = await admin('POST', '/api/v1/stock/movements', {
      type: 'receive',
      warehouseId: s.demo.warehouseId,
      lines: [{ productId: p.id, quantity: 1 }],
      occurredAt: tomorrow,
    })
    expect400(movement)
  })
})

describe('JSON types', () => {
  test('a number sent as a string is refused, not converted', async () => {
    const product = { sku: `TYPES-${crypto.randomUUID()}`, name: 'Типы' }
    for (const wrong of [{ price: ' 7 ' }, { price: 7, taxRate: '0x10' }, { price: '7' }])
      expect400(await admin('POST', '/api/v1/products', { ...product, ...wrong }))
    const sale = (extra: Record<string, unknown>) =>
      s.sell({
        shiftId,
        items: [{ barcode: s.milk }],
        payments: [{ method: 'cash', amount: 10_000_000 }],
        ...extra,
      })
    expect400(await sale({ payments: [{ method: 'cash', amount: '10000000' }] }))
    expect400(await sale({ total: '100' }))
    // A query string is text: its numbers are still read as numbers.
    expect((await admin('GET', '/api/v1/products?limit=2')).status).toBe(200)
  })

  test('a change whose body is not an object (null, an array, nothing) is refused and changes nothing', async () => {
    const created = await admin('POST', '/api/v1/products', {
      sku: `PATCH-${crypto.randomUUID()}`,
      name: 'Патч',
      price: 1,
    })
    const path = `/api/v1/products/${created.body.id}`
    for (const body of ['null', '[]', '"x"', undefined]) expect400(await admin('PATCH', path, body))
    expect((await admin('GET', path)).body.version).toBe(created.body.version)
  })
})
