import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestApp, type TestApp, usingPostgres } from '../testing/harness'

let t: TestApp
let key: string
beforeAll(async () => {
  t = await startTestApp()
  key = (await t.newTenant()).apiKey
})
afterAll(() => t.close())

const scrape = async () => {
  await Bun.sleep(20) // after-response hooks run once the answer is out
  const res = await t.request('GET', '/metrics')
  expect(res.headers.get('content-type')).toStartWith('text/plain')
  return res.text()
}

describe('GET /metrics', () => {
  test('HTTP requests are counted by method, route template and status — never by raw URL', async () => {
    await t.request('GET', '/api/v1/products/by-barcode/4780000000999', { key })
    await t.request('GET', '/api/v1/no/such/route/12345')
    const text = await scrape()
    const has = (s: string) => text.includes(s)
    expect(
      has('http_requests_total{method="GET",route="/api/v1/products/by-barcode/:barcode",status="404"}'),
    ).toBe(true)
    expect(
      has(
        'http_request_duration_seconds_bucket{le="0.0005",method="GET",route="/api/v1/products/by-barcode/:barcode",status="404"}',
      ),
    ).toBe(true)
    expect(has('4780000000999') || has('12345')).toBe(false)
    expect(has('route="unmatched"')).toBe(true)
  })

  test('process, event loop, rate limiting and database series are exported', async () => {
    await t.request('GET', '/api/v1/products/by-barcode/4780000000998', { key })
    const text = await scrape()
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'rate_limited_requests_total',
      'receipts_created_total',
    ])
      expect({ name, exported: text.includes(name) }).toEqual({ name, exported: true })
    if (usingPostgres) {
      expect(/db_query_duration_seconds_count\{operation="select",table="api_keys"\} [1-9]/.test(text)).toBe(
        true,
      )
      // The lookup's statement goes to postgres.js without drizzle (literalRows): timed all the same.
      expect(
        /db_query_duration_seconds_count\{operation="call",table="pos_product_json"\} [1-9]/.test(text),
      ).toBe(true)
      expect(text.includes('db_pool_connections{state="size"}')).toBe(true)
    }
  })
})
