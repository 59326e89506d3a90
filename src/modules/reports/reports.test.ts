import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestApp, type TestApp } from '../../testing/harness'
import { type SellingTenant, sellingTenant } from '../sales/sales-fixture'

let t: TestApp
let s: SellingTenant
let reader: string

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_SECOND: '0' })
  s = await sellingTenant(t)
  reader = (await s.call('POST', '/api/v1/api-keys', { scopes: ['reports:read'] }, { key: s.admin })).body.key
})
afterAll(() => t.close())

const report = (query: string, key = reader) =>
  s.call('GET', `/api/v1/reports/sales?${query}`, undefined, { key })
const product = () => s.products[0] as SellingTenant['products'][number]
const sellAt = (shiftId: string, occurredAt: string, key?: string) =>
  s.sell(
    {
      shiftId,
      occurredAt,
      items: [{ productId: product().id }],
      payments: [{ method: 'card', amount: product().price }],
    },
    key ? { key } : {},
  )

describe('sales report: business days', () => {
  test('Asia/Tashkent (UTC+5): 23:30 local on Oct 31 is Oct 31, 00:30 on Nov 1 is Nov 1', async () => {
    const shiftId = await s.openShift()
    expect((await sellAt(shiftId, '2026-10-31T18:30:00Z')).status).toBe(201)
    expect((await sellAt(shiftId, '2026-10-31T19:30:00Z')).status).toBe(201)
    const both = await report(`storeId=${s.demo.storeId}&from=2026-10-31&to=2026-11-01`)
    expect(both.status).toBe(200)
    const price = product().price
    expect(both.body.rows).toEqual([
      { day: '2026-10-31', receipts: 1, gross: price, refunds: 0, net: price, tax: expect.any(Number) },
      { day: '2026-11-01', receipts: 1, gross: price, refunds: 0, net: price, tax: expect.any(Number) },
    ])
    expect(both.body.totals).toMatchObject({ receipts: 2, gross: 2 * price, net: 2 * price })
    // A single date is that whole local day; instants bound [from, to).
    expect((await report('from=2026-10-31&to=2026-10-31')).body.totals.receipts).toBe(1)
    expect(
      (await report('from=2026-10-31T19:00:00Z&to=2026-10-31T20:00:00Z')).body.rows.map(
        (r: { day: string }) => r.day,
      ),
    ).toEqual(['2026-11-01'])
    await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 100_000 })
  })

  test('all stores: each store’s days are in its own zone (New York 23:30 on Oct 31 is Oct 31)', async () => {
    const store = await s.call(
      'POST',
      '/api/v1/stores',
      { name: 'NY', timezone: 'America/New_York' },
      { key: s.admin },
    )
    const terminal = await s.call(
      'POST',
      '/api/v1/terminals',
      { storeId: store.body.id, name: 'T1' },
      { key: s.admin },
    )
    const till = (
      await s.call(
        'POST',
        '/api/v1/api-keys',
        { scopes: ['sales:write', 'sales:read'], terminalId: terminal.body.id },
        { key: s.admin },
      )
    ).body.key
    const shift = await s.call('POST', '/api/v1/shifts', { openingCash: 0 }, { key: till })
    // 2026-11-01T03:30Z is 23:30 EDT on Oct 31 in New York, but already Nov 1 (08:30) in Tashkent.
    expect((await sellAt(shift.body.id, '2026-11-01T03:30:00Z', till)).status).toBe(201)
    const all = await report('from=2026-10-31&to=2026-11-01')
    expect(all.body.rows.map((r: { day: string; receipts: number }) => [r.day, r.receipts])).toEqual([
      ['2026-10-31', 2],
      ['2026-11-01', 1],
    ])
    const ny = await report(`storeId=${store.body.id}&from=2026-10-31&to=2026-10-31`)
    expect(ny.body.totals.receipts).toBe(1)
    const tashkent = await report(`storeId=${s.demo.storeId}&from=2026-11-01&to=2026-11-01`)
    expect(tashkent.body.totals.receipts).toBe(1)
  })

  test('store-bound keys, unknown stores, bad periods, scopes', async () => {
    const bound = (
      await s.call(
        'POST',
        '/api/v1/api-keys',
        { scopes: ['reports:read'], storeId: s.demo.storeId },
        { key: s.admin },
      )
    ).body.key
    expect((await report('from=2026-10-31&to=2026-11-01', bound)).body.totals.receipts).toBe(2)
    const stranger = await sellingTenant(t)
    expect((await report(`storeId=${stranger.demo.storeId}&from=2026-10-31&to=2026-11-01`)).status).toBe(404)
    const nyStore = (await s.call('GET', '/api/v1/stores', undefined, { key: s.admin })).body.items.find(
      (x: { name: string }) => x.name === 'NY',
    )
    expect((await report(`storeId=${nyStore.id}&from=2026-10-31&to=2026-11-01`, bound)).status).toBe(404)
    expect((await report('from=2026-11-02&to=2026-11-01')).status).toBe(400)
    expect((await report('from=2026-02-30&to=2026-03-01')).status).toBe(400)
    expect((await report('from=yesterday&to=2026-11-01')).status).toBe(400)
    expect((await report('from=2026-10-01&to=2026-11-01&groupBy=week')).status).toBe(400)
    expect((await report('to=2026-11-01')).status).toBe(400)
    expect((await report('from=2026-10-01&to=2026-11-01', s.till)).status).toBe(403)
  })
})
