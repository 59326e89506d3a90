import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestApp, type TestApp } from '../../testing/harness'

let t: TestApp
let key: string
beforeAll(async () => {
  t = await startTestApp()
  key = (await t.newTenant()).apiKey
})
afterAll(() => t.close())

const send = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
  const res = await t.request(method, path, { key, body, headers })
  const text = await res.text()
  return { res, status: res.status, body: text ? JSON.parse(text) : undefined }
}

describe('stores', () => {
  test('a store without a warehouse gets one, linked both ways', async () => {
    const { status, body } = await send('POST', '/api/v1/stores', {
      name: 'Чиланзар',
      timezone: 'Asia/Tashkent',
    })
    expect(status).toBe(201)
    const wh = await send('GET', `/api/v1/warehouses/${body.warehouseId}`)
    expect(wh.body.storeId).toBe(body.id)
  })

  test('unknown warehouse → 404, unknown time zone → 400', async () => {
    const missing = crypto.randomUUID()
    expect(
      (await send('POST', '/api/v1/stores', { name: 'x', timezone: 'UTC', warehouseId: missing })).status,
    ).toBe(404)
    const bad = await send('POST', '/api/v1/stores', { name: 'x', timezone: 'Mars/Olympus' })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('VALIDATION_FAILED')
    // An offset is UTC+5 to the runtime and UTC−5 to PostgreSQL; US/Pacific-New only the runtime
    // knows (every report of the tenant would fail): both refused. Aliases both know are fine.
    for (const timezone of ['+05:00', '+0500', 'US/Pacific-New']) {
      const refused = await send('POST', '/api/v1/stores', { name: 'x', timezone })
      expect({ timezone, status: refused.status, path: refused.body.errors?.[0]?.path }).toEqual({
        timezone,
        status: 400,
        path: 'timezone',
      })
    }
    const { body: store } = await send('POST', '/api/v1/stores', { name: 'kyiv', timezone: 'Europe/Kiev' })
    expect(store.timezone).toBe('Europe/Kiev')
    const patched = await send('PATCH', `/api/v1/stores/${store.id}`, { timezone: '-03:00' })
    expect(patched.status).toBe(400)
  })

  test('ETag, If-Match and version: a stale change is 409 VERSION_MISMATCH', async () => {
    const { body: store } = await send('POST', '/api/v1/stores', { name: 'v', timezone: 'UTC' })
    const got = await send('GET', `/api/v1/stores/${store.id}`)
    expect(got.res.headers.get('etag')).toBe('"1"')
    const ok = await send('PATCH', `/api/v1/stores/${store.id}`, { name: 'v2' }, { 'if-match': '"1"' })
    expect(ok.status).toBe(200)
    expect(ok.body.version).toBe(2)
    const stale = await send('PATCH', `/api/v1/stores/${store.id}`, { name: 'v3' }, { 'if-match': '"1"' })
    expect(stale.status).toBe(409)
    expect(stale.body.code).toBe('VERSION_MISMATCH')
    const byBody = await send('PATCH', `/api/v1/stores/${store.id}`, { name: 'v3', version: 2 })
    expect(byBody.body).toMatchObject({ name: 'v3', version: 3 })
  })

  test('a store in use cannot be deleted (409); an unused one can', async () => {
    const { body: store } = await send('POST', '/api/v1/stores', { name: 'busy', timezone: 'UTC' })
    await send('POST', '/api/v1/terminals', { storeId: store.id, name: 'till' })
    expect((await send('DELETE', `/api/v1/stores/${store.id}`)).status).toBe(409)
    expect((await send('GET', `/api/v1/warehouses/${store.warehouseId}`)).body.storeId).toBe(store.id)
    // The warehouse created with a store outlives it, standalone.
    const { body: unused } = await send('POST', '/api/v1/stores', { name: 'unused', timezone: 'UTC' })
    expect((await send('DELETE', `/api/v1/stores/${unused.id}`)).status).toBe(204)
    expect((await send('GET', `/api/v1/stores/${unused.id}`)).status).toBe(404)
    expect((await send('GET', `/api/v1/warehouses/${unused.warehouseId}`)).body.storeId).toBeNull()
  })
})

describe('lists', () => {
  test('cursor pages cover everything exactly once', async () => {
    const { body: store } = await send('POST', '/api/v1/stores', { name: 'paged', timezone: 'UTC' })
    const created = new Set<string>()
    for (let i = 0; i < 5; i++)
      created.add((await send('POST', '/api/v1/terminals', { storeId: store.id, name: `t${i}` })).body.id)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = await send(
        'GET',
        `/api/v1/terminals?limit=2&storeId=${store.id}${cursor ? `&cursor=${cursor}` : ''}`,
      )
      expect(page.body.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.body.items.map((x: { id: string }) => x.id))
      cursor = page.body.nextCursor
    } while (cursor)
    expect(new Set(seen)).toEqual(created)
    expect(seen.length).toBe(5)
  })

  test('a bad cursor or limit → 400', async () => {
    expect((await send('GET', '/api/v1/terminals?cursor=zzz')).status).toBe(400)
    expect((await send('GET', '/api/v1/terminals?limit=500')).status).toBe(400)
  })
})

