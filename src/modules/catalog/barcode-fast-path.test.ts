import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestApp, type TestApp } from '../../testing/harness'
import { BARCODE_ROUTE, SEARCH_ROUTE } from './barcode-fast-path'

// The lookup Bun's router serves without Elysia must answer exactly as the documented Elysia route
// does: same status, body, content type and headers, for hits, misses, problems and fallbacks.

let t: TestApp
let base: string
let admin: string
const keys: Record<string, string> = {}

const newKey = async (body: Record<string, unknown>) => {
  const res = await t.request('POST', '/api/v1/api-keys', { key: admin, body })
  expect(res.status).toBe(201)
  return (await res.json()) as { key: string; id: string }
}

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_SECOND: '1000' })
  t.app.listen({ port: 0, hostname: '127.0.0.1' })
  base = `http://127.0.0.1:${t.app.server?.port}`
  admin = (await t.newTenant()).apiKey
  const created = await t.request('POST', '/api/v1/products', {
    key: admin,
    body: { sku: 'FP-1', name: 'Кефир 1%', price: 9900, barcodes: ['4601234567890'] },
  })
  expect(created.status).toBe(201)
  keys.reader = (await newKey({ scopes: ['catalog:read'] })).key
  keys.seller = (await newKey({ scopes: ['sales:write'] })).key
  keys.slow = (await newKey({ scopes: ['catalog:read'], rateLimit: 1 })).key
}, 60_000)
afterAll(async () => {
  await t.app.stop(true)
  await t.close()
})

type Answer = { status: number; body: string; headers: Record<string, string | null> }
const compared = [
  'content-type',
  'etag',
  'ratelimit-limit',
  'ratelimit-remaining',
  'www-authenticate',
  'retry-after',
]
const read = async (res: Response): Promise<Answer> => ({
  status: res.status,
  body: await res.text(),
  headers: Object.fromEntries(compared.map((h) => [h, res.headers.get(h)])),
})
const lookup = (key: string | undefined, barcode: string, via: 'socket' | 'elysia') => {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {}
  const path = `/api/v1/products/by-barcode/${barcode}`
  return via === 'socket'
    ? fetch(`${base}${path}`, { headers }).then(read)
    : t.request('GET', path, { headers }).then(read)
}

