import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../../testing/harness'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

describe('platform bootstrap', () => {
  test('ADMIN_TOKEN creates a tenant whose admin key works; anything else is 401', async () => {
    const res = await t.request('POST', '/api/v1/admin/tenants', { headers: admin, body: { name: 'Shop' } })
    expect(res.status).toBe(201)
    const { apiKey, tenant } = (await res.json()) as { apiKey: string; tenant: { id: string } }
    expect(apiKey).toMatch(/^pos_[0-9a-f]{64}_[\w-]{43}$/)
    expect(apiKey.replaceAll('-', '')).toContain(tenant.id.replaceAll('-', ''))
    expect((await t.request('GET', '/api/v1/settings', { key: apiKey })).status).toBe(200)
    const wrong = await t.request('POST', '/api/v1/admin/tenants', {
      headers: { authorization: 'Bearer not-the-token-0123456789' },
      body: { name: 'x' },
    })
    expect(wrong.status).toBe(401)
    // A tenant key is not the platform token.
    const tenantKey = await t.request('POST', '/api/v1/admin/tenants', { key: apiKey, body: { name: 'x' } })
    expect(tenantKey.status).toBe(401)
  })

  test('an Idempotency-Key creates one tenant, even for requests at once; a replay has no admin key', async () => {
    const idem = `tenant-${crypto.randomUUID()}`
    const create = (name: string) =>
      t.request('POST', '/api/v1/admin/tenants', {
        headers: { ...admin, 'idempotency-key': idem },
        body: { name },
      })
    const answers = await Promise.all(Array.from({ length: 5 }, () => create('Once')))
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as {
      tenant: { id: string }
      apiKey?: string
    }[]
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201])
    expect(new Set(bodies.map((b) => b.tenant.id)).size).toBe(1)
    expect(bodies.filter((b) => b.apiKey !== undefined).length).toBe(1)
    expect(answers.filter((r) => r.headers.get('idempotent-replayed') === 'true').length).toBe(4)
    const stored = await t.database.rows<{ body: string }>(
      sql`select response_body::text as body from idempotency_keys where key = ${idem}`,
    )
    expect(stored.length).toBe(1)
    expect(stored[0]?.body).not.toContain('apiKey')
    expect((await create('Another name')).status).toBe(422)
  })

  test('without ADMIN_TOKEN the bootstrap route is 403', async () => {
    const other = await startTestApp({ ADMIN_TOKEN: '' })
    try {
      const res = await other.request('POST', '/api/v1/admin/tenants', {
        headers: admin,
        body: { name: 'x' },
      })
      expect(res.status).toBe(403)
    } finally {
      await other.close()
    }
  })
})

describe('API keys', () => {
  test('shown once, listed without secrets, revoked at once', async () => {
    const { apiKey } = await t.newTenant()
    const created = await t.request('POST', '/api/v1/api-keys', {
      key: apiKey,
      body: { scopes: ['catalog:read'] },
    })
    expect(created.status).toBe(201)
    const { id, key } = (await created.json()) as { id: string; key: string }
    expect((await t.request('GET', '/api/v1/products/by-barcode/1', { key })).status).toBe(404)
    const list = await (await t.request('GET', '/api/v1/api-keys', { key: apiKey })).text()
    expect(list).toContain(id)
    expect(list).not.toContain(key.slice(-43))
    expect((await t.request('DELETE', `/api/v1/api-keys/${id}`, { key: apiKey })).status).toBe(204)
    expect((await t.request('GET', '/api/v1/products/by-barcode/1', { key })).status).toBe(401)
    expect((await t.request('DELETE', `/api/v1/api-keys/${id}`, { key: apiKey })).status).toBe(404)
  })

  test('a replay with its Idempotency-Key answers the same key without the secret, which is never stored', async () => {
    const { apiKey, tenant } = await t.newTenant()
    const idem = { 'idempotency-key': 'key-once' }
    const first = await t.request('POST', '/api/v1/api-keys', {
      key: apiKey,
      headers: idem,
      body: { name: 'till 2', scopes: ['catalog:read', 'sales:write'] },
    })
    const issued = (await first.json()) as { id: string; key: string }
    expect(first.status).toBe(201)
    // The same body with its keys in another order is the same request.
    const again = await t.request('POST', '/api/v1/api-keys', {
      key: apiKey,
      headers: idem,
      body: { scopes: ['catalog:read', 'sales:write'], name: 'till 2' },
    })
    expect(again.status).toBe(201)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    const replay = (await again.json()) as Record<string, unknown>
    expect(replay.id).toBe(issued.id)
    expect(replay).not.toHaveProperty('key')
    const stored = await t.database.rows<{ body: string }>(
      sql`select response_body::text as body from idempotency_keys where tenant_id = ${tenant.id} and key = 'key-once'`,
    )
    expect(stored[0]?.body).toContain(issued.id)
    expect(stored[0]?.body).not.toContain(issued.key.slice(-43))
  })

  test('a tampered secret is 401, a key without the scope is 403', async () => {
    const { apiKey } = await t.newTenant()
    const tampered = `${apiKey.slice(0, -1)}${apiKey.endsWith('A') ? 'B' : 'A'}`
    expect((await t.request('GET', '/api/v1/settings', { key: tampered })).status).toBe(401)
    const created = await t.request('POST', '/api/v1/api-keys', {
      key: apiKey,
      body: { scopes: ['catalog:read'], rateLimit: 1 },
    })
    const { key } = (await created.json()) as { key: string }
    const res = await t.request('GET', '/api/v1/settings', { key })
    expect(res.status).toBe(403)
    expect(((await res.json()) as { code: string }).code).toBe('FORBIDDEN')
    // A refused request counts against the key's limit too (1/s, a burst of 2), and says so.
    expect(res.headers.get('ratelimit-remaining')).toBe('1')
    expect((await t.request('GET', '/api/v1/settings', { key })).headers.get('ratelimit-remaining')).toBe('0')
    expect((await t.request('GET', '/api/v1/settings', { key })).status).toBe(429)
  })

  test('terminal binding: the key takes the terminal’s store; a mismatched store is 400', async () => {
    const { apiKey } = await t.newTenant()
    const store = (await (
      await t.request('POST', '/api/v1/stores', { key: apiKey, body: { name: 's', timezone: 'UTC' } })
    ).json()) as { id: string }
    const other = (await (
      await t.request('POST', '/api/v1/stores', { key: apiKey, body: { name: 'o', timezone: 'UTC' } })
    ).json()) as { id: string }
    const till = (await (
      await t.request('POST', '/api/v1/terminals', { key: apiKey, body: { storeId: store.id, name: 't' } })
    ).json()) as { id: string }
    const bound = await t.request('POST', '/api/v1/api-keys', {
      key: apiKey,
      body: { scopes: ['sales:write'], terminalId: till.id },
    })
    expect(((await bound.json()) as { storeId: string }).storeId).toBe(store.id)
    const mismatch = await t.request('POST', '/api/v1/api-keys', {
      key: apiKey,
      body: { scopes: ['sales:write'], terminalId: till.id, storeId: other.id },
    })
    expect(mismatch.status).toBe(400)
  })
})

