import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ADMIN_TOKEN, startTestApp, type TestApp, usingPostgres } from '../testing/harness'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp({ BODY_LIMIT: '4096' })
})
afterAll(() => t.close())

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  const body = (await res.json()) as Record<string, unknown>
  expect(body).toMatchObject({ status, code })
  expect(typeof body.title).toBe('string')
  expect(typeof body.detail).toBe('string')
  expect(typeof body.type).toBe('string')
  return body
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

describe('every error is problem+json with a stable code', () => {
  test('unknown route → 404 NOT_FOUND', async () => {
    await expectProblem(await t.request('GET', '/api/v1/nothing-here'), 404, 'NOT_FOUND')
  })

  test('malformed JSON → 400 MALFORMED_REQUEST', async () => {
    const res = await t.request('POST', '/api/v1/admin/tenants', { headers: admin, body: '{"name": "x",' })
    await expectProblem(res, 400, 'MALFORMED_REQUEST')
  })

  test('wrong content type → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await t.request('POST', '/api/v1/admin/tenants', {
      headers: { ...admin, 'content-type': 'text/plain' },
      body: 'name=x',
    })
    await expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE')
  })

  test('body over the limit → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t.request('POST', '/api/v1/admin/tenants', {
      headers: admin,
      body: { name: 'x'.repeat(5000) },
    })
    await expectProblem(res, 413, 'PAYLOAD_TOO_LARGE')
  })

  test('schema violation → 400 VALIDATION_FAILED with one entry per field', async () => {
    const res = await t.request('POST', '/api/v1/admin/tenants', {
      headers: admin,
      body: { name: '', extra: 1 },
    })
    const body = await expectProblem(res, 400, 'VALIDATION_FAILED')
    const errors = body.errors as { path: string; message: string }[]
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.some((e) => e.path.includes('name'))).toBe(true)
  })

  test('each field named once, with what is wrong with it', async () => {
    const { apiKey: key } = await t.newTenant()
    const errorsOf = async (method: string, path: string, body?: unknown) =>
      (await expectProblem(await t.request(method, path, { key, body }), 400, 'VALIDATION_FAILED')).errors
    // A missing field once, not also as "Expected string" from the integer's string alternative.
    expect(await errorsOf('POST', '/api/v1/products', { sku: 'a', name: 'x' })).toEqual([
      { path: 'body/price', message: "Property 'price' is missing" },
    ])
    expect(await errorsOf('POST', '/api/v1/products', { sku: 'a', name: 'x', price: -1 })).toEqual([
      { path: 'body/price', message: 'Expected integer to be greater or equal to 0' },
    ])
    // Elysia loses the field of a query number out of bounds (elysiajs/elysia#1822).
    expect(await errorsOf('GET', '/api/v1/products?limit=0&q=milk')).toEqual([
      { path: 'query/limit', message: 'Expected integer to be greater or equal to 1' },
    ])
    expect(await errorsOf('GET', '/api/v1/products?limit=201')).toEqual([
      { path: 'query/limit', message: 'Expected integer to be less or equal to 200' },
    ])
  })

  test('bad path parameter → 400 VALIDATION_FAILED, missing key → 401 with WWW-Authenticate', async () => {
    const { apiKey } = await t.newTenant()
    await expectProblem(
      await t.request('GET', '/api/v1/products/by-barcode/bad%20code!', { key: apiKey }),
      400,
      'VALIDATION_FAILED',
    )
    const res = await t.request('GET', '/api/v1/products/by-barcode/123')
    expect(res.headers.get('www-authenticate')).toContain('Bearer')
    await expectProblem(res, 401, 'UNAUTHORIZED')
  })

  test('the request id is echoed, or generated when absent', async () => {
    const given = await t.request('GET', '/health/live', { headers: { 'x-request-id': 'abc-123' } })
    expect(given.headers.get('x-request-id')).toBe('abc-123')
    const generated = await t.request('GET', '/health/live')
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })
})

test.skipIf(!usingPostgres)(
  'a database that cannot be reached is 503 UNAVAILABLE with Retry-After, not a 500',
  async () => {
    const down = await startTestApp()
    const { apiKey } = await down.newTenant()
    // The real driver's own error: its connections are closed, as when PgBouncer goes away.
    await down.database.close()
    try {
      const res = await down.request('GET', '/api/v1/products', { key: apiKey })
      await expectProblem(res, 503, 'UNAVAILABLE')
      expect(res.headers.get('retry-after')).toBe('1')
    } finally {
      await down.close().catch(() => {})
    }
  },
)
