import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { createInvalidationBus } from '../../infra/invalidation-bus'
import { startTestApp, type TestApp } from '../../testing/harness'
import { createLayoutCache, matchEmbedded } from './weight-barcodes'

// The barcode lookup as a register sees it: weight/price-embedded codes, the cache's effects over
// HTTP (hits, negative entries, flush), the cache modes and the benchmark delay.

let t: TestApp
let key: string
let tenantId: string
type Json = Record<string, unknown>
const get = async (app: TestApp, k: string, barcode: string) => {
  const res = await app.request('GET', `/api/v1/products/by-barcode/${barcode}`, { key: k })
  return { status: res.status, body: (await res.json()) as Json }
}
const create = async (app: TestApp, k: string, body: Json) => {
  const res = await app.request('POST', '/api/v1/products', { key: k, body })
  expect(res.status).toBe(201)
  return (await res.json()) as Json
}
const stats = async (app: TestApp, k: string) =>
  (await (await app.request('GET', '/api/v1/cache/stats', { key: k })).json()) as {
    lru: { size: number; hits: number; misses: number }
    redis: { connected: boolean; hits: number; misses: number }
    hitRate: number
  }
const layouts = [
  { prefix: '22', itemDigits: 5, kind: 'weight', valueDigits: 5, decimals: 3 },
  { prefix: '23', itemDigits: 5, kind: 'price', valueDigits: 5, decimals: 2 },
] as const

beforeAll(async () => {
  t = await startTestApp()
  const a = await t.newTenant()
  key = a.apiKey
  tenantId = a.tenant.id
  await t.database.rows(
    sql`update settings set weight_barcodes = ${JSON.stringify(layouts)}::jsonb where tenant_id = ${tenantId}`,
  )
}, 60_000)
afterAll(() => t.close())

describe('weight/price-embedded EAN-13', () => {
  test('reads weight and price exactly', () => {
    expect(matchEmbedded('2212345012508', layouts as never)).toMatchObject({
      base: '2212345',
      embedded: { weight: '1.250' },
    })
    expect(matchEmbedded('2212345000058', layouts as never)?.embedded).toEqual({ weight: '0.005' })
    expect(matchEmbedded('2212345990008', layouts as never)?.embedded).toEqual({ weight: '99.000' })
    expect(matchEmbedded('2354321012345', layouts as never)?.embedded).toEqual({ price: 123_400 })
    expect(matchEmbedded('2412345012508', layouts as never)).toBeUndefined()
    expect(matchEmbedded('221234501250', layouts as never)).toBeUndefined()
  })

  test('a weighed code resolves to the product holding prefix + item code, with embedded', async () => {
    const apples = await create(t, key, {
      sku: 'W-1',
      name: 'Яблоки, кг',
      price: 1_500_000,
      unit: 'kg',
      barcodes: ['2212345'],
    })
    const cheese = await create(t, key, {
      sku: 'W-2',
      name: 'Сыр весовой',
      price: 9_000_000,
      barcodes: ['2354321'],
    })
    const w = await get(t, key, '2212345012508')
    expect(w.status).toBe(200)
    expect(w.body).toEqual({ ...apples, embedded: { weight: '1.250' } })
    expect((await get(t, key, '2212345020009')).body.embedded).toEqual({ weight: '2.000' }) // same cached base
    expect((await get(t, key, '2354321012345')).body).toMatchObject({
      id: cheese.id,
      embedded: { price: 123_400 },
    })
    expect((await get(t, key, '2299999012508')).status).toBe(404)
    // A plain code of the same shape that no layout claims is looked up as it is.
    const plain = await create(t, key, { sku: 'W-3', name: 'Товар', price: 1, barcodes: ['2400000000017'] })
    expect((await get(t, key, '2400000000017')).body).toEqual(plain)
    expect((await get(t, key, '2212345')).body.embedded).toBeUndefined()
  })

  test('layouts are cached and dropped by a settings.changed message', async () => {
    const bus = createInvalidationBus({})
    const cache = createLayoutCache(t.db, bus)
    expect(await cache.get(tenantId)).toHaveLength(2)
    await t.database.rows(
      sql`update settings set weight_barcodes = '[]'::jsonb where tenant_id = ${tenantId}`,
    )
    expect(await cache.get(tenantId)).toHaveLength(2) // cached
    await bus.publish({ type: 'settings.changed', tenantId })
    expect(await cache.get(tenantId)).toHaveLength(0)
    await t.database.rows(
      sql`update settings set weight_barcodes = ${JSON.stringify(layouts)}::jsonb where tenant_id = ${tenantId}`,
    )
    await bus.publish({ type: 'settings.changed', tenantId })
  })
})