describe('barcode lookup fast path', () => {
  test('is what Bun routes the lookup to', () => {
    const routes = t.app.config.serve?.routes as Record<string, { GET?: unknown }> | undefined
    expect(typeof routes?.[BARCODE_ROUTE]?.GET).toBe('function')
  })

  test.each([
    ['a hit', 'reader', '4601234567890'],
    ['an unknown barcode', 'reader', '4609999999999'],
    ['a malformed barcode', 'reader', 'abc!def'],
    ['a key without catalog:read', 'seller', '4601234567890'],
    ['no key', undefined, '4601234567890'],
    ['an invalid key', 'bogus', '4601234567890'],
  ] as const)(
    '%s: the same answer through the socket as through the Elysia route',
    async (_, who, barcode) => {
      const key = who === undefined ? undefined : (keys[who] ?? `pos_${'0'.repeat(64)}_bogus`)
      // The first request verifies the key (Elysia); the next ones find it cached (fast path).
      const viaElysia = await lookup(key, barcode, 'elysia')
      for (let i = 0; i < 3; i++) {
        const viaSocket = await lookup(key, barcode, 'socket')
        expect({ ...viaSocket, headers: { ...viaSocket.headers, 'ratelimit-remaining': null } }).toEqual({
          ...viaElysia,
          headers: { ...viaElysia.headers, 'ratelimit-remaining': null },
        })
      }
    },
  )

  test('a hit carries the product’s ETag (its version, as GET /products/{id} sets it), the next version after a change', async () => {
    const hit = await lookup(keys.reader, '4601234567890', 'socket')
    const product = JSON.parse(hit.body) as { id: string; version: number }
    const byId = await t.request('GET', `/api/v1/products/${product.id}`, { key: admin })
    expect(hit.headers.etag).toBe(byId.headers.get('etag'))
    const patched = await t.request('PATCH', `/api/v1/products/${product.id}`, {
      key: admin,
      body: { price: 9950 },
      headers: { 'if-match': hit.headers.etag as string },
    })
    expect(patched.status).toBe(200)
    for (const via of ['socket', 'elysia'] as const)
      expect((await lookup(keys.reader, '4601234567890', via)).headers.etag).toBe(`"${product.version + 1}"`)
    expect((await lookup(keys.reader, '4600000000000', 'socket')).headers.etag).toBeNull()
  })

  test('echoes X-Request-Id and counts in the rate limit: a 1 request/s key gets 429 with Retry-After', async () => {
    const headers = { authorization: `Bearer ${keys.slow}`, 'x-request-id': 'scan-42' }
    const answers = []
    for (let i = 0; i < 4; i++)
      answers.push(await fetch(`${base}/api/v1/products/by-barcode/4601234567890`, { headers }))
    expect(answers.map((r) => r.headers.get('x-request-id'))).toEqual([
      'scan-42',
      'scan-42',
      'scan-42',
      'scan-42',
    ])
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429, 429])
    expect(answers[3]?.headers.get('retry-after')).toBe('1')
    expect(answers[3]?.headers.get('content-type')).toBe('application/problem+json')
  })

  test('answers for keys with different limits, interleaved, each carry their own RateLimit values', async () => {
    const fast = (await newKey({ scopes: ['catalog:read'], rateLimit: 500 })).key
    await lookup(fast, '4601234567890', 'elysia')
    const seen: Record<string, { limit: string | null; remaining: number }[]> = { reader: [], fast: [] }
    for (let i = 0; i < 8; i++) {
      const who = i % 2 ? 'fast' : 'reader'
      const res = await fetch(`${base}/api/v1/products/by-barcode/4601234567890`, {
        headers: { authorization: `Bearer ${who === 'fast' ? fast : keys.reader}` },
      })
      expect(res.status).toBe(200)
      seen[who]?.push({
        limit: res.headers.get('ratelimit-limit'),
        remaining: Number(res.headers.get('ratelimit-remaining')),
      })
    }
    // A 500/s key's burst is 1000; the reader has the process default (RATE_LIMIT_BURST 400).
    expect(new Set(seen.fast?.map((s) => s.limit))).toEqual(new Set(['1000']))
    expect(new Set(seen.reader?.map((s) => s.limit))).toEqual(new Set(['400']))
    // Remaining values are each key's own: near 1000 for the fresh key, below 400 for the reader.
    for (const { remaining } of seen.fast ?? []) expect(remaining).toBeGreaterThan(900)
    for (const { remaining } of seen.reader ?? []) expect(remaining).toBeLessThan(400)
  })

  test("another tenant's key finds nothing: 404, exactly as for an unknown barcode", async () => {
    const other = (await t.newTenant()).apiKey
    const url = `${base}/api/v1/products/by-barcode/4601234567890`
    for (let i = 0; i < 3; i++) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${other}` } })
      expect(res.status).toBe(404)
      expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND')
    }
  })

  test('a revoked key is refused at once', async () => {
    const { key, id } = await newKey({ scopes: ['catalog:read'] })
    const url = `${base}/api/v1/products/by-barcode/4601234567890`
    const headers = { authorization: `Bearer ${key}` }
    expect((await fetch(url, { headers })).status).toBe(200)
    expect((await fetch(url, { headers })).status).toBe(200)
    expect((await t.request('DELETE', `/api/v1/api-keys/${id}`, { key: admin })).status).toBe(204)
    expect((await fetch(url, { headers })).status).toBe(401)
  })

  test('answers are counted under the route template', async () => {
    const metrics = await (await fetch(`${base}/metrics`)).text()
    const hits = metrics.match(
      /http_requests_total\{method="GET",route="\/api\/v1\/products\/by-barcode\/:barcode",status="200"\} (\d+)/,
    )
    expect(Number(hits?.[1])).toBeGreaterThanOrEqual(8)
  })
})

describe('search by barcode fast path', () => {
  // The same bytes to the socket (Bun's router → fast path, or the Elysia app behind it) and to the
  // Elysia route alone; string bodies are sent as they are, with the given content type.
  const search = (who: string, body: unknown, via: 'socket' | 'elysia', type = 'application/json') => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body)
    const headers = { authorization: `Bearer ${keys[who]}`, 'content-type': type }
    return via === 'socket'
      ? fetch(`${base}${SEARCH_ROUTE}`, { method: 'POST', headers, body: raw }).then(read)
      : t.request('POST', SEARCH_ROUTE, { headers, body: raw }).then(read)
  }

  test('is what Bun routes the search to', () => {
    const routes = t.app.config.serve?.routes as Record<string, { POST?: unknown }> | undefined
    expect(typeof routes?.[SEARCH_ROUTE]?.POST).toBe('function')
  })

  test.each([
    ['a hit', { barcode: '4601234567890' }, 'application/json'],
    ['a hit, JSON with a charset', { barcode: '4601234567890' }, 'application/json; charset=utf-8'],
    ['an unknown barcode', { barcode: '4609999999999' }, 'application/json'],
    ['a malformed barcode', { barcode: 'abc!def' }, 'application/json'],
    ['a barcode and another member', { barcode: '4601234567890', limit: 5 }, 'application/json'],
    ['a name search', { q: 'Кефир' }, 'application/json'],
    ['a body that is not JSON', '{"barcode":', 'application/json'],
    ['JSON that is not an object', '["4601234567890"]', 'application/json'],
    ['another content type', '{"barcode":"4601234567890"}', 'text/plain'],
  ] as const)('%s: the same answer through the socket as through the Elysia route', async (_, body, type) => {
    const viaElysia = await search('reader', body, 'elysia', type)
    for (let i = 0; i < 3; i++) {
      const viaSocket = await search('reader', body, 'socket', type)
      expect({ ...viaSocket, headers: { ...viaSocket.headers, 'ratelimit-remaining': null } }).toEqual({
        ...viaElysia,
        headers: { ...viaElysia.headers, 'ratelimit-remaining': null },
      })
    }
  })

  test("another tenant's key finds nothing: 404, exactly as for an unknown barcode", async () => {
    const other = (await t.newTenant()).apiKey
    const init = {
      method: 'POST',
      headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' },
      body: JSON.stringify({ barcode: '4601234567890' }),
    }
    await t.request('POST', SEARCH_ROUTE, { key: other, body: { barcode: '4601234567890' } })
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}${SEARCH_ROUTE}`, init)
      expect(res.status).toBe(404)
      expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND')
    }
  })

  test('a hit answers exactly as GET by-barcode, and is counted under the search route', async () => {
    const viaGet = await lookup(keys.reader as string, '4601234567890', 'socket')
    const viaSearch = await search('reader', { barcode: '4601234567890' }, 'socket')
    expect(viaSearch.status).toBe(200)
    expect(viaSearch.body).toBe(viaGet.body)
    const metrics = await (await fetch(`${base}/metrics`)).text()
    const hits = metrics.match(
      /http_requests_total\{method="POST",route="\/api\/v1\/products\/search",status="200"\} (\d+)/,
    )
    expect(Number(hits?.[1])).toBeGreaterThanOrEqual(4)
  })
})

