import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { rows } from '../../infra/db'
import { startTestApp, type TestApp } from '../../testing/harness'
import { type SellingTenant, sellingTenant } from '../sales/sales-fixture'

let t: TestApp
let s: SellingTenant
let key: string
let other: string
let shiftId: string

const p = (i: number) => s.products[i] as SellingTenant['products'][number]
const move = (body: unknown, idem?: string) =>
  s.call('POST', '/api/v1/stock/movements', body, { key, ...(idem ? { idem } : {}) })
const get = (path: string) => s.call('GET', path, undefined, { key })
const level = async (warehouseId: string, productId: string) =>
  (await get(`/api/v1/stock?warehouseId=${warehouseId}&productId=${productId}`)).body.items[0]?.quantity as
    | string
    | undefined

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_SECOND: '0' })
  s = await sellingTenant(t)
  // Start from an empty ledger: no levels and no movements (the demo seed writes opening balances).
  await t.database.rows(sql`delete from stock where tenant_id = ${s.tenantId}`)
  await t.database.rows(sql`delete from stock_movements where tenant_id = ${s.tenantId}`)
  const res = await s.call(
    'POST',
    '/api/v1/api-keys',
    { scopes: ['stock:read', 'stock:write', 'sales:write', 'sales:read'] },
    { key: s.admin },
  )
  key = res.body.key
  const w = await s.call('POST', '/api/v1/warehouses', { name: 'Back store' }, { key: s.admin })
  other = w.body.id
  shiftId = await s.openShift()
})
afterAll(() => t.close())

