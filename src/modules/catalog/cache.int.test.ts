import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createRedis } from '../../infra/redis'
import { startTestApp, type TestApp, usingPostgres } from '../../testing/harness'

// Two instances sharing PostgreSQL (through PgBouncer) and Redis, as in production: a write on one
// must be visible on the other within 100 ms, and Redis going away must cost speed, not answers.

const BOUND_MS = 100
let a: TestApp
let b: TestApp
let key: string
let tenantId: string
type Json = Record<string, unknown>
let n = 0
const code = () => `77${String(Date.now()).slice(-8)}${String(n++).padStart(3, '0')}`

const call = async (app: TestApp, method: string, path: string, body?: unknown) => {
  const res = await app.request(method, path, { key, body })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json }
}
const lookup = (app: TestApp, barcode: string) => call(app, 'GET', `/api/v1/products/by-barcode/${barcode}`)
const stats = async (app: TestApp) =>
  (await call(app, 'GET', '/api/v1/cache/stats')).body as {
    lru: { size: number; hits: number; misses: number }
    redis: { connected: boolean; hits: number; misses: number }
  }
const tick = () => new Promise((resolve) => setImmediate(resolve))

/** Polls `app` until `seen` holds; answers the milliseconds it took (or Infinity after `limitMs`). */
async function until(
  app: TestApp,
  barcode: string,
  seen: (r: { status: number; body: Json }) => boolean,
  limitMs = 2000,
) {
  const started = performance.now()
  while (performance.now() - started < limitMs) {
    if (seen(await lookup(app, barcode))) return performance.now() - started
    await tick() // let the subscriber connection deliver
  }
  return Number.POSITIVE_INFINITY
}

function services(command: string) {
  const dir = process.env.SERVICES_DIR
  if (!dir) throw new Error('SERVICES_DIR is not set (eval "$(deploy/local/services.sh env DIR)")')
  const r = Bun.spawnSync(['bash', 'deploy/local/services.sh', command, dir], { stderr: 'pipe' })
  if (r.exitCode !== 0) throw new Error(`services.sh ${command}: ${r.stderr.toString()}`)
}

