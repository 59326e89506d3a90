import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestApp, type TestApp, usingPostgres } from '../../testing/harness'

// POST /products/batch: upsert by sku with per-item results in input order.

let t: TestApp
let key: string
type Json = Record<string, unknown>
const call = async (method: string, path: string, body?: unknown) => {
  const res = await t.request(method, path, { key, body })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json }
}
const batch = async (items: unknown[]) => {
  const r = await call('POST', '/api/v1/products/batch', { items })
  expect(r.status).toBe(200)
  return r.body.results as { sku: string; id?: string; status: string; error?: string }[]
}

beforeAll(async () => {
  t = await startTestApp()
  key = (await t.newTenant()).apiKey
}, 60_000)
afterAll(() => t.close())

describe('product batch upsert', () => {
  test('created, then unchanged, then updated — in input order, barcodes diffed', async () => {
    const items = [
      { sku: 'B-1', name: 'Молоко', price: 100, barcodes: ['111', '112'] },
      { sku: 'B-2', name: 'Кефир', price: 200 },
      { sku: 'B-3', name: 'Сметана', price: 300, barcodes: ['113'] },
    ]
    const first = await batch(items)
    expect(first.map((r) => [r.sku, r.status])).toEqual([
      ['B-1', 'created'],
      ['B-2', 'created'],
      ['B-3', 'created'],
    ])
    expect(first.every((r) => /^[0-9a-f-]{36}$/.test(r.id ?? ''))).toBe(true)
    expect((await call('GET', '/api/v1/products/by-barcode/112')).body.sku).toBe('B-1') // now cached
    const again = await batch(items)
    expect(again.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged'])
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id))
    const changed = await batch([
      { sku: 'B-3', name: 'Сметана', price: 300, barcodes: ['113', '114'] }, // barcodes only
      { sku: 'B-1', name: 'Молоко', price: 150, barcodes: ['111'] }, // price, drops 112
      { sku: 'B-2', name: 'Кефир', price: 200 }, // barcodes omitted: kept
    ])
    expect(changed.map((r) => [r.sku, r.status])).toEqual([
      ['B-3', 'updated'],
      ['B-1', 'updated'],
      ['B-2', 'unchanged'],
    ])
    const p1 = await call('GET', `/api/v1/products/${first[0]?.id}`)
    expect(p1.body).toMatchObject({ price: 150, barcodes: ['111'], version: 2 })
    expect((await call('GET', '/api/v1/products/by-barcode/112')).status).toBe(404)
    expect((await call('GET', '/api/v1/products/by-barcode/114')).body.sku).toBe('B-3')
  })

  test('per-item errors leave the rest written: repeated sku, taken barcode, unknown category', async () => {
    await batch([{ sku: 'E-0', name: 'Держатель', price: 1, barcodes: ['900'] }])
    const results = await batch([
      { sku: 'E-1', name: 'Один', price: 1 },
      { sku: 'E-1', name: 'Один снова', price: 2 },
      { sku: 'E-2', name: 'Чужой код', price: 1, barcodes: ['900'] },
      { sku: 'E-3', name: 'Без категории', price: 1, categoryId: crypto.randomUUID() },
      { sku: 'E-4', name: 'Дважды', price: 1, barcodes: ['901'] },
      { sku: 'E-5', name: 'Дважды тоже', price: 1, barcodes: ['901'] },
    ])
    expect(results.map((r) => r.status)).toEqual(['created', 'error', 'error', 'error', 'created', 'error'])
    expect(results[2]?.error).toContain('900')
    expect(results.filter((r) => r.status === 'error').every((r) => r.id === undefined && r.error)).toBe(true)
    expect((await call('GET', '/api/v1/products/by-barcode/900')).body.sku).toBe('E-0')
  })

  test('a barcode moves between two products of one batch; a deleted product is restored', async () => {
    const [a] = await batch([
      { sku: 'M-1', name: 'Старый', price: 1, barcodes: ['700'] },
      { sku: 'M-2', name: 'Новый', price: 1 },
    ])
    expect((await call('GET', '/api/v1/products/by-barcode/700')).body.sku).toBe('M-1')
    const moved = await batch([
      { sku: 'M-2', name: 'Новый', price: 1, barcodes: ['700'] },
      { sku: 'M-1', name: 'Старый', price: 1, barcodes: [] },
    ])
    expect(moved.map((r) => r.status)).toEqual(['updated', 'updated'])
    expect((await call('GET', '/api/v1/products/by-barcode/700')).body.sku).toBe('M-2')
    expect((await call('DELETE', `/api/v1/products/${a?.id}`)).status).toBe(204)
    const restored = await batch([{ sku: 'M-1', name: 'Старый', price: 1, barcodes: ['701'] }])
    expect(restored[0]).toMatchObject({ id: a?.id, status: 'updated' })
    expect((await call('GET', '/api/v1/products/by-barcode/701')).body.id).toBe(a?.id)
  })

  test('limits: 1..1000 items, schema errors are 400', async () => {
    expect((await call('POST', '/api/v1/products/batch', { items: [] })).status).toBe(400)
    const many = Array.from({ length: 1001 }, (_, i) => ({ sku: `L-${i}`, name: 'x', price: 1 }))
    expect((await call('POST', '/api/v1/products/batch', { items: many })).status).toBe(400)
    expect((await call('POST', '/api/v1/products/batch', { items: [{ sku: 'x', price: 1 }] })).status).toBe(
      400,
    )
  })

  test('1000 items in one request', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      sku: `K-${i}`,
      name: `Товар ${i}`,
      price: 1000 + i,
      barcodes: [`47900${String(i).padStart(8, '0')}`],
    }))
    const results = await batch(items)
    expect(results.filter((r) => r.status === 'created').length).toBe(1000)
    expect(results.map((r) => r.sku)).toEqual(items.map((i) => i.sku))
    items[500] = { ...(items[500] as (typeof items)[number]), price: 1 }
    const second = await batch(items)
    expect(second.filter((r) => r.status === 'updated').map((r) => r.sku)).toEqual(['K-500'])
  })

  test('1000 items of 22 barcodes each: 22,000 barcodes, more than one statement could take as parameters', async () => {
    // At three parameters a row, the barcodes' INSERT alone passed PostgreSQL's 65,535.
    const items = Array.from({ length: 1000 }, (_, i) => ({
      sku: `W-${i}`,
      name: `Много кодов ${i}`,
      price: 1,
      barcodes: Array.from({ length: 22 }, (_, k) => `W${i}-${k}`),
    }))
    const first = await batch(items)
    expect(first.filter((r) => r.status === 'created').length).toBe(1000)
    // Barcodes replaced on a tenth: removals and additions in the same batch.
    const moved = await batch(
      items.map((item, i) => (i % 10 ? item : { ...item, barcodes: item.barcodes.map((b) => `${b}-n`) })),
    )
    expect(moved.filter((r) => r.status === 'updated').length).toBe(100)
    expect((await call('GET', '/api/v1/products/by-barcode/W990-21-n')).body.sku).toBe('W-990')
    expect((await call('GET', '/api/v1/products/by-barcode/W990-21')).status).toBe(404)
    expect((await call('GET', '/api/v1/products/by-barcode/W999-21')).body.sku).toBe('W-999')
  })

  test('an upper-case categoryId is the same category, and a re-import with it is unchanged', async () => {
    const category = await call('POST', '/api/v1/categories', { name: 'Регистр' })
    const item = {
      sku: 'U-1',
      name: 'Верхний',
      price: 5,
      categoryId: (category.body.id as string).toUpperCase(),
    }
    expect((await batch([item]))[0]?.status).toBe('created')
    expect((await batch([item]))[0]?.status).toBe('unchanged')
  })

  test.skipIf(!usingPostgres)(
    'two imports of the same new skus at once: one creates, the other updates, and its barcodes replace the first’s',
    async () => {
      const n = 200
      const items = (tag: string) =>
        Array.from({ length: n }, (_, i) => ({
          sku: `C-${i}`,
          name: `Гонка ${i}`,
          price: 1,
          barcodes: [`${tag}${i}`],
        }))
      const [x, y] = await Promise.all([batch(items('X')), batch(items('Y'))])
      const statuses = [x, y].map((results) => [...new Set(results.map((r) => r.status))].join())
      expect(statuses.sort()).toEqual(['created', 'updated'])
      const last = x[0]?.status === 'updated' ? 'X' : 'Y'
      for (const i of [0, 99, 199]) {
        const p = await call('GET', `/api/v1/products/${x[i]?.id}`)
        expect(p.body.barcodes).toEqual([`${last}${i}`])
      }
    },
  )
})
