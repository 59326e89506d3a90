import { describe, expect, test } from 'bun:test'
import { createCatalogCache } from './catalog-cache'
import { createInvalidationBus } from './invalidation-bus'

// The cache's own rules, with a counting loader and a local bus (the Redis tier is covered by
// src/modules/catalog/cache.int.test.ts with two instances).

const tenant = crypto.randomUUID()
const make = (over: Partial<Parameters<typeof createCatalogCache>[0]> = {}) => {
  const bus = createInvalidationBus({})
  const cache = createCatalogCache({
    mode: 'lru',
    bus,
    maxEntries: 1000,
    maxBytes: 1024 * 1024,
    ttlSeconds: 3600,
    negativeTtlSeconds: 1,
    ...over,
  })
  const loads: string[] = []
  const load = async (_t: string, key: string) => {
    loads.push(key)
    await Bun.sleep(5)
    return key.startsWith('none') ? undefined : JSON.stringify({ key, at: loads.length })
  }
  return { cache, bus, loads, load }
}

describe('catalog cache', () => {
  test('a hit is served from the LRU; concurrent misses of one key share one load', async () => {
    const { cache, loads, load } = make()
    const all = await Promise.all(Array.from({ length: 20 }, () => cache.get(tenant, 'a', load)))
    expect(new Set(all).size).toBe(1)
    expect(loads).toEqual(['a'])
    expect(cache.peek(tenant, 'a')).toBe(all[0] as Uint8Array)
    // The UTF-8 bytes of what the loader gave, as a response sends them.
    expect(new TextDecoder().decode(all[0])).toBe(JSON.stringify({ key: 'a', at: 1 }))
    expect(cache.peek(crypto.randomUUID(), 'a')).toBeUndefined() // keys are per tenant
    const s = cache.stats()
    expect(s.lru.size).toBe(1)
    expect(s.lru.misses).toBe(20)
    expect(s.lru.hits).toBe(1)
  })

  test('unknown keys are cached negatively for the negative TTL', async () => {
    const { cache, loads, load } = make()
    expect(await cache.get(tenant, 'none-1', load)).toBeUndefined()
    expect(await cache.get(tenant, 'none-1', load)).toBeUndefined()
    expect(cache.peek(tenant, 'none-1')).toBeNull()
    expect(loads).toEqual(['none-1'])
    await Bun.sleep(1100)
    await cache.get(tenant, 'none-1', load)
    expect(loads).toEqual(['none-1', 'none-1'])
  })

  test('invalidate drops the key; a load that overlapped the invalidation answers but is not kept', async () => {
    const { cache, loads, load } = make()
    await cache.get(tenant, 'b', load)
    await cache.invalidate(tenant, ['b'])
    expect(cache.peek(tenant, 'b')).toBeUndefined()
    const inFlight = cache.get(tenant, 'b', load)
    await cache.invalidate(tenant, ['b'])
    expect(await inFlight).toBeDefined()
    expect(cache.peek(tenant, 'b')).toBeUndefined()
    // A request after the invalidation does not join the stale load.
    await cache.get(tenant, 'b', load)
    expect(loads).toEqual(['b', 'b', 'b'])
    expect(cache.peek(tenant, 'b')).toBeDefined()
  })

  test("flushTenant drops that tenant's entries only", async () => {
    const { cache, load } = make()
    const other = crypto.randomUUID()
    await cache.get(tenant, 'c', load)
    await cache.get(other, 'c', load)
    await cache.flushTenant(tenant)
    expect(cache.peek(tenant, 'c')).toBeUndefined()
    expect(cache.peek(other, 'c')).toBeDefined()
    // Loaded again after the flush, the entry is kept and hit like any other.
    await cache.get(tenant, 'c', load)
    expect(cache.peek(tenant, 'c')).toBeDefined()
  })

  test('bounded by bytes and by entries; every entry has a TTL', async () => {
    const { cache, load } = make({ maxBytes: 20_000, lruTtlMs: 100 })
    for (let i = 0; i < 200; i++) await cache.get(tenant, `k${i}`.padEnd(400, 'x'), load)
    expect(cache.stats().lru.size).toBeLessThan(20)
    const small = make({ maxEntries: 10 })
    for (let i = 0; i < 50; i++) await small.cache.get(tenant, `k${i}`, small.load)
    expect(small.cache.stats().lru.size).toBe(10)
    await Bun.sleep(150)
    expect(cache.peek(tenant, `k199`.padEnd(400, 'x'))).toBeUndefined()
  })

  test('mode off calls the loader every time; mode redis keeps nothing in process', async () => {
    for (const mode of ['off', 'redis'] as const) {
      const { cache, loads, load } = make({ mode })
      await cache.get(tenant, 'd', load)
      await cache.get(tenant, 'd', load)
      expect(loads).toEqual(['d', 'd'])
      expect(cache.stats().lru.size).toBe(0)
    }
  })
})