describe('rate limits', () => {
  test('a burst over the key’s limit gets 429 with Retry-After, and the key recovers', async () => {
    const { apiKey } = await t.newTenant()
    const created = await t.request('POST', '/api/v1/api-keys', {
      key: apiKey,
      body: { scopes: ['catalog:read'], rateLimit: 5 },
    })
    const { key } = (await created.json()) as { key: string }
    const statuses: number[] = []
    let limited: Response | undefined
    for (let i = 0; i < 12; i++) {
      const res = await t.request('GET', '/api/v1/products/by-barcode/1', { key })
      statuses.push(res.status)
      if (res.status === 429) limited ??= res
      else expect(Number(res.headers.get('ratelimit-remaining'))).toBeGreaterThanOrEqual(0)
    }
    expect(statuses.filter((s) => s === 404).length).toBe(10)
    expect(statuses.filter((s) => s === 429).length).toBe(2)
    expect(limited?.headers.get('retry-after')).toBe('1')
    expect(limited?.headers.get('ratelimit-limit')).toBe('10')
    expect(limited?.headers.get('ratelimit-remaining')).toBe('0')
    if (!limited) throw new Error('no 429 answer')
    expect(((await limited.json()) as { code: string }).code).toBe('RATE_LIMITED')
    await Bun.sleep(1100)
    expect((await t.request('GET', '/api/v1/products/by-barcode/1', { key })).status).toBe(404)
  })
})

describe('settings', () => {
  test('validated layouts, versions and If-Match', async () => {
    const { apiKey } = await t.newTenant()
    const bad = await t.request('PATCH', '/api/v1/settings', {
      key: apiKey,
      body: {
        weightBarcodes: [{ prefix: '22', itemDigits: 5, kind: 'weight', valueDigits: 4, decimals: 3 }],
      },
    })
    expect(bad.status).toBe(400)
    const layout = { prefix: '22', itemDigits: 5, kind: 'weight', valueDigits: 5, decimals: 3 }
    const twice = await t.request('PATCH', '/api/v1/settings', {
      key: apiKey,
      body: { weightBarcodes: [layout, { ...layout, kind: 'price', decimals: 2 }] },
    })
    expect(twice.status).toBe(400)
    expect(((await twice.json()) as { errors: unknown[] }).errors).toEqual([
      { path: 'weightBarcodes/1/prefix', message: 'used by an earlier layout' },
    ])
    const fine = await t.request('PATCH', '/api/v1/settings', {
      key: apiKey,
      body: { weightBarcodes: [{ ...layout, decimals: 4 }] },
    })
    expect(fine.status).toBe(400)
    expect(((await fine.json()) as { errors: unknown[] }).errors).toEqual([
      { path: 'weightBarcodes/0/decimals', message: 'at most 3 for a weight (quantities have 3 decimals)' },
    ])
    const ok = await t.request('PATCH', '/api/v1/settings', {
      key: apiKey,
      body: { allowNegativeStock: false, version: 1 },
    })
    expect(((await ok.json()) as { version: number }).version).toBe(2)
    const stale = await t.request('PATCH', '/api/v1/settings', {
      key: apiKey,
      body: { currency: 'USD' },
      headers: { 'if-match': '1' },
    })
    expect(stale.status).toBe(409)
  })
})