describe('cache over HTTP', () => {
  test('a cached answer carries JSON, the request id and the RateLimit headers', async () => {
    await create(t, key, { sku: 'H-1', name: 'Headers', price: 100, barcodes: ['4600000000021'] })
    for (const round of ['miss', 'hit']) {
      const res = await t.request('GET', '/api/v1/products/by-barcode/4600000000021', {
        key,
        headers: { 'x-request-id': `lookup-${round}` },
      })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(res.headers.get('x-request-id')).toBe(`lookup-${round}`)
      expect(Number(res.headers.get('ratelimit-limit'))).toBeGreaterThan(0)
      expect(res.headers.get('ratelimit-remaining')).not.toBeNull()
      expect(((await res.json()) as Json).sku).toBe('H-1')
    }
  })

  test('hits are counted; unknown codes are cached negatively but a create shows at once', async () => {
    const before = await stats(t, key)
    expect((await get(t, key, '5550000000001')).status).toBe(404)
    expect((await get(t, key, '5550000000001')).status).toBe(404) // negative hit
    const p = await create(t, key, { sku: 'N-1', name: 'Новинка', price: 10, barcodes: ['5550000000001'] })
    expect((await get(t, key, '5550000000001')).body).toEqual(p)
    expect((await get(t, key, '5550000000001')).body).toEqual(p)
    const after = await stats(t, key)
    expect(after.lru.hits - before.lru.hits).toBe(2)
    expect(after.hitRate).toBeGreaterThan(0)
  })

  test('DELETE /cache drops the tenant cache (next lookup misses)', async () => {
    await create(t, key, { sku: 'F-1', name: 'Флаш', price: 10, barcodes: ['5550000000002'] })
    await get(t, key, '5550000000002')
    await get(t, key, '5550000000002')
    const before = await stats(t, key)
    const res = await t.request('DELETE', '/api/v1/cache', { key })
    expect(res.status).toBe(204)
    await get(t, key, '5550000000002')
    const after = await stats(t, key)
    expect(after.lru.misses - before.lru.misses).toBe(1)
    expect(after.lru.hits).toBe(before.lru.hits)
  })

  test('CATALOG_CACHE=off reads PostgreSQL every time (a change made behind its back shows at once)', async () => {
    const off = await startTestApp({ CATALOG_CACHE: 'off' })
    try {
      const k = (await off.newTenant()).apiKey
      const p = await create(off, k, { sku: 'O-1', name: 'Без кеша', price: 10, barcodes: ['5550000000003'] })
      expect((await get(off, k, '5550000000003')).body.price).toBe(10)
      await off.database.rows(sql`update products set price = 11 where id = ${p.id as string}`)
      expect((await get(off, k, '5550000000003')).body.price).toBe(11)
      expect((await stats(off, k)).lru).toEqual({ size: 0, hits: 0, misses: 0 })
    } finally {
      await off.close()
    }
  }, 60_000)

  test('POS_TEST_LOOKUP_DELAY_MS slows every lookup, cached or not', async () => {
    const slow = await startTestApp({ POS_TEST_LOOKUP_DELAY_MS: '60' })
    try {
      const k = (await slow.newTenant()).apiKey
      await create(slow, k, { sku: 'S-1', name: 'Медленно', price: 10, barcodes: ['5550000000004'] })
      for (let i = 0; i < 2; i++) {
        const started = performance.now()
        expect((await get(slow, k, '5550000000004')).status).toBe(200)
        expect(performance.now() - started).toBeGreaterThanOrEqual(55)
      }
    } finally {
      await slow.close()
    }
  }, 60_000)
})
