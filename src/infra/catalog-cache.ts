import { LRUCache } from 'lru-cache'
import type { BusMessage, InvalidationBus } from './invalidation-bus'
import { within } from './invalidation-bus'
import type { Logger } from './logger'
import { cacheRequests } from './metrics'
import type { Redis } from './redis'

/** Prometheus children per tier and result, made once: the hot path only increments. */
const tier = (name: 'lru' | 'redis') => ({
  hit: cacheRequests({ tier: name, result: 'hit' }),
  negative_hit: cacheRequests({ tier: name, result: 'negative_hit' }),
  miss: cacheRequests({ tier: name, result: 'miss' }),
})
const tierMetrics = { lru: tier('lru'), redis: tier('redis') }

export type CacheMode = 'lru' | 'redis' | 'off'

export type CatalogCacheOptions = {
  /** lru: in-process LRU → Redis (when given) → loader; redis: Redis → loader; off: loader every time. */
  mode: CacheMode
  redis?: Redis
  bus: InvalidationBus
  maxEntries: number
  maxBytes: number
  /** Redis TTL of an entry. */
  ttlSeconds: number
  /** TTL of "no such key" in both tiers. */
  negativeTtlSeconds: number
  /**
   * Longest an entry lives in the LRU. This is the staleness bound when an invalidation message is
   * lost (pub/sub is at-most-once); normally messages arrive within milliseconds.
   */
  lruTtlMs?: number
  log?: Logger
}

/** Loads the serialized value of `key`, or undefined when there is none (cached negatively). */
export type Loader = (tenantId: string, key: string) => Promise<string | undefined>

/**
 * A cached value: the UTF-8 bytes of the serialized value, which a response sends as they are. A
 * JavaScript string would be transcoded on every send (the catalog's names are Cyrillic, so the
 * strings are UTF-16): 11.38 vs 12.09 µs of server CPU per cached lookup (8 alternating pairs).
 */
export type Bytes = Uint8Array

export type CacheStats = {
  lru: { size: number; hits: number; misses: number }
  redis: { connected: boolean; hits: number; misses: number }
  hitRate: number
}

export type CatalogCache = ReturnType<typeof createCatalogCache>

export const LRU_TTL_MS = 60_000
/** "Not found" in the LRU (by identity) and in Redis (an empty value): never a serialized product. */
const NEGATIVE: Bytes = new Uint8Array(0)
const utf8 = new TextEncoder()
const REDIS_TIMEOUT_MS = 100
/**
 * A load that took longer than this is not written to Redis: a writer deletes its keys again
 * DOUBLE_DELETE_MS after the first delete, so only a load slower than that could have read the
 * old row before the commit and write it back after both deletes.
 */
const SLOW_LOAD_MS = 500
const DOUBLE_DELETE_MS = 1000
/** Keys remembered for deletion while Redis is unreachable; past this the tenant is flushed. */
const MAX_PENDING_KEYS = 10_000

/**
 * The catalog's two-tier cache of serialized JSON (as UTF-8 bytes) per (tenant, key): an in-process LRU bounded by
 * entries and bytes, then Redis, then the loader. Keys are deleted precisely on writes (Redis DEL
 * plus a bus message to every instance's LRU); "flush tenant" bumps a per-tenant generation that is
 * part of every Redis key, so nothing ever scans the keyspace.
 */