describe.skipIf(!usingPostgres)('catalog cache across two instances', () => {
  beforeAll(async () => {
    // No rate limit: polling B until a change shows sends thousands of lookups a second with one key.
    a = await startTestApp({ RATE_LIMIT_PER_SECOND: '0' })
    b = await startTestApp({ RATE_LIMIT_PER_SECOND: '0' })
    const tenant = await a.newTenant()
    key = tenant.apiKey
    tenantId = tenant.tenant.id
  }, 60_000)
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()])
  })

  /** 110 changes on A (90 price changes; 10 deletes, each followed by a create under the same barcode): how long B took to see each. */
  async function visibilityTimes() {
    const barcode = code()
    let product = (
      await call(a, 'POST', '/api/v1/products', {
        sku: `S-${barcode}`,
        name: 'Кефир',
        price: 100,
        barcodes: [barcode],
      })
    ).body
    // A full collection now, so garbage left by earlier test files does not pause the measurement.
    Bun.gc(true)
    const times: number[] = []
    const hitsBefore = (await stats(b)).lru.hits
    for (let i = 0; i < 100; i++) {
      // B holds the current answer in its LRU, so only an invalidation can make it change.
      await lookup(b, barcode)
      expect((await lookup(b, barcode)).body.version).toBe(product.version)
      if (i % 10 === 9) {
        expect((await call(a, 'DELETE', `/api/v1/products/${product.id}`)).status).toBe(204)
        times.push(await until(b, barcode, (r) => r.status === 404))
        // And a product created a moment later under the same barcode (B just cached its 404).
        const created = await call(a, 'POST', '/api/v1/products', {
          sku: `S-${barcode}-${i}`,
          name: 'Кефир',
          price: i,
          barcodes: [barcode],
        })
        times.push(await until(b, barcode, (r) => r.body.id === created.body.id))
        product = created.body
      } else {
        const price = 1000 + i
        const r = await call(a, 'PATCH', `/api/v1/products/${product.id}`, {
          price,
          version: product.version,
        })
        expect(r.status).toBe(200)
        product = r.body
        times.push(await until(b, barcode, (x) => x.body.price === price))
      }
    }
    expect((await stats(b)).lru.hits - hitsBefore).toBeGreaterThanOrEqual(100)
    const sorted = times.toSorted((x, y) => x - y)
    const worst = sorted.at(-1) as number
    console.log(
      `cross-instance visibility over ${times.length} changes: p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)} ms, ` +
        `p99 ${sorted[Math.floor(sorted.length * 0.99)]?.toFixed(2)} ms, worst ${worst.toFixed(2)} ms`,
    )
    return worst
  }

  // Wall-clock bounds on a shared machine: a series spoiled by a stall of the machine (its worst
  // case over the bound) is measured once more, and the bound must hold over a whole series. An
  // invalidation that does not arrive (B serving its LRU copy until the TTL) fails both.
  test(`a price change or delete on A is seen by B within ${BOUND_MS} ms (worst of 110)`, async () => {
    let worst = await visibilityTimes()
    if (worst >= BOUND_MS) worst = await visibilityTimes()
    expect(worst).toBeLessThan(BOUND_MS)
  }, 60_000)

  test('an unknown barcode cached as 404 on B does not hide a product created on A', async () => {
    const negativeThenCreated = async () => {
      const barcode = code()
      expect((await lookup(b, barcode)).status).toBe(404)
      expect((await lookup(b, barcode)).status).toBe(404) // negative entry in B's LRU and in Redis
      const created = await call(a, 'POST', '/api/v1/products', {
        sku: `N-${barcode}`,
        name: 'Новинка',
        price: 5,
        barcodes: [barcode],
      })
      return until(b, barcode, (r) => r.body.id === created.body.id)
    }
    let ms = await negativeThenCreated()
    if (ms >= BOUND_MS) ms = await negativeThenCreated()
    expect(ms).toBeLessThan(BOUND_MS)
  })

  test('an old row a slow load wrote back to Redis after the change leaves every LRU within about a second', async () => {
    const barcode = code()
    const created = await call(a, 'POST', '/api/v1/products', {
      sku: `L-${barcode}`,
      name: 'Ряженка',
      price: 300,
      barcodes: [barcode],
    })
    // Past the creation's second delete (and any earlier write's), then B caches version 1: in its
    // LRU, and in Redis once its load has written it.
    await Bun.sleep(1200)
    await lookup(b, barcode)
    const redis = createRedis(process.env.REDIS_URL as string)
    await new Promise((ready) => redis.once('ready', ready))
    try {
      const entry = `pos:cat:{${tenantId}}:${(await redis.get(`pos:cat:{${tenantId}}:gen`)) ?? 0}:${barcode}`
      let old: Buffer | null = null
      for (let i = 0; i < 50 && old === null; i++)
        old = await redis.getBuffer(entry).finally(() => Bun.sleep(10))
      expect(old).not.toBeNull()
      const patched = await call(a, 'PATCH', `/api/v1/products/${created.body.id}`, {
        price: 333,
        version: created.body.version,
      })
      expect(patched.status).toBe(200)
      // What a load that read the row before the commit would do: write the old row after the delete.
      await redis.set(entry, old as Buffer)
      await until(b, barcode, (r) => r.body.price === 300 || r.body.price === 333, 200)
      const ms = await until(b, barcode, (r) => r.body.price === 333, 5000)
      expect(ms).toBeLessThan(2500)
    } finally {
      redis.disconnect()
    }
  })

  test('Redis stops: lookups keep answering; it returns and the Redis tier is used again', async () => {
    const cached = code()
    const fresh = code()
    const p = (
      await call(a, 'POST', '/api/v1/products', {
        sku: `R-${cached}`,
        name: 'Хлеб',
        price: 10,
        barcodes: [cached],
      })
    ).body
    await call(a, 'POST', '/api/v1/products', {
      sku: `R-${fresh}`,
      name: 'Соль',
      price: 20,
      barcodes: [fresh],
    })
    await lookup(b, cached)
    services('stop-redis')
    try {
      for (let i = 0; i < 50; i++) {
        expect((await lookup(a, cached)).status).toBe(200)
        expect((await lookup(b, cached)).status).toBe(200) // from B's LRU
        expect((await lookup(b, fresh)).status).toBe(200) // never cached: straight from PostgreSQL
        expect((await lookup(b, code())).status).toBe(404)
      }
      // Writes keep working; B cannot be told, and the LRU TTL bounds what it shows meanwhile.
      const r = await call(a, 'PATCH', `/api/v1/products/${p.id}`, { price: 11 })
      expect(r.status).toBe(200)
      expect((await lookup(a, cached)).body.price).toBe(11)
      expect((await stats(b)).redis.connected).toBe(false)
    } finally {
      services('start-redis')
    }
    const back = performance.now()
    while (!(await stats(a)).redis.connected || !(await stats(b)).redis.connected) {
      if (performance.now() - back > 15_000) throw new Error('Redis did not come back')
      await Bun.sleep(50)
    }
    // B's subscriber came back and cleared its LRU: the change made during the outage shows.
    expect(await until(b, cached, (x) => x.body.price === 11, 5000)).toBeLessThan(5000)
    const later = code()
    await call(a, 'POST', '/api/v1/products', {
      sku: `R-${later}`,
      name: 'Сахар',
      price: 30,
      barcodes: [later],
    })
    expect((await lookup(a, later)).status).toBe(200) // A: miss → PostgreSQL → Redis
    await Bun.sleep(50)
    const before = (await stats(b)).redis.hits
    expect((await lookup(b, later)).body.price).toBe(30) // B: LRU miss → Redis hit
    expect((await stats(b)).redis.hits).toBe(before + 1)
  }, 60_000)
})
