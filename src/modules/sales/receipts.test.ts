import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { rows } from '../../infra/db'
import { requestHash } from '../../infra/idempotency'
import { startTestApp, type TestApp } from '../../testing/harness'
import { type SellingTenant, sellingTenant } from './sales-fixture'

let t: TestApp
let s: SellingTenant
let shiftId: string

beforeAll(async () => {
  t = await startTestApp()
  s = await sellingTenant(t)
  shiftId = await s.openShift()
})
afterAll(() => t.close())

const p = (i: number) => s.products[i] as SellingTenant['products'][number]
/** An EAN-13 with its check digit, for weight and price labels. */
const ean13 = (first12: string) => {
  const sum = [...first12].reduce((acc, d, i) => acc + Number(d) * (i % 2 ? 3 : 1), 0)
  return `${first12}${(10 - (sum % 10)) % 10}`
}

describe('receipts', () => {
  test('five lines by barcode and id, cash with change: priced by the server, stock and movements written', async () => {
    const before = await s.stockOf(p(1).id)
    const items = [
      { barcode: p(0).barcode, quantity: 2 },
      { productId: p(1).id, quantity: '1.5' },
      { barcode: p(2).barcode },
      { productId: p(3).id, discount: 100 },
      { barcode: p(4).barcode, quantity: 3 },
    ]
    const gross = [p(0).price * 2, Math.round(p(1).price * 1.5), p(2).price, p(3).price, p(4).price * 3]
    const total = gross.reduce((a, b) => a + b, 0) - 100
    const res = await s.sell({ shiftId, items, payments: [{ method: 'cash', amount: total + 5_000 }], total })
    expect(res.status).toBe(201)
    const r = res.body
    expect(r).toMatchObject({
      status: 'completed',
      total,
      subtotal: total + 100,
      discount: 100,
      change: 5_000,
      paid: total + 5_000,
    })
    expect(r.items.map((i: { total: number }) => i.total)).toEqual(
      gross.map((g, i) => (i === 3 ? g - 100 : g)),
    )
    expect(r.number).toBeGreaterThanOrEqual(1)
    expect(Number(await s.stockOf(p(1).id))).toBeCloseTo(Number(before) - 1.5, 3)
    const [mv] = await rows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from stock_movements where tenant_id = ${s.tenantId} and receipt_id = ${r.id} and type = 'sale'`,
    )
    expect(mv?.n).toBe(5)
    const got = await s.call('GET', `/api/v1/receipts/${r.id}`)
    expect(got.body.items).toHaveLength(5)
    expect(got.body.payments).toEqual(r.payments)
    expect(got.body.total).toBe(total)
    expect(got.body.number).toBe(r.number)
  })

  test('Idempotency-Key is required; a retry replays, another body is 422', async () => {
    const body = {
      shiftId,
      items: [{ barcode: p(0).barcode }],
      payments: [{ method: 'card', amount: p(0).price }],
    }
    expect((await s.call('POST', '/api/v1/receipts', body)).status).toBe(400)
    const idem = crypto.randomUUID()
    const first = await s.sell(body, { idem })
    const again = await s.sell(body, { idem })
    expect(again.status).toBe(201)
    expect(again.res.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body).toEqual(first.body)
    const other = await s.sell({ ...body, items: [{ barcode: p(1).barcode }] }, { idem })
    expect(other.status).toBe(422)
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED')
  })

  test('numbers are sequential per terminal', async () => {
    const body = {
      shiftId,
      items: [{ barcode: p(0).barcode }],
      payments: [{ method: 'card', amount: p(0).price }],
    }
    const a = await s.sell(body)
    const b = await s.sell(body)
    expect(b.body.number).toBe(a.body.number + 1)
  })

  test('business rules: wrong total, short payment, card overpayment, price override, unknown product', async () => {
    const item = { barcode: p(0).barcode }
    const pay = (amount: number, method = 'card') => [{ method, amount }]
    const wrongTotal = await s.sell({
      shiftId,
      items: [item],
      payments: pay(p(0).price),
      total: p(0).price + 1,
    })
    expect([wrongTotal.status, wrongTotal.body.code]).toEqual([422, 'TOTAL_MISMATCH'])
    expect((await s.sell({ shiftId, items: [item], payments: pay(p(0).price - 1, 'cash') })).body.code).toBe(
      'PAYMENT_MISMATCH',
    )
    expect((await s.sell({ shiftId, items: [item], payments: pay(p(0).price + 1) })).body.code).toBe(
      'PAYMENT_MISMATCH',
    )
    const cheaper = { barcode: p(0).barcode, price: p(0).price - 100 }
    const refused = await s.sell({ shiftId, items: [cheaper], payments: pay(p(0).price - 100) })
    expect([refused.status, refused.body.code]).toEqual([422, 'PRICE_MISMATCH'])
    const byAdmin = await s.sell(
      { shiftId, items: [cheaper], payments: pay(p(0).price - 100) },
      { key: s.admin },
    )
    expect(byAdmin.status).toBe(201)
    const unknown = await s.sell({ shiftId, items: [{ barcode: '0000000000000' }], payments: pay(1) })
    expect(unknown.status).toBe(404)
  })

  test('a weight label sells the embedded weight; 0.001 kg rounds half up', async () => {
    const [w] = await rows<{ id: string; price: number; code: string }>(
      t.db,
      sql`select p.id, p.price::float8 as price, b.barcode as code from products p
        join product_barcodes b on b.tenant_id = p.tenant_id and b.product_id = p.id
        where p.tenant_id = ${s.tenantId} and b.barcode = '2200001'`,
    )
    if (!w) throw new Error('no weight product')
    const label = (digits: string) => ean13(`2200001${digits}`)
    const kg = await s.sell({
      shiftId,
      items: [{ barcode: label('01250') }],
      payments: [{ method: 'card', amount: Math.floor((w.price * 1250 * 2 + 1000) / 2000) }],
    })
    expect(kg.status).toBe(201)
    expect(kg.body.items[0].quantity).toBe('1.250')
    const gram = await s.sell({
      shiftId,
      items: [{ barcode: label('00001') }],
      payments: [{ method: 'cash', amount: w.price }],
    })
    expect(gram.body.items[0]).toMatchObject({
      quantity: '0.001',
      total: Math.floor((w.price * 2 + 1000) / 2000),
    })
  })

  test('a label decides what it sells: a quantity that contradicts it is a 400', async () => {
    const admin = (method: string, path: string, body?: unknown) =>
      s.call(method, path, body, { key: s.admin })
    const settings = await admin('GET', '/api/v1/settings')
    const priceLayout = { prefix: '24', itemDigits: 5, kind: 'price', valueDigits: 5, decimals: 0 }
    const patched = await admin('PATCH', '/api/v1/settings', {
      weightBarcodes: [...settings.body.weightBarcodes, priceLayout],
    })
    expect(patched.status).toBe(200)
    await admin('POST', '/api/v1/products', {
      sku: `SALAD-${crypto.randomUUID()}`,
      name: 'Салат',
      price: 1,
      barcodes: ['2400001'],
    })
    const sell = (item: Record<string, unknown>, amount: number) =>
      s.sell({ shiftId, items: [item], payments: [{ method: 'cash', amount }] })
    const priceLabel = ean13('240000101500')
    const three = await sell({ barcode: priceLabel, quantity: 3 }, 4500)
    expect([three.status, three.body.errors?.[0]?.path]).toEqual([400, 'items/0/quantity'])
    for (const item of [{ barcode: priceLabel }, { barcode: priceLabel, quantity: 1 }]) {
      const one = await sell(item, 1500)
      expect([one.status, one.body.total, one.body.items?.[0]?.quantity]).toEqual([201, 1500, '1.000'])
    }
    const weightLabel = ean13('220000101250')
    expect((await sell({ barcode: weightLabel, quantity: 5 }, 10_000_000)).status).toBe(400)
    const echoed = await sell({ barcode: weightLabel, quantity: '1.25' }, 10_000_000)
    expect([echoed.status, echoed.body.items?.[0]?.quantity]).toEqual([201, '1.250'])
    await admin('PATCH', '/api/v1/settings', { weightBarcodes: settings.body.weightBarcodes })
  })

  test('totals beyond 2^31 and a 100 % discount', async () => {
    const big = await s.sell(
      {
        shiftId,
        items: [{ barcode: p(0).barcode, price: 3_000_000_000, quantity: 2 }],
        payments: [{ method: 'transfer', amount: 6_000_000_000 }],
      },
      { key: s.admin },
    )
    expect(big.status).toBe(201)
    expect(big.body.total).toBe(6_000_000_000)
    expect((await s.call('GET', `/api/v1/receipts/${big.body.id}`)).body.total).toBe(6_000_000_000)
    const free = await s.sell({
      shiftId,
      items: [{ barcode: p(1).barcode, discount: p(1).price }],
      payments: [{ method: 'cash', amount: 0 }],
    })
    expect(free.body).toMatchObject({ total: 0, tax: 0, change: 0 })
  })

  test('the largest quantity a line takes leaves a stock level the next sale can still lower', async () => {
    const product = await s.call(
      'POST',
      '/api/v1/products',
      { sku: `BULK-${crypto.randomUUID()}`, name: 'Песок', price: 1, unit: 'kg' },
      { key: s.admin },
    )
    const line = (quantity: string, amount: number) =>
      s.sell({
        shiftId,
        items: [{ productId: product.body.id, quantity }],
        payments: [{ method: 'cash', amount }],
      })
    expect((await line('999999999.999', 1_000_000_000)).status).toBe(201)
    expect((await line('1', 1)).status).toBe(201)
    expect(await s.stockOf(product.body.id)).toBe('-1000000000.999')
  })

  test('a key bound to one terminal cannot sell in another terminal’s shift', async () => {
    const store = await s.call(
      'POST',
      '/api/v1/stores',
      { name: 'Второй', timezone: 'Asia/Tashkent' },
      { key: s.admin },
    )
    const till2 = await s.call(
      'POST',
      '/api/v1/terminals',
      { storeId: store.body.id, name: 'Касса 2' },
      { key: s.admin },
    )
    const shift2 = await s.call(
      'POST',
      '/api/v1/shifts',
      { terminalId: till2.body.id, openingCash: 0 },
      { key: s.admin },
    )
    const res = await s.sell({
      shiftId: shift2.body.id,
      items: [{ barcode: p(0).barcode }],
      payments: [{ method: 'card', amount: p(0).price }],
    })
    expect(res.status).toBe(403)
  })
})

describe('offline receipts', () => {
  test('a client id and occurredAt: lands in its month’s partition; a replay creates nothing', async () => {
    const id = crypto.randomUUID()
    const occurredAt = new Date(Date.now() - 40 * 86_400_000).toISOString()
    const body = {
      id,
      occurredAt,
      shiftId,
      items: [{ barcode: p(2).barcode }],
      payments: [{ method: 'cash', amount: p(2).price }],
    }
    const first = await s.sell(body)
    expect(first.status).toBe(201)
    const again = await s.sell(body)
    expect(again.status).toBe(201)
    expect(again.res.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body.number).toBe(first.body.number)
    const [row] = await rows<{ part: string; n: number }>(
      t.db,
      sql`select min(tableoid::regclass::text) as part, count(*)::int as n from receipts where tenant_id = ${s.tenantId} and id = ${id}`,
    )
    const d = new Date(occurredAt)
    expect(row).toEqual({
      part: `receipts_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`,
      n: 1,
    })
  })

  test('offline batch: per-receipt results in input order, duplicates and errors included', async () => {
    const mk = (minutesAgo: number, barcode = p(0).barcode) => ({
      id: crypto.randomUUID(),
      occurredAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
      shiftId,
      items: [{ barcode }],
      payments: [{ method: 'cash', amount: 10_000_000 }],
    })
    // a's local time at +05:00 sorts after b's UTC time as text, though a was sold first.
    const a = {
      ...mk(30),
      occurredAt: new Date(Date.now() + 270 * 60_000).toISOString().replace('Z', '+05:00'),
    }
    const b = mk(20)
    const bad = mk(10, '999999')
    const res = await s.call('POST', '/api/v1/receipts/offline-batch', { receipts: [b, a, bad, a] })
    expect(res.status).toBe(200)
    const statuses = res.body.results.map((r: { status: string }) => r.status)
    expect(statuses).toEqual(['created', 'created', 'error', 'duplicate'])
    // Numbered in order of sale: a (30 min ago) before b.
    expect(res.body.results[1].number).toBe(res.body.results[0].number - 1)
    const replay = await s.call('POST', '/api/v1/receipts/offline-batch', { receipts: [a, b] })
    expect(replay.body.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate'])
  })

  test('a receipt re-sent after its product’s price changed or the product was deleted is a replay, not an error', async () => {
    const product = await s.call(
      'POST',
      '/api/v1/products',
      { sku: `RESEND-${crypto.randomUUID()}`, name: 'Печенье', price: 1000, barcodes: [`77${Date.now()}`] },
      { key: s.admin },
    )
    expect(product.status).toBe(201)
    const receipt = {
      id: crypto.randomUUID(),
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      shiftId,
      items: [{ productId: product.body.id, quantity: 1 }],
      payments: [{ method: 'card', amount: 1000 }],
      total: 1000,
    }
    const batch = () => s.call('POST', '/api/v1/receipts/offline-batch', { receipts: [receipt] })
    expect((await batch()).body.results[0]).toMatchObject({ status: 'created' })
    const patched = await s.call(
      'PATCH',
      `/api/v1/products/${product.body.id}`,
      { price: 1100, version: product.body.version },
      { key: s.admin },
    )
    expect(patched.status).toBe(200)
    expect((await batch()).body.results[0]).toMatchObject({ status: 'duplicate' })
    const resent = await s.sell(receipt)
    expect(resent.status).toBe(201)
    expect(resent.res.headers.get('idempotent-replayed')).toBe('true')
    expect(resent.body.total).toBe(1000)
    await s.call('DELETE', `/api/v1/products/${product.body.id}`, undefined, { key: s.admin })
    expect((await batch()).body.results[0]).toMatchObject({ status: 'duplicate' })
    // A new receipt for the deleted product is still refused.
    const fresh = await s.sell({ ...receipt, id: crypto.randomUUID() })
    expect(fresh.status).toBe(404)
  })

  test('offline batch with an Idempotency-Key: a retry replays the first answer; a claim left by a dead process is taken over', async () => {
    const mk = () => ({
      id: crypto.randomUUID(),
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      shiftId,
      items: [{ barcode: p(1).barcode }],
      payments: [{ method: 'cash', amount: 10_000_000 }],
    })
    const batch = { receipts: [mk(), mk()] }
    const upload = (body: unknown, idem: string) =>
      s.call('POST', '/api/v1/receipts/offline-batch', body, { idem })
    const first = await upload(batch, 'upload-1')
    expect(first.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'created'])
    const again = await upload(batch, 'upload-1')
    expect(again.res.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body).toEqual(first.body)
    expect((await upload({ receipts: [mk()] }, 'upload-1')).status).toBe(422)

    // A claim still fresh is in flight; one ten minutes old belonged to a process that died.
    const claim = (minutesAgo: number) =>
      t.database.rows(
        sql`insert into idempotency_keys (tenant_id, key, route, request_hash, response_status, response_body, created_at)
          values (${s.tenantId}, ${`stale-${minutesAgo}`}, 'POST /api/v1/receipts/offline-batch', ${requestHash('POST /api/v1/receipts/offline-batch', batch)}, 0, '{}', now() - ${`${minutesAgo} minutes`}::interval)`,
      )
    await claim(1)
    await claim(11)
    expect((await upload(batch, 'stale-1')).status).toBe(409)
    const takenOver = await upload(batch, 'stale-11')
    expect(takenOver.status).toBe(200)
    expect(takenOver.body.results.map((r: { status: string }) => r.status)).toEqual([
      'duplicate',
      'duplicate',
    ])
    expect((await upload(batch, 'stale-11')).res.headers.get('idempotent-replayed')).toBe('true')
  })
})

describe('reading receipts', () => {
  test('list by store and time range, newest first, cursor pages', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString()
    const all: string[] = []
    let cursor: string | null = null
    do {
      const page: { body: { items: { id: string; occurredAt: string }[]; nextCursor: string | null } } =
        await s.call(
          'GET',
          `/api/v1/receipts?storeId=${s.demo.storeId}&from=${from}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        )
      all.push(...page.body.items.map((r) => r.occurredAt))
      cursor = page.body.nextCursor
    } while (cursor)
    expect(all.length).toBeGreaterThan(5)
    expect([...all].sort().reverse()).toEqual(all)
  })

  test('the cashier must be an employee of the tenant (a deleted one still signs offline sales)', async () => {
    const other = await sellingTenant(t)
    const hire = async (tenant: SellingTenant) =>
      (await tenant.call('POST', '/api/v1/employees', { name: 'Дилноза' }, { key: tenant.admin })).body
        .id as string
    const ours = await hire(s)
    const theirs = await hire(other)
    const sale = (employeeId: string) =>
      s.sell({
        shiftId,
        employeeId,
        items: [{ barcode: s.milk }],
        payments: [{ method: 'cash', amount: 10_000_000 }],
      })
    for (const id of [theirs, crypto.randomUUID()]) {
      const refused = await sale(id)
      expect([refused.status, refused.body.code]).toEqual([404, 'NOT_FOUND'])
    }
    expect((await sale(ours)).status).toBe(201)
    expect((await s.call('DELETE', `/api/v1/employees/${ours}`, undefined, { key: s.admin })).status).toBe(
      204,
    )
    expect((await sale(ours)).status).toBe(201)
  })

  test('the range query prunes partitions and uses the store index', async () => {
    const { receiptListQuery } = await import('./receipts')
    // The planner needs realistic proportions: with a handful of rows any index of the tenant is as
    // good as the store's. 8,000 receipts of one shift from last month on, over 20 stores, analysed.
    const big = await sellingTenant(t)
    const bigShift = await big.openShift()
    const now = new Date()
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString()
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString()
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString()
    await t.database.rows(sql`with g as (
        select gen_random_uuid() as id, i, ${lastMonth}::timestamptz + i * interval '15 minutes' as at,
          case when i % 20 = 0 then ${big.demo.storeId}::uuid else md5((i % 20)::text)::uuid end as store
        from generate_series(1, 8000) i),
      ids as (insert into receipt_ids (tenant_id, id, occurred_at) select ${big.tenantId}, id, at from g returning id)
      insert into receipts (tenant_id, id, occurred_at, number, store_id, terminal_id, shift_id, subtotal, discount, tax, total, paid, change)
      select ${big.tenantId}, g.id, g.at, g.i, g.store, ${big.demo.terminalId}, ${bigShift}, 1000, 0, 100, 1000, 1000, 0
      from g join ids on ids.id = g.id`)
    await t.database.rows(sql`analyze receipts`)
    const q = receiptListQuery(big.tenantId, { limit: 50, storeId: big.demo.storeId, from, to })
    const [plan] = await rows<Record<string, unknown>>(t.db, sql`explain (format json) ${q}`)
    const text = JSON.stringify(plan)
    const month = `receipts_p${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`
    expect(text).toContain(month)
    const partitions = new Set(text.match(/receipts_(p\d{6}|default)/g))
    expect([...partitions]).toEqual([month])
    expect(text).toContain('tenant_id_store_id_occurred_at_idx')
    expect(text).not.toContain('"Seq Scan"')
  })
})