describe('stock movements', () => {
  test('receive, writeoff, adjust: levels, movements and the level endpoint agree', async () => {
    const wh = s.demo.warehouseId
    const r = await move({
      type: 'receive',
      warehouseId: wh,
      lines: [{ productId: p(0).id, quantity: '10.5' }],
      reference: 'INV-1',
    })
    expect(r.status).toBe(201)
    expect(r.body.movements[0]).toMatchObject({
      type: 'receive',
      quantity: '10.500',
      reference: 'INV-1',
      receiptId: null,
    })
    expect(r.body.levels).toEqual([{ warehouseId: wh, productId: p(0).id, quantity: '10.500' }])
    expect(
      (await move({ type: 'writeoff', warehouseId: wh, lines: [{ productId: p(0).id, quantity: 2 }] })).body
        .levels[0].quantity,
    ).toBe('8.500')
    expect(
      (await move({ type: 'adjust', warehouseId: wh, lines: [{ productId: p(0).id, quantity: '-0.5' }] }))
        .body.levels[0].quantity,
    ).toBe('8.000')
    expect(await level(wh, p(0).id)).toBe('8.000')
    const at = await get(`/api/v1/stock/level?warehouseId=${wh}&productId=${p(0).id}`)
    expect(at.body.quantity).toBe('8.000')
  })

  test('validation: signs per type, transfer needs a second warehouse, no future dates', async () => {
    const wh = s.demo.warehouseId
    const line = (quantity: unknown) => [{ productId: p(0).id, quantity }]
    for (const body of [
      { type: 'receive', warehouseId: wh, lines: line('-1') },
      { type: 'writeoff', warehouseId: wh, lines: line(0) },
      { type: 'adjust', warehouseId: wh, lines: line('0') },
      { type: 'count', warehouseId: wh, lines: line('-1') },
      { type: 'transfer', warehouseId: wh, lines: line(1) },
      { type: 'transfer', warehouseId: wh, toWarehouseId: wh, lines: line(1) },
      { type: 'receive', warehouseId: wh, toWarehouseId: other, lines: line(1) },
      { type: 'receive', warehouseId: wh, lines: line('1.2345') },
      {
        type: 'receive',
        warehouseId: wh,
        lines: line(1),
        occurredAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      { type: 'move', warehouseId: wh, lines: line(1) },
    ]) {
      const res = await move(body)
      expect([res.status, res.body.code, JSON.stringify(body)]).toEqual([
        400,
        'VALIDATION_FAILED',
        JSON.stringify(body),
      ])
    }
  })

  test('another tenant’s warehouse or product, or an unknown one, is 404', async () => {
    const stranger = await sellingTenant(t)
    const wh = s.demo.warehouseId
    const foreignProduct = stranger.products[0]?.id as string
    for (const body of [
      {
        type: 'receive',
        warehouseId: stranger.demo.warehouseId,
        lines: [{ productId: p(0).id, quantity: 1 }],
      },
      { type: 'receive', warehouseId: wh, lines: [{ productId: foreignProduct, quantity: 1 }] },
      {
        type: 'transfer',
        warehouseId: wh,
        toWarehouseId: stranger.demo.warehouseId,
        lines: [{ productId: p(0).id, quantity: 1 }],
      },
    ])
      expect((await move(body)).status).toBe(404)
    expect((await get(`/api/v1/stock?warehouseId=${stranger.demo.warehouseId}`)).status).toBe(404)
    expect((await get(`/api/v1/stock/movements?productId=${foreignProduct}`)).status).toBe(404)
  })

  test('a transfer that fails half-way changes nothing: unknown product on line 2 → 404', async () => {
    const wh = s.demo.warehouseId
    await move({ type: 'receive', warehouseId: wh, lines: [{ productId: p(1).id, quantity: 5 }] })
    const res = await move({
      type: 'transfer',
      warehouseId: wh,
      toWarehouseId: other,
      lines: [
        { productId: p(1).id, quantity: 2 },
        { productId: crypto.randomUUID(), quantity: 1 },
      ],
    })
    expect(res.status).toBe(404)
    expect(await level(wh, p(1).id)).toBe('5.000')
    expect(await level(other, p(1).id)).toBeUndefined()
  })

  test('negative stock refused: a transfer short on one line is 409 and neither warehouse changes', async () => {
    const wh = s.demo.warehouseId
    await s.call('PATCH', '/api/v1/settings', { allowNegativeStock: false }, { key: s.admin })
    try {
      await move({ type: 'receive', warehouseId: wh, lines: [{ productId: p(2).id, quantity: 3 }] })
      const before = (await get(`/api/v1/stock/movements?warehouseId=${other}`)).body.items.length
      const res = await move({
        type: 'transfer',
        warehouseId: wh,
        toWarehouseId: other,
        lines: [
          { productId: p(1).id, quantity: 2 },
          { productId: p(2).id, quantity: 4 },
        ],
      })
      expect([res.status, res.body.code]).toEqual([409, 'INSUFFICIENT_STOCK'])
      expect([await level(wh, p(1).id), await level(wh, p(2).id)]).toEqual(['5.000', '3.000'])
      expect(await level(other, p(1).id)).toBeUndefined()
      expect((await get(`/api/v1/stock/movements?warehouseId=${other}`)).body.items.length).toBe(before)
      // writeoff and negative adjust are refused too; a count is not (it records what is there).
      expect(
        (await move({ type: 'writeoff', warehouseId: wh, lines: [{ productId: p(2).id, quantity: 4 }] }))
          .status,
      ).toBe(409)
      expect(
        (await move({ type: 'adjust', warehouseId: wh, lines: [{ productId: p(2).id, quantity: -4 }] }))
          .status,
      ).toBe(409)
      const ok = await move({
        type: 'transfer',
        warehouseId: wh,
        toWarehouseId: other,
        lines: [{ productId: p(2).id, quantity: 3 }],
      })
      expect(ok.status).toBe(201)
      expect(ok.body.movements.map((m: { type: string; quantity: string }) => [m.type, m.quantity])).toEqual([
        ['transfer_out', '-3.000'],
        ['transfer_in', '3.000'],
      ])
      expect([await level(wh, p(2).id), await level(other, p(2).id)]).toEqual(['0.000', '3.000'])
    } finally {
      await s.call('PATCH', '/api/v1/settings', { allowNegativeStock: true }, { key: s.admin })
    }
  })

  test('Idempotency-Key: a retry replays the first answer and moves nothing twice', async () => {
    const wh = s.demo.warehouseId
    const body = { type: 'receive', warehouseId: wh, lines: [{ productId: p(3).id, quantity: 7 }] }
    const idem = crypto.randomUUID()
    const a = await move(body, idem)
    const b = await move(body, idem)
    expect(b.status).toBe(201)
    expect(b.res.headers.get('idempotent-replayed')).toBe('true')
    expect(b.body).toEqual(a.body)
    expect(await level(wh, p(3).id)).toBe('7.000')
    expect((await move({ ...body, lines: [{ productId: p(3).id, quantity: 8 }] }, idem)).status).toBe(422)
  })

  test('a count records what was counted at occurredAt; sales dated after it still apply on top', async () => {
    const wh = s.demo.warehouseId
    const product = p(4)
    const hour = 3_600_000
    const now = Date.now()
    const iso = (ms: number) => new Date(ms).toISOString()
    await move({
      type: 'receive',
      warehouseId: wh,
      lines: [{ productId: product.id, quantity: 10 }],
      occurredAt: iso(now - 3 * hour),
    })
    const sale = (occurredAt: string, quantity: number) =>
      s.sell({
        shiftId,
        occurredAt,
        items: [{ productId: product.id, quantity }],
        payments: [{ method: 'card', amount: product.price * quantity }],
      })
    expect((await sale(iso(now - 2 * hour), 2)).status).toBe(201) // before the count: the counter saw 8
    expect((await sale(iso(now - 10 * 60_000), 1)).status).toBe(201) // after the count moment, rung up before the count was entered
    const countedAt = iso(now - hour)
    const res = await move({
      type: 'count',
      warehouseId: wh,
      lines: [{ productId: product.id, quantity: 7 }],
      occurredAt: countedAt,
    })
    expect(res.status).toBe(201)
    // At countedAt the books said 8, the shelf 7: a −1 count; the later sale still leaves 7 − 1 = 6.
    expect(res.body.movements[0]).toMatchObject({ type: 'count', quantity: '-1.000', occurredAt: countedAt })
    expect(res.body.levels[0].quantity).toBe('6.000')
    const at = await get(`/api/v1/stock/level?warehouseId=${wh}&productId=${product.id}&at=${countedAt}`)
    expect(at.body.quantity).toBe('7.000')
    // A second count of the same moment with the same figure changes nothing (a 0 movement).
    const again = await move({
      type: 'count',
      warehouseId: wh,
      lines: [{ productId: product.id, quantity: 7 }],
      occurredAt: countedAt,
    })
    expect([again.body.movements[0].quantity, again.body.levels[0].quantity]).toEqual(['0.000', '6.000'])

    // An offline sale from before the count, uploaded only now: the counter already saw it gone, so
    // the count absorbs it (books at countedAt 7, counted 7: a 0 movement) and the level stays 6.
    const late = await s.call('POST', '/api/v1/receipts/offline-batch', {
      receipts: [
        {
          id: crypto.randomUUID(),
          occurredAt: iso(now - 90 * 60_000),
          shiftId,
          items: [{ productId: product.id, quantity: 1 }],
          payments: [{ method: 'card', amount: product.price }],
        },
      ],
    })
    expect(late.body.results[0].status).toBe('created')
    const level = await get(`/api/v1/stock?warehouseId=${wh}&productId=${product.id}`)
    expect(level.body.items[0].quantity).toBe('6.000')
    const [ledger] = await rows<{ counts: string; total: string }>(
      t.db,
      sql`select sum(quantity) filter (where type = 'count')::text as counts, sum(quantity)::text as total
        from stock_movements where tenant_id = ${s.tenantId} and warehouse_id = ${wh} and product_id = ${product.id}`,
    )
    expect(ledger).toEqual({ counts: '0.000', total: '6.000' })
    const stillCounted = await get(
      `/api/v1/stock/level?warehouseId=${wh}&productId=${product.id}&at=${countedAt}`,
    )
    expect(stillCounted.body.quantity).toBe('7.000')
  })

  test('a count absorbs what it already saw: movements at its instant, earlier counts entered late; none is dated ahead', async () => {
    const wh = s.demo.warehouseId
    const product = p(5)
    const now = Date.now()
    const iso = (ms: number) => new Date(ms).toISOString()
    const line = (quantity: number) => [{ productId: product.id, quantity }]
    const levelNow = async () =>
      (await get(`/api/v1/stock?warehouseId=${wh}&productId=${product.id}`)).body.items[0].quantity
    const t1 = iso(now - 60 * 60_000)
    await move({ type: 'receive', warehouseId: wh, lines: line(30), occurredAt: iso(now - 2 * 60 * 60_000) })
    expect((await move({ type: 'count', warehouseId: wh, lines: line(20), occurredAt: t1 })).status).toBe(201)
    // A write-off at the count's very instant, entered after it: the counter already saw it gone.
    await move({ type: 'writeoff', warehouseId: wh, lines: line(1), occurredAt: t1 })
    expect(await levelNow()).toBe('20.000')
    // A count from before t1 entered late: the count at t1 still decides the level.
    await move({ type: 'count', warehouseId: wh, lines: line(3), occurredAt: iso(now - 90 * 60_000) })
    expect(await levelNow()).toBe('20.000')
    const atT1 = await get(`/api/v1/stock/level?warehouseId=${wh}&productId=${product.id}&at=${t1}`)
    expect(atT1.body.quantity).toBe('20.000')
    // A count dated ahead of the server clock (within the skew) is taken as now.
    const ahead = await move({
      type: 'count',
      warehouseId: wh,
      lines: line(12),
      occurredAt: iso(now + 3 * 60_000),
    })
    expect(Date.parse(ahead.body.movements[0].occurredAt)).toBeLessThanOrEqual(Date.now())
    const [sum] = await rows<{ total: string }>(
      t.db,
      sql`select sum(quantity)::text as total from stock_movements
        where tenant_id = ${s.tenantId} and warehouse_id = ${wh} and product_id = ${product.id}`,
    )
    expect([sum?.total, await levelNow()]).toEqual(['12.000', '12.000'])
  })

  test('with negative stock refused, what a count already absorbed is not refused', async () => {
    const wh = s.demo.warehouseId
    const product = p(6)
    const now = Date.now()
    const iso = (ms: number) => new Date(ms).toISOString()
    await s.call('PATCH', '/api/v1/settings', { allowNegativeStock: false }, { key: s.admin })
    try {
      await move({
        type: 'count',
        warehouseId: wh,
        lines: [{ productId: product.id, quantity: 0 }],
        occurredAt: iso(now - 5_000),
      })
      // Sold offline 30 s before the shelf was counted empty, uploaded now: the count already saw it.
      const late = await s.call('POST', '/api/v1/receipts/offline-batch', {
        receipts: [
          {
            id: crypto.randomUUID(),
            occurredAt: iso(now - 30_000),
            shiftId,
            items: [{ productId: product.id, quantity: 1 }],
            payments: [{ method: 'card', amount: product.price }],
          },
        ],
      })
      expect(late.body.results[0].status).toBe('created')
      const writeoff = await move({
        type: 'writeoff',
        warehouseId: wh,
        lines: [{ productId: product.id, quantity: 1 }],
        occurredAt: iso(now - 20_000),
      })
      expect(writeoff.status).toBe(201)
      expect(writeoff.body.levels[0].quantity).toBe('0.000')
      // A sale now still finds the shelf empty.
      const now2 = await s.sell({
        shiftId,
        items: [{ productId: product.id }],
        payments: [{ method: 'card', amount: product.price }],
      })
      expect(now2.body.code).toBe('INSUFFICIENT_STOCK')
    } finally {
      await s.call('PATCH', '/api/v1/settings', { allowNegativeStock: true }, { key: s.admin })
    }
  })

  test('the ledger lists newest first in cursor pages, filtered by product and time', async () => {
    const wh = s.demo.warehouseId
    const all: { id: string; occurredAt: string; quantity: string }[] = []
    let cursor: string | null = null
    do {
      const page: { body: { items: typeof all; nextCursor: string | null } } = await get(
        `/api/v1/stock/movements?warehouseId=${wh}&productId=${p(4).id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      all.push(...page.body.items)
      cursor = page.body.nextCursor
    } while (cursor)
    // receive, two sales, two counts, the late offline sale
    expect(all.length).toBe(6)
    expect(new Set(all.map((m) => m.id)).size).toBe(6)
    const times = all.map((m) => m.occurredAt)
    expect([...times].sort().reverse()).toEqual(times)
    const sum = all.reduce((acc, m) => acc + Math.round(Number(m.quantity) * 1000), 0)
    expect((sum / 1000).toFixed(3)).toBe((await level(wh, p(4).id)) as string)
    const recent = await get(
      `/api/v1/stock/movements?productId=${p(4).id}&from=${new Date(Date.now() - 30 * 60_000).toISOString()}`,
    )
    expect(recent.body.items.map((m: { type: string }) => m.type)).toContain('sale')
    expect(
      recent.body.items.every(
        (m: { occurredAt: string }) => Date.parse(m.occurredAt) >= Date.now() - 30 * 60_000,
      ),
    ).toBe(true)
    expect((await get('/api/v1/stock/movements?cursor=bogus')).status).toBe(400)
  })

  test('scopes: stock:read cannot write; a store-bound key sees only its store’s warehouses', async () => {
    const reader = (await s.call('POST', '/api/v1/api-keys', { scopes: ['stock:read'] }, { key: s.admin }))
      .body.key
    const denied = await s.call(
      'POST',
      '/api/v1/stock/movements',
      { type: 'receive', warehouseId: s.demo.warehouseId, lines: [{ productId: p(0).id, quantity: 1 }] },
      { key: reader },
    )
    expect(denied.status).toBe(403)
    const bound = (
      await s.call(
        'POST',
        '/api/v1/api-keys',
        { scopes: ['stock:read'], storeId: s.demo.storeId },
        { key: s.admin },
      )
    ).body.key
    expect(
      (await s.call('GET', `/api/v1/stock?warehouseId=${other}`, undefined, { key: bound })).status,
    ).toBe(404)
    const own = await s.call('GET', '/api/v1/stock?limit=200', undefined, { key: bound })
    expect(own.status).toBe(200)
    expect(own.body.items.every((l: { warehouseId: string }) => l.warehouseId === s.demo.warehouseId)).toBe(
      true,
    )
  })
})

describe('stock ledger', () => {
  test('after sales, refunds with restock, receives, transfers, adjusts and counts, Σ movements = level everywhere', async () => {
    const wh = s.demo.warehouseId
    const ids = [p(1).id, p(2).id, p(3).id]
    await move({
      type: 'receive',
      warehouseId: wh,
      lines: ids.map((productId) => ({ productId, quantity: 20 })),
    })
    for (let i = 0; i < 6; i++) {
      const product = p(1 + (i % 3))
      const sold = await s.sell({
        shiftId,
        items: [
          { productId: product.id, quantity: 2 },
          { productId: p(1).id, quantity: '0.5' },
        ],
        payments: [{ method: 'cash', amount: product.price * 2 + Math.round(p(1).price * 0.5) + 1000 }],
      })
      expect(sold.status).toBe(201)
      if (i % 2 === 0) {
        const line = sold.body.items[0]
        const refund = await s.call(
          'POST',
          `/api/v1/receipts/${sold.body.id}/refunds`,
          { items: [{ receiptItemId: line.id, quantity: 1 }], restock: true },
          { idem: crypto.randomUUID() },
        )
        expect(refund.status).toBe(201)
      }
    }
    await move({
      type: 'transfer',
      warehouseId: wh,
      toWarehouseId: other,
      lines: [
        { productId: ids[0] as string, quantity: '1.25' },
        { productId: ids[1] as string, quantity: 3 },
      ],
    })
    await move({ type: 'adjust', warehouseId: other, lines: [{ productId: ids[1] as string, quantity: -1 }] })
    await move({
      type: 'count',
      warehouseId: wh,
      lines: [{ productId: ids[2] as string, quantity: 4 }],
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
    })
    await move({ type: 'count', warehouseId: other, lines: [{ productId: ids[0] as string, quantity: 1 }] })
    await move({ type: 'writeoff', warehouseId: wh, lines: [{ productId: ids[0] as string, quantity: 1 }] })

    const mismatched = await rows<{ warehouseId: string; productId: string; level: string; ledger: string }>(
      t.db,
      sql`select coalesce(s.warehouse_id, m.warehouse_id) as "warehouseId", coalesce(s.product_id, m.product_id) as "productId",
          s.quantity::text as level, m.q::text as ledger
        from (select * from stock where tenant_id = ${s.tenantId}) s
        full join (select warehouse_id, product_id, sum(quantity) as q from stock_movements
          where tenant_id = ${s.tenantId} group by 1, 2) m
          on m.warehouse_id = s.warehouse_id and m.product_id = s.product_id
        where s.quantity is distinct from m.q`,
    )
    expect(mismatched).toEqual([])
    for (const productId of ids)
      for (const warehouseId of [wh, other]) {
        const at = await get(`/api/v1/stock/level?warehouseId=${warehouseId}&productId=${productId}`)
        expect(at.body.quantity).toBe((await level(warehouseId, productId)) ?? '0.000')
      }
  })
})
