import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestApp, type TestApp } from '../../testing/harness'
import { createApiKey } from '../admin/service'

// Products and categories over HTTP: CRUD, versions, soft delete, sync with deletions, scopes.

let t: TestApp
let key: string
let readOnly: string
let other: string
let tenantId: string

type Json = Record<string, unknown>
const call = async (
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
) => {
  const res = await t.request(method, path, { key, ...opts })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json }
}
let n = 0
const sku = () => `T-${Date.now()}-${n++}`
const code = () => `4600${String(Date.now()).slice(-7)}${String(n++).padStart(2, '0')}`

beforeAll(async () => {
  t = await startTestApp()
  const a = await t.newTenant()
  key = a.apiKey
  tenantId = a.tenant.id
  readOnly = (await createApiKey(t.db, tenantId, { scopes: ['catalog:read'] })).key
  other = (await t.newTenant()).apiKey
}, 60_000)
afterAll(() => t.close())

describe('products', () => {
  test('create, read by id and by barcode, with ETag and JSON content type', async () => {
    const barcode = code()
    const created = await call('POST', '/api/v1/products', {
      body: {
        sku: sku(),
        name: 'Молоко 3.2% 1 л',
        price: 1_250_000,
        barcodes: [barcode, barcode],
        taxRate: 1200,
      },
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      name: 'Молоко 3.2% 1 л',
      barcodes: [barcode],
      unit: 'pcs',
      version: 1,
      isActive: true,
    })
    const id = created.body.id as string
    const one = await call('GET', `/api/v1/products/${id}`)
    expect(one.status).toBe(200)
    expect(one.headers.get('etag')).toBe('"1"')
    expect(one.body).toEqual(created.body)
    const byCode = await t.request('GET', `/api/v1/products/by-barcode/${barcode}`, { key })
    expect(byCode.status).toBe(200)
    expect(byCode.headers.get('content-type')).toStartWith('application/json')
    expect(byCode.headers.get('x-request-id')).toBeTruthy()
    expect(await byCode.json()).toEqual(created.body)
    // A second lookup is a cache hit with the same bytes.
    const again = await call('GET', `/api/v1/products/by-barcode/${barcode}`)
    expect(again.body).toEqual(created.body)
  })

  test('If-Match or version: a stale one is 409 VERSION_MISMATCH, a fresh one applies', async () => {
    const barcode = code()
    const { body: p } = await call('POST', '/api/v1/products', {
      body: { sku: sku(), name: 'Кефир', price: 900, barcodes: [barcode] },
    })
    await call('GET', `/api/v1/products/by-barcode/${barcode}`) // cached now
    const ok = await call('PATCH', `/api/v1/products/${p.id}`, {
      body: { price: 1000 },
      headers: { 'if-match': '"1"' },
    })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ price: 1000, version: 2 })
    expect(ok.headers.get('etag')).toBe('"2"')
    const stale = await call('PATCH', `/api/v1/products/${p.id}`, {
      body: { price: 1100 },
      headers: { 'if-match': '1' },
    })
    expect(stale.status).toBe(409)
    expect(stale.body.code).toBe('VERSION_MISMATCH')
    const staleBody = await call('PATCH', `/api/v1/products/${p.id}`, { body: { price: 1100, version: 1 } })
    expect(staleBody.body.code).toBe('VERSION_MISMATCH')
    const viaBody = await call('PATCH', `/api/v1/products/${p.id}`, { body: { price: 1100, version: 2 } })
    expect(viaBody.body).toMatchObject({ price: 1100, version: 3 })
    const bad = await call('PATCH', `/api/v1/products/${p.id}`, {
      body: { price: 1 },
      headers: { 'if-match': 'abc' },
    })
    expect(bad.status).toBe(400)
    // The cached lookup saw every change at once.
    expect((await call('GET', `/api/v1/products/by-barcode/${barcode}`)).body.price).toBe(1100)
  })

  test('barcodes: many per product, unique per tenant (409), replaced by PATCH, old ones stop resolving', async () => {
    const [b1, b2, b3] = [code(), code(), code()]
    const { body: p } = await call('POST', '/api/v1/products', {
      body: { sku: sku(), name: 'Хлеб', price: 500, barcodes: [b1, b2] },
    })
    expect((p.barcodes as string[]).toSorted()).toEqual([b1, b2].toSorted())
    const dup = await call('POST', '/api/v1/products', {
      body: { sku: sku(), name: 'Другой', price: 1, barcodes: [b2] },
    })
    expect(dup.status).toBe(409)
    const dupSku = await call('POST', '/api/v1/products', { body: { sku: p.sku, name: 'Другой', price: 1 } })
    expect(dupSku.status).toBe(409)
    // Another tenant may use the same barcode.
    expect(
      (
        await call('POST', '/api/v1/products', {
          key: other,
          body: { sku: sku(), name: 'X', price: 1, barcodes: [b1] },
        })
      ).status,
    ).toBe(201)
    expect((await call('GET', `/api/v1/products/by-barcode/${b1}`)).body.id).toBe(p.id)
    const patched = await call('PATCH', `/api/v1/products/${p.id}`, { body: { barcodes: [b2, b3] } })
    expect(patched.status).toBe(200)
    expect((await call('GET', `/api/v1/products/by-barcode/${b1}`)).status).toBe(404)
    expect((await call('GET', `/api/v1/products/by-barcode/${b3}`)).body.id).toBe(p.id)
  })

  test('soft delete: the barcode stops resolving at once, GET is 404, sync lists it with deletedAt', async () => {
    const since = new Date(Date.now() - 1000).toISOString()
    const barcode = code()
    const { body: p } = await call('POST', '/api/v1/products', {
      body: { sku: sku(), name: 'Сыр', price: 3000, barcodes: [barcode] },
    })
    expect((await call('GET', `/api/v1/products/by-barcode/${barcode}`)).status).toBe(200)
    expect(
      (await call('DELETE', `/api/v1/products/${p.id}`, { headers: { 'if-match': '"7"' } })).status,
    ).toBe(409)
    const del = await t.request('DELETE', `/api/v1/products/${p.id}`, { key })
    expect(del.status).toBe(204)
    expect(await del.text()).toBe('')
    expect((await call('GET', `/api/v1/products/by-barcode/${barcode}`)).status).toBe(404)
    expect((await call('GET', `/api/v1/products/${p.id}`)).status).toBe(404)
    expect((await call('DELETE', `/api/v1/products/${p.id}`)).status).toBe(404)
    const live = await call('GET', '/api/v1/products?limit=200')
    expect((live.body.items as Json[]).some((x) => x.id === p.id)).toBe(false)
    const sync = await call('GET', `/api/v1/products?updatedSince=${encodeURIComponent(since)}&limit=200`)
    const gone = (sync.body.items as Json[]).find((x) => x.id === p.id)
    expect(gone).toMatchObject({ id: p.id, barcodes: [], version: 2 })
    expect(typeof gone?.deletedAt).toBe('string')
    // The freed barcode can go to another product.
    expect(
      (
        await call('POST', '/api/v1/products', {
          body: { sku: sku(), name: 'Сыр 2', price: 1, barcodes: [barcode] },
        })
      ).status,
    ).toBe(201)
  })

  test('sync pages walk (updatedAt, id) with a cursor and see every change exactly once', async () => {
    const since = new Date(Date.now() - 1000).toISOString()
    const ids: string[] = []
    for (let i = 0; i < 7; i++)
      ids.push(
        (await call('POST', '/api/v1/products', { body: { sku: sku(), name: `Синк ${i}`, price: i } })).body
          .id as string,
      )
    await call('PATCH', `/api/v1/products/${ids[0]}`, { body: { price: 99 } })
    await call('DELETE', `/api/v1/products/${ids[1]}`)
    const seen: Json[] = []
    let cursor: string | null = null
    do {
      const q: string = `/api/v1/products?updatedSince=${encodeURIComponent(since)}&limit=3${cursor ? `&cursor=${cursor}` : ''}`
      const page = await call('GET', q)
      expect(page.status).toBe(200)
      seen.push(...(page.body.items as Json[]))
      cursor = page.body.nextCursor as string | null
    } while (cursor)
    const mine = seen.filter((x) => ids.includes(x.id as string))
    expect(mine.map((x) => x.id).toSorted()).toEqual(ids.toSorted())
    expect(new Set(seen.map((x) => x.id)).size).toBe(seen.length)
    const order = seen.map((x) => `${x.updatedAt}|${x.id}`)
    expect(order).toEqual(order.toSorted())
    expect(mine.at(-1)?.id).toBe(ids[1]) // changed last
    expect((await call('GET', '/api/v1/products?updatedSince=yesterday')).status).toBe(400)
    expect(
      (await call('GET', '/api/v1/products?updatedSince=2026-01-01T00:00:00Z&cursor=bm9wZQ')).status,
    ).toBe(400)
  })

  test('list filters: categoryId and q; id-ordered pages', async () => {
    const { body: cat } = await call('POST', '/api/v1/categories', { body: { name: 'Напитки' } })
    const a = await call('POST', '/api/v1/products', {
      body: { sku: sku(), name: 'Сок яблочный 1 л', price: 1, categoryId: cat.id },
    })
    await call('POST', '/api/v1/products', {
      body: { sku: sku(), name: 'Вода 0.5 л', price: 1, categoryId: cat.id },
    })
    const byCat = await call('GET', `/api/v1/products?categoryId=${cat.id}`)
    expect((byCat.body.items as Json[]).length).toBe(2)
    const byQ = await call('GET', `/api/v1/products?categoryId=${cat.id}&q=ябл`)
    expect((byQ.body.items as Json[]).map((x) => x.id)).toEqual([a.body.id])
    const pages: Json[] = []
    let cursor: string | null = null
    do {
      const page: { body: Json } = await call(
        'GET',
        `/api/v1/products?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      pages.push(...(page.body.items as Json[]))
      cursor = page.body.nextCursor as string | null
    } while (cursor)
    const ids = pages.map((x) => x.id as string)
    expect(ids).toEqual(ids.toSorted())
    expect(ids).toContain(a.body.id as string)
  })

  test('validation: bad barcode characters or length, bad body → 400 VALIDATION_FAILED', async () => {
    for (const bad of ['abc$', 'a'.repeat(65), '%20x'])
      expect((await call('GET', `/api/v1/products/by-barcode/${bad}`)).status).toBe(400)
    const r = await call('POST', '/api/v1/products', { body: { sku: 'x', name: '', price: -1 } })
    expect(r.status).toBe(400)
    expect(r.body.code).toBe('VALIDATION_FAILED')
    expect(
      (
        await call('POST', '/api/v1/products', {
          body: { sku: sku(), name: 'x', price: 1, barcodes: ['a b'] },
        })
      ).status,
    ).toBe(400)
    expect((await call('GET', '/api/v1/products/not-a-uuid')).status).toBe(400)
    expect(
      (
        await call('POST', '/api/v1/products', {
          body: { sku: sku(), name: 'x', price: 1, categoryId: crypto.randomUUID() },
        })
      ).status,
    ).toBe(404)
  })

  test('scopes and tenants: read-only key cannot write; another tenant sees 404', async () => {
    const { body: p } = await call('POST', '/api/v1/products', {
      body: { sku: sku(), name: 'Чай', price: 1 },
    })
    expect((await call('GET', `/api/v1/products/${p.id}`, { key: readOnly })).status).toBe(200)
    expect(
      (await call('PATCH', `/api/v1/products/${p.id}`, { key: readOnly, body: { price: 2 } })).status,
    ).toBe(403)
    expect((await call('GET', `/api/v1/products/${p.id}`, { key: other })).status).toBe(404)
    expect((await call('PATCH', `/api/v1/products/${p.id}`, { key: other, body: { price: 2 } })).status).toBe(
      404,
    )
    expect((await call('GET', '/api/v1/cache/stats', { key: readOnly })).status).toBe(403)
  })

  test('idempotent create replays the first answer', async () => {
    const body = { sku: sku(), name: 'Идемпотент', price: 1 }
    const headers = { 'idempotency-key': `k-${sku()}` }
    const first = await call('POST', '/api/v1/products', { body, headers })
    const second = await call('POST', '/api/v1/products', { body, headers })
    expect(second.status).toBe(201)
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(second.body.id).toBe(first.body.id)
    expect((await call('POST', '/api/v1/products', { body: { ...body, price: 2 }, headers })).status).toBe(
      422,
    )
  })
})

describe('categories', () => {
  test('CRUD with versions; delete refused while in use; no cycles', async () => {
    const root = await call('POST', '/api/v1/categories', { body: { name: 'Молочные продукты' } })
    expect(root.status).toBe(201)
    const child = await call('POST', '/api/v1/categories', { body: { name: 'Сыры', parentId: root.body.id } })
    expect(child.body.parentId).toBe(root.body.id)
    const got = await call('GET', `/api/v1/categories/${root.body.id}`)
    expect(got.headers.get('etag')).toBe('"1"')
    expect(
      (await call('PATCH', `/api/v1/categories/${root.body.id}`, { body: { parentId: child.body.id } }))
        .status,
    ).toBe(409)
    const renamed = await call('PATCH', `/api/v1/categories/${root.body.id}`, {
      body: { name: 'Молочка', version: 1 },
    })
    expect(renamed.body).toMatchObject({ name: 'Молочка', version: 2 })
    expect(
      (await call('PATCH', `/api/v1/categories/${root.body.id}`, { body: { name: 'x', version: 1 } })).body
        .code,
    ).toBe('VERSION_MISMATCH')
    expect((await call('DELETE', `/api/v1/categories/${root.body.id}`)).status).toBe(409) // has a child
    const p = await call('POST', '/api/v1/products', {
      body: { sku: sku(), name: 'Бри', price: 1, categoryId: child.body.id },
    })
    expect((await call('DELETE', `/api/v1/categories/${child.body.id}`)).status).toBe(409) // has a product
    await call('DELETE', `/api/v1/products/${p.body.id}`)
    expect((await call('DELETE', `/api/v1/categories/${child.body.id}`)).status).toBe(204)
    expect((await call('GET', `/api/v1/categories/${child.body.id}`)).status).toBe(404)
    expect(
      (
        await call('POST', '/api/v1/products', {
          body: { sku: sku(), name: 'x', price: 1, categoryId: child.body.id },
        })
      ).status,
    ).toBe(404)
    const list = await call('GET', '/api/v1/categories?limit=200')
    expect((list.body.items as Json[]).map((c) => c.id)).toContain(root.body.id)
    expect((await call('GET', `/api/v1/categories/${root.body.id}`, { key: other })).status).toBe(404)
  })
})