describe('customers', () => {
  test('phones are stored in E.164 and found from local formats', async () => {
    const { body } = await send('POST', '/api/v1/customers', { name: 'Алишер', phone: '90 123 45 67' })
    expect(body.phone).toBe('+998901234567')
    for (const q of ['8 90 123-45-67', '+998 (90) 123 45 67', '901234567']) {
      const found = await send('GET', `/api/v1/customers?phone=${encodeURIComponent(q)}`)
      expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([body.id])
    }
    expect((await send('POST', '/api/v1/customers', { name: 'x', phone: '12' })).status).toBe(400)
  })

  test('Idempotency-Key: replay returns the first answer; another body is 422', async () => {
    const headers = { 'idempotency-key': crypto.randomUUID() }
    const first = await send('POST', '/api/v1/customers', { name: 'Однажды' }, headers)
    const again = await send('POST', '/api/v1/customers', { name: 'Однажды' }, headers)
    expect(again.status).toBe(201)
    expect(again.body.id).toBe(first.body.id)
    expect(again.res.headers.get('idempotent-replayed')).toBe('true')
    const other = await send('POST', '/api/v1/customers', { name: 'Другой' }, headers)
    expect(other.status).toBe(422)
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED')
  })
})

describe('employees', () => {
  test('soft delete: gone from reads, 404 on a second delete', async () => {
    const { body } = await send('POST', '/api/v1/employees', { name: 'Дилноза', role: 'cashier' })
    expect((await send('DELETE', `/api/v1/employees/${body.id}`)).status).toBe(204)
    expect((await send('GET', `/api/v1/employees/${body.id}`)).status).toBe(404)
    expect((await send('DELETE', `/api/v1/employees/${body.id}`)).status).toBe(404)
  })
})

describe('a store-bound key', () => {
  test('sees only its own store, its terminals, warehouses and employees, and cannot be admin', async () => {
    const shared = await send('POST', '/api/v1/warehouses', { name: 'shared' })
    const mine = await send('POST', '/api/v1/stores', {
      name: 'own',
      timezone: 'UTC',
      warehouseId: shared.body.id,
    })
    const other = await send('POST', '/api/v1/stores', { name: 'other', timezone: 'UTC' })
    const terminal = (storeId: string) => send('POST', '/api/v1/terminals', { storeId, name: 'till' })
    const [myTill, theirTill] = [await terminal(mine.body.id), await terminal(other.body.id)]
    const theirCashier = await send('POST', '/api/v1/employees', { name: 'x', storeId: other.body.id })
    const myCashier = await send('POST', '/api/v1/employees', { name: 'y', storeId: mine.body.id })
    const backRoom = await send('POST', '/api/v1/warehouses', { name: 'back room', storeId: mine.body.id })
    const admin = await send('POST', '/api/v1/api-keys', { scopes: ['admin'], storeId: mine.body.id })
    expect(admin.status).toBe(400)
    const bound = await send('POST', '/api/v1/api-keys', {
      scopes: ['sales:read', 'stock:read'],
      storeId: mine.body.id,
    })
    const as = (path: string) =>
      t.request('GET', path, { key: bound.body.key }).then(async (res) => ({
        status: res.status,
        ids: ((await res.json()) as { items?: { id: string }[] }).items?.map((i) => i.id),
      }))

    expect((await as('/api/v1/stores')).ids).toEqual([mine.body.id])
    expect((await as('/api/v1/terminals')).ids).toEqual([myTill.body.id])
    expect((await as(`/api/v1/terminals?storeId=${other.body.id}`)).ids).toEqual([myTill.body.id])
    expect((await as('/api/v1/employees')).ids).toEqual([myCashier.body.id])
    // The warehouse its sales draw from (standalone) and its own back room, as the stock routes see them.
    expect(new Set((await as('/api/v1/warehouses')).ids)).toEqual(new Set([shared.body.id, backRoom.body.id]))
    expect((await as(`/api/v1/warehouses/${shared.body.id}`)).status).toBe(200)
    for (const path of [
      `/api/v1/stores/${other.body.id}`,
      `/api/v1/terminals/${theirTill.body.id}`,
      `/api/v1/warehouses/${other.body.warehouseId}`,
      `/api/v1/employees/${theirCashier.body.id}`,
    ])
      expect({ path, status: (await as(path)).status }).toEqual({ path, status: 404 })
    expect((await as(`/api/v1/terminals/${myTill.body.id}`)).status).toBe(200)

    // Once its store is gone, the key sees no store at all (not a 404 for the list).
    const gone = await send('POST', '/api/v1/stores', { name: 'gone', timezone: 'UTC' })
    const orphan = await send('POST', '/api/v1/api-keys', { scopes: ['sales:read'], storeId: gone.body.id })
    expect((await send('DELETE', `/api/v1/stores/${gone.body.id}`)).status).toBe(204)
    const none = await t.request('GET', '/api/v1/stores', { key: orphan.body.key })
    expect([none.status, ((await none.json()) as { items: unknown[] }).items]).toEqual([200, []])
  })
})