export function createCatalogCache(opts: CatalogCacheOptions) {
  const { mode, bus, log } = opts
  const redis = mode === 'off' ? undefined : opts.redis
  const lruTtlMs = Math.min(opts.lruTtlMs ?? LRU_TTL_MS, opts.ttlSeconds * 1000)
  const negativeTtlMs = opts.negativeTtlSeconds * 1000
  const lru =
    mode === 'lru' && opts.maxEntries > 0
      ? new LRUCache<string, Bytes>({
          max: opts.maxEntries,
          maxSize: Math.max(opts.maxBytes, 1024),
          // The value's bytes, the key's UTF-16 code units and the entry's bookkeeping.
          sizeCalculation: (value, key) => value.byteLength + key.length * 2 + 64,
          ttl: lruTtlMs,
        })
      : undefined

  /**
   * Each tenant's LRU key prefix, short and unique in this process; a flush gives the tenant a new
   * one, which makes its old entries unreachable. Cheaper to build and hash on every lookup than the
   * tenant's UUID (0.22 vs 0.29 µs per probe of a 10,000-entry LRU, in process) and smaller to keep.
   */
  const prefixes = new Map<string, string>()
  let prefixCount = 0
  const newPrefix = (tenantId: string) => {
    const prefix = `${(prefixCount++).toString(36)}|`
    prefixes.set(tenantId, prefix)
    return prefix
  }
  /** Bumped on every invalidation of a tenant (and on reset): a load that spans one is not kept. */
  const changes = new Map<string, number>()
  let resets = 0
  /** The tenant's Redis generation as last read; expires like LRU entries in case a flush was missed. */
  const generations = new LRUCache<string, number>({ max: 100_000, ttl: lruTtlMs })
  const inflight = new Map<string, Promise<Bytes | undefined>>()
  const pending = new Map<string, Set<string> | 'flush'>()
  const counters = { lruHits: 0, lruMisses: 0, redisHits: 0, redisMisses: 0, lookups: 0 }

  const lruKey = (tenantId: string, key: string) => (prefixes.get(tenantId) ?? newPrefix(tenantId)) + key
  const genKey = (tenantId: string) => `pos:cat:{${tenantId}}:gen`
  const redisKey = (tenantId: string, generation: number, key: string) =>
    `pos:cat:{${tenantId}}:${generation}:${key}`
  const redisReady = () => redis !== undefined && redis.status === 'ready'
  const bump = (tenantId: string) => changes.set(tenantId, (changes.get(tenantId) ?? 0) + 1)

  bus.subscribe((message: BusMessage) => {
    switch (message.type) {
      case 'catalog.keys': {
        bump(message.tenantId)
        for (const key of message.keys) {
          const k = lruKey(message.tenantId, key)
          lru?.delete(k)
          inflight.delete(k)
        }
        break
      }
      case 'catalog.flush': {
        bump(message.tenantId)
        newPrefix(message.tenantId)
        if (message.generation === undefined) generations.delete(message.tenantId)
        else generations.set(message.tenantId, message.generation)
        break
      }
    }
  })
  bus.onReset(() => {
    resets++
    lru?.clear()
    inflight.clear()
    generations.clear()
  })
  // Deletes that failed while Redis was away are replayed as soon as it is back.
  redis?.on('ready', () => void drainPending())

  async function generation(tenantId: string, fresh = false): Promise<number | undefined> {
    if (!redisReady()) return undefined
    if (!fresh) {
      const known = generations.get(tenantId)
      if (known !== undefined) return known
    }
    try {
      const raw = await within((redis as Redis).get(genKey(tenantId)), REDIS_TIMEOUT_MS)
      const value = raw === null ? 0 : Number(raw)
      generations.set(tenantId, value)
      return value
    } catch {
      return undefined
    }
  }

  async function fill(tenantId: string, key: string, lk: string, load: Loader): Promise<Bytes | undefined> {
    const changesAtStart = changes.get(tenantId) ?? 0
    const resetsAtStart = resets
    const started = performance.now()
    let value: Bytes | undefined
    const gen = redis ? await generation(tenantId) : undefined
    const rk = gen === undefined ? undefined : redisKey(tenantId, gen, key)
    if (rk !== undefined) {
      try {
        const got = await within((redis as Redis).getBuffer(rk), REDIS_TIMEOUT_MS)
        if (got !== null) {
          counters.redisHits++
          tierMetrics.redis[got.byteLength === 0 ? 'negative_hit' : 'hit'].inc()
          // A copy: the client's buffer may be a view of a larger one it reuses.
          value = got.byteLength === 0 ? NEGATIVE : new Uint8Array(got)
        } else {
          counters.redisMisses++
          tierMetrics.redis.miss.inc()
        }
      } catch {
        counters.redisMisses++
        tierMetrics.redis.miss.inc()
      }
    }
    const unchanged = () => (changes.get(tenantId) ?? 0) === changesAtStart && resets === resetsAtStart
    if (value === undefined) {
      const loaded = await load(tenantId, key)
      value = loaded ? utf8.encode(loaded) : NEGATIVE
      if (rk !== undefined && redisReady() && unchanged() && performance.now() - started < SLOW_LOAD_MS) {
        const ttl = value === NEGATIVE ? opts.negativeTtlSeconds : opts.ttlSeconds
        const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
        ;(redis as Redis).set(rk, bytes, 'EX', ttl).catch(() => {})
      }
    }
    // A load that overlapped an invalidation may hold the old row: answer with it, but do not keep it.
    if (lru && unchanged())
      lru.set(lk, value, value === NEGATIVE ? { ttl: Math.min(negativeTtlMs, lruTtlMs) } : {})
    return value === NEGATIVE ? undefined : value
  }

  function remember(tenantId: string, keys: readonly string[] | 'flush') {
    log?.warn(
      { tenantId, keys: keys === 'flush' ? 'all' : keys.length },
      'redis unavailable: cache invalidation deferred',
    )
    const have = pending.get(tenantId)
    if (have === 'flush') return
    if (keys === 'flush') {
      pending.set(tenantId, 'flush')
      return
    }
    const set = have ?? new Set<string>()
    for (const key of keys) set.add(key)
    pending.set(tenantId, set.size > MAX_PENDING_KEYS ? 'flush' : set)
  }

  async function drainPending() {
    const work = [...pending]
    pending.clear()
    for (const [tenantId, keys] of work) {
      if (keys === 'flush') await flushTenant(tenantId)
      else await deleteRedisKeys(tenantId, [...keys])
    }
  }

  async function deleteRedisKeys(tenantId: string, keys: readonly string[]): Promise<void> {
    if (!redis) return
    if (!redisReady()) return remember(tenantId, keys)
    try {
      const gen = await generation(tenantId, true)
      if (gen === undefined) return remember(tenantId, keys)
      for (let i = 0; i < keys.length; i += 1000) {
        const chunk = keys.slice(i, i + 1000).map((key) => redisKey(tenantId, gen, key))
        await within(redis.del(...chunk), REDIS_TIMEOUT_MS * 5)
      }
    } catch {
      remember(tenantId, keys)
    }
  }

  async function flushTenant(tenantId: string): Promise<void> {
    let generation: number | undefined
    if (redisReady()) {
      try {
        generation = await within((redis as Redis).incr(genKey(tenantId)), REDIS_TIMEOUT_MS * 5)
      } catch {
        remember(tenantId, 'flush')
      }
    } else if (redis) remember(tenantId, 'flush')
    await bus.publish(
      generation === undefined
        ? { type: 'catalog.flush', tenantId }
        : { type: 'catalog.flush', tenantId, generation },
    )
  }

  return {
    mode,

    /** The cached value from this instance's LRU without any I/O: bytes, null (known absent) or undefined (unknown). */
    peek(tenantId: string, key: string): Bytes | null | undefined {
      if (!lru) return undefined
      const hit = lru.get(lruKey(tenantId, key))
      if (hit === undefined) return undefined
      counters.lookups++
      counters.lruHits++
      tierMetrics.lru[hit === NEGATIVE ? 'negative_hit' : 'hit'].inc()
      return hit === NEGATIVE ? null : hit
    },

    /** The value through every tier; concurrent misses of one key share one load. */
    get(tenantId: string, key: string, load: Loader): Promise<Bytes | undefined> {
      if (mode === 'off') return load(tenantId, key).then((json) => (json ? utf8.encode(json) : undefined))
      const hit = this.peek(tenantId, key)
      if (hit !== undefined) return Promise.resolve(hit ?? undefined)
      counters.lookups++
      if (lru) {
        counters.lruMisses++
        tierMetrics.lru.miss.inc()
      }
      const lk = lruKey(tenantId, key)
      const running = inflight.get(lk)
      if (running) return running
      const loading = fill(tenantId, key, lk, load).finally(() => {
        if (inflight.get(lk) === loading) inflight.delete(lk)
      })
      inflight.set(lk, loading)
      return loading
    },

    /**
     * Call after the transaction that changed `keys` committed: deletes them from Redis and from
     * every instance's LRU, and both again a second later (see SLOW_LOAD_MS): a load that read the
     * old row before the commit may write it to Redis after the first delete, and an instance that
     * had already dropped its copy may take that old row from Redis into its LRU.
     */
    async invalidate(tenantId: string, keys: Iterable<string>): Promise<void> {
      if (mode === 'off') return
      const list = [...new Set(keys)]
      if (list.length === 0) return
      const drop = async () => {
        bump(tenantId)
        await deleteRedisKeys(tenantId, list)
        await bus.publish({ type: 'catalog.keys', tenantId, keys: list })
      }
      await drop()
      if (redis) setTimeout(() => void drop(), DOUBLE_DELETE_MS).unref()
    },

    /** Drops everything cached for the tenant on every instance. */
    flushTenant,

    stats(): CacheStats {
      const hits = counters.lruHits + counters.redisHits
      return {
        lru: { size: lru?.size ?? 0, hits: counters.lruHits, misses: counters.lruMisses },
        redis: { connected: redisReady(), hits: counters.redisHits, misses: counters.redisMisses },
        hitRate: counters.lookups === 0 ? 0 : Math.round((hits / counters.lookups) * 10_000) / 10_000,
      }
    },
  }
}