describe('barcode lookup fast path, rate limiter off', () => {
  let u: TestApp
  let url: string
  const key: Record<'limited' | 'open', string> = { limited: '', open: '' }

  beforeAll(async () => {
    u = await startTestApp({ RATE_LIMIT_PER_SECOND: '0' })
    u.app.listen({ port: 0, hostname: '127.0.0.1' })
    url = `http://127.0.0.1:${u.app.server?.port}/api/v1/products/by-barcode/4601234567891`
    const tenantAdmin = (await u.newTenant()).apiKey
    const created = await u.request('POST', '/api/v1/products', {
      key: tenantAdmin,
      body: { sku: 'FP-2', name: 'Ряженка', price: 8900, barcodes: ['4601234567891'] },
    })
    expect(created.status).toBe(201)
    for (const [name, body] of [
      ['limited', { scopes: ['catalog:read'], rateLimit: 500 }],
      ['open', { scopes: ['catalog:read'] }],
    ] as const) {
      const res = await u.request('POST', '/api/v1/api-keys', { key: tenantAdmin, body })
      key[name] = ((await res.json()) as { key: string }).key
      await u.request('GET', '/api/v1/products/by-barcode/4601234567891', { key: key[name] })
    }
  }, 60_000)
  afterAll(async () => {
    await u.app.stop(true)
    await u.close()
  })

  test('concurrent answers each carry their own request id, and no rate limit headers', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const who = i % 2 ? 'limited' : 'open'
        return fetch(url, {
          headers: { authorization: `Bearer ${key[who]}`, 'x-request-id': `scan-${i}` },
        }).then(async (res) => ({ i, res, body: await res.json() }))
      }),
    )
    for (const { i, res, body } of answers) {
      expect(res.status).toBe(200)
      expect((body as { sku: string }).sku).toBe('FP-2')
      expect(res.headers.get('x-request-id')).toBe(`scan-${i}`)
      // The limiter is off for the whole process, per-key rates included.
      expect(res.headers.get('ratelimit-limit')).toBeNull()
      expect(res.headers.get('ratelimit-remaining')).toBeNull()
    }
  })
})
