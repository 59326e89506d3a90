import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { rows } from '../../infra/db'
import { startTestApp, type TestApp } from '../../testing/harness'
import { type SellingTenant, sellingTenant } from './sales-fixture'

let t: TestApp
let s: SellingTenant

beforeAll(async () => {
  t = await startTestApp()
  s = await sellingTenant(t)
})
afterAll(() => t.close())

const p = (i: number) => s.products[i] as SellingTenant['products'][number]

describe('shifts, refunds and reports', () => {
  test('one open shift per terminal; X report while open; refunds; Z report at closing; then SHIFT_NOT_OPEN', async () => {
    const shiftId = await s.openShift(50_000)
    const second = await s.call('POST', '/api/v1/shifts', { openingCash: 0 })
    expect(second.status).toBe(409)

    const a = p(0)
    const b = p(1)
    // Sale 1: 2 × a in cash with change; sale 2: b by card with a discount.
    const sale1 = await s.sell({
      shiftId,
      items: [{ productId: a.id, quantity: 2 }],
      payments: [{ method: 'cash', amount: a.price * 2 + 700 }],
    })
    const sale2 = await s.sell({
      shiftId,
      items: [{ productId: b.id, discount: 300 }],
      payments: [{ method: 'card', amount: b.price - 300 }],
    })
    expect([sale1.status, sale2.status]).toEqual([201, 201])
    await s.call('POST', `/api/v1/shifts/${shiftId}/cash`, { type: 'in', amount: 1_000 })
    // A cash-out retried with its Idempotency-Key is taken once (cashOut 400 in the X report).
    const cashOut = { type: 'out', amount: 400, reason: 'инкассация' }
    const out = await s.call('POST', `/api/v1/shifts/${shiftId}/cash`, cashOut, { idem: 'drawer-1' })
    const retried = await s.call('POST', `/api/v1/shifts/${shiftId}/cash`, cashOut, { idem: 'drawer-1' })
    expect([out.status, retried.status, retried.res.headers.get('idempotent-replayed')]).toEqual([
      201,
      201,
      'true',
    ])
    expect(retried.body.id).toBe(out.body.id)
    const reused = await s.call(
      'POST',
      `/api/v1/shifts/${shiftId}/cash`,
      { ...cashOut, amount: 500 },
      { idem: 'drawer-1' },
    )
    expect(reused.status).toBe(422)

    const unrefunded = await s.call('GET', `/api/v1/receipts/${sale1.body.id}`)
    const shift = await s.call('GET', `/api/v1/shifts/${shiftId}`)
    expect(shift.res.headers.get('etag')).toBe(`"${shift.body.version}"`)

    // Refund one of the two a's, with restock; then the discounted b in full.
    const stockBefore = Number(await s.stockOf(a.id))
    const line1 = sale1.body.items[0].id
    const r1 = await s.call('POST', `/api/v1/receipts/${sale1.body.id}/refunds`, {
      items: [{ receiptItemId: line1, quantity: 1 }],
      restock: true,
    })
    expect(r1.status).toBe(201)
    expect(r1.body.total).toBe(a.price)
    expect(r1.body.payments).toEqual([{ method: 'cash', amount: a.price }])
    expect(Number(await s.stockOf(a.id))).toBe(stockBefore + 1)
    const tooMuch = await s.call('POST', `/api/v1/receipts/${sale1.body.id}/refunds`, {
      items: [{ receiptItemId: line1, quantity: 2 }],
      restock: false,
    })
    expect([tooMuch.status, tooMuch.body.code]).toEqual([422, 'REFUND_EXCEEDS_SALE'])
    const r2 = await s.call('POST', `/api/v1/receipts/${sale2.body.id}/refunds`, {
      items: [{ receiptItemId: sale2.body.items[0].id, quantity: 1 }],
      restock: false,
    })
    expect(r2.body).toMatchObject({
      total: b.price - 300,
      tax: sale2.body.tax,
      payments: [{ method: 'card', amount: b.price - 300 }],
    })
    const got = await s.call('GET', `/api/v1/receipts/${sale1.body.id}`)
    expect(got.body.items[0].refundedQuantity).toBe('1.000')
    // The receipt's ETag follows its content: a refund changes it.
    expect(unrefunded.res.headers.get('etag')).toMatch(/^W\/"\w+"$/)
    expect(got.res.headers.get('etag')).not.toBe(unrefunded.res.headers.get('etag'))

    const x = await s.call('GET', `/api/v1/shifts/${shiftId}/report`)
    // A register key that can only sell still prints its X report.
    const sellOnly = await s.call(
      'POST',
      '/api/v1/api-keys',
      { scopes: ['sales:write'], terminalId: s.demo.terminalId },
      { key: s.admin },
    )
    const printed = await s.call('GET', `/api/v1/shifts/${shiftId}/report`, undefined, {
      key: sellOnly.body.key,
    })
    expect(printed.body).toEqual(x.body)
    expect(x.body).toMatchObject({
      kind: 'X',
      receipts: 2,
      gross: a.price * 2 + b.price,
      discounts: 300,
      sales: a.price * 2 + b.price - 300,
      tax: sale1.body.tax + sale2.body.tax - r1.body.tax - r2.body.tax,
      refunds: { count: 2, total: a.price + b.price - 300, tax: r1.body.tax + r2.body.tax },
      payments: {
        sales: { cash: a.price * 2, card: b.price - 300, transfer: 0 },
        refunds: { cash: a.price, card: b.price - 300, transfer: 0 },
      },
      cashIn: 1_000,
      cashOut: 400,
      expectedCash: 50_000 + a.price * 2 - a.price + 1_000 - 400,
    })

    const z = await s.call('POST', `/api/v1/shifts/${shiftId}/close`, {
      countedCash: x.body.expectedCash - 100,
    })
    expect(z.status).toBe(200)
    expect(z.body).toMatchObject({ kind: 'Z', difference: -100, expectedCash: x.body.expectedCash })
    const stored = await s.call('GET', `/api/v1/shifts/${shiftId}/report`)
    expect(stored.body).toEqual(z.body)
    expect(stored.body.shift.version).toBe((await s.call('GET', `/api/v1/shifts/${shiftId}`)).body.version)

    const late = await s.sell({
      shiftId,
      items: [{ productId: a.id }],
      payments: [{ method: 'cash', amount: a.price }],
    })
    expect([late.status, late.body.code]).toEqual([409, 'SHIFT_NOT_OPEN'])
    // A retried close (same counted cash) answers the same Z report; another figure is refused.
    const closedAgain = await s.call('POST', `/api/v1/shifts/${shiftId}/close`, {
      countedCash: x.body.expectedCash - 100,
    })
    expect([closedAgain.status, closedAgain.body]).toEqual([200, z.body])
    expect((await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 0 })).status).toBe(409)
  })

  test('partial refunds of a discounted line add up exactly to what was paid', async () => {
    const shiftId = await s.openShift()
    const c = p(2)
    const sale = await s.sell({
      shiftId,
      items: [{ productId: c.id, quantity: 3, discount: 1 }],
      payments: [{ method: 'card', amount: c.price * 3 - 1 }],
    })
    const line = sale.body.items[0].id
    let refunded = 0
    let tax = 0
    for (let i = 0; i < 3; i++) {
      const r = await s.call('POST', `/api/v1/receipts/${sale.body.id}/refunds`, {
        items: [{ receiptItemId: line, quantity: 1 }],
        restock: false,
      })
      expect(r.status).toBe(201)
      refunded += r.body.total
      tax += r.body.tax
    }
    expect(refunded).toBe(c.price * 3 - 1)
    expect(tax).toBe(sale.body.tax)
    await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 0 })
  })

  test('partial refunds are cumulative: each rounds the running share, none goes negative', async () => {
    // 4 units for a line total of 2: a per-part share would round 0.5 up to 1 four times (4 > 2).
    const shiftId = await s.openShift()
    const c = p(2)
    const sale = await s.sell({
      shiftId,
      items: [{ productId: c.id, quantity: 4, discount: c.price * 4 - 2 }],
      payments: [{ method: 'card', amount: 2 }],
    })
    expect(sale.body.total).toBe(2)
    const parts: number[] = []
    for (let i = 0; i < 4; i++) {
      const r = await s.call('POST', `/api/v1/receipts/${sale.body.id}/refunds`, {
        items: [{ receiptItemId: sale.body.items[0].id, quantity: 1 }],
        restock: false,
      })
      expect(r.status).toBe(201)
      parts.push(r.body.total)
    }
    expect(parts).toEqual([1, 0, 1, 0])
    await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 0 })
  })

  test('a part never refunds more tax than money; the last settles the line exactly', async () => {
    // A line of 10 with tax 1 (12 %), refunded a twentieth at a time: tax alone would round up to
    // 1 on a part whose amount rounds to 0.
    await s.call('PATCH', `/api/v1/products/${p(2).id}`, { taxRate: 1200 }, { key: s.admin })
    const shiftId = await s.openShift()
    const c = p(2)
    const sale = await s.sell({
      shiftId,
      items: [{ productId: c.id, quantity: 20, discount: c.price * 20 - 10 }],
      payments: [{ method: 'card', amount: 10 }],
    })
    expect([sale.body.total, sale.body.tax]).toEqual([10, 1])
    let amount = 0
    let tax = 0
    for (let i = 0; i < 20; i++) {
      const r = await s.call('POST', `/api/v1/receipts/${sale.body.id}/refunds`, {
        items: [{ receiptItemId: sale.body.items[0].id, quantity: 1 }],
        restock: false,
      })
      expect(r.body.tax).toBeLessThanOrEqual(r.body.total)
      amount += r.body.total
      tax += r.body.tax
    }
    expect([amount, tax]).toEqual([10, 1])
    await s.call('PATCH', `/api/v1/products/${p(2).id}`, { taxRate: c.taxRate }, { key: s.admin })
    await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 0 })
  })

  test('a register refunds from its own open shift only', async () => {
    const shiftId = await s.openShift()
    const a = p(0)
    const sale = await s.sell({
      shiftId,
      items: [{ productId: a.id }],
      payments: [{ method: 'cash', amount: a.price }],
    })
    const refund = (body: Record<string, unknown>, key?: string) =>
      s.call(
        'POST',
        `/api/v1/receipts/${sale.body.id}/refunds`,
        { items: [{ receiptItemId: sale.body.items[0].id, quantity: 1 }], restock: false, ...body },
        { key },
      )
    // Another register's open shift: invisible to this register's key.
    const other = await s.call(
      'POST',
      '/api/v1/terminals',
      { storeId: s.demo.storeId, name: 'Касса 2' },
      { key: s.admin },
    )
    const otherShift = await s.call(
      'POST',
      '/api/v1/shifts',
      { terminalId: other.body.id, openingCash: 0 },
      { key: s.admin },
    )
    expect((await refund({ shiftId: otherShift.body.id })).status).toBe(404)
    await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 0 })
    // No open shift at this register: nothing to pay from.
    const none = await refund({})
    expect([none.status, none.body.code]).toEqual([409, 'SHIFT_NOT_OPEN'])
    expect((await refund({ shiftId })).body.code).toBe('SHIFT_NOT_OPEN')
    // The back office may refund outside any shift (a bank transfer, say).
    const office = await refund({}, s.admin)
    expect([office.status, office.body.shiftId]).toEqual([201, null])
    await s.call('POST', `/api/v1/shifts/${otherShift.body.id}/close`, { countedCash: 0 }, { key: s.admin })
  })

  test("a refund is paid from a shift of the receipt's store, and restocks the warehouse the sale drew from", async () => {
    const admin = (method: string, path: string, body?: unknown) =>
      s.call(method, path, body, { key: s.admin })
    const shiftId = await s.openShift()
    const a = p(5)
    const sale = await s.sell({
      shiftId,
      items: [{ productId: a.id, quantity: 2 }],
      payments: [{ method: 'cash', amount: a.price * 2 }],
    })
    const refund = (body: Record<string, unknown>) =>
      admin('POST', `/api/v1/receipts/${sale.body.id}/refunds`, {
        items: [{ receiptItemId: sale.body.items[0].id, quantity: 1 }],
        ...body,
      })
    const store = await admin('POST', '/api/v1/stores', { name: 'Юнусабад', timezone: 'Asia/Tashkent' })
    const till = await admin('POST', '/api/v1/terminals', { storeId: store.body.id, name: 'Касса 1' })
    const there = await admin('POST', '/api/v1/shifts', { terminalId: till.body.id, openingCash: 0 })
    const elsewhere = await refund({ shiftId: there.body.id, restock: false })
    expect([elsewhere.status, elsewhere.body.code]).toEqual([422, 'STORE_MISMATCH'])
    await admin('POST', `/api/v1/shifts/${there.body.id}/close`, { countedCash: 0 })

    // The store moves to a new warehouse after the sale: the returned goods go back to the old one.
    const before = Number(await s.stockOf(a.id))
    const demoStore = await admin('GET', `/api/v1/stores/${s.demo.storeId}`)
    const moved = await admin('POST', '/api/v1/warehouses', { name: 'Новый склад' })
    const move = (warehouseId: string, version: number) =>
      admin('PATCH', `/api/v1/stores/${s.demo.storeId}`, { warehouseId, version })
    const patched = await move(moved.body.id, demoStore.body.version)
    expect(patched.status).toBe(200)
    expect((await refund({ shiftId, restock: true })).status).toBe(201)
    expect(Number(await s.stockOf(a.id))).toBe(before + 1)
    const [inNew] = await rows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from stock where tenant_id = ${s.tenantId} and warehouse_id = ${moved.body.id}`,
    )
    expect(inNew?.n).toBe(0)
    expect((await move(s.demo.warehouseId, patched.body.version)).status).toBe(200)
    await s.call('POST', `/api/v1/shifts/${shiftId}/close`, { countedCash: 0 })
  })

  test("a store-bound key opens, reads and pays into shifts of its own store's registers only", async () => {
    const admin = (method: string, path: string, body?: unknown) =>
      s.call(method, path, body, { key: s.admin })
    const store = await admin('POST', '/api/v1/stores', { name: 'Чиланзар', timezone: 'Asia/Tashkent' })
    const till = await admin('POST', '/api/v1/terminals', { storeId: store.body.id, name: 'Касса 1' })
    const manager = await admin('POST', '/api/v1/api-keys', {
      scopes: ['sales:write', 'sales:read'],
      storeId: store.body.id,
    })
    const key = manager.body.key as string
    const elsewhere = await s.call(
      'POST',
      '/api/v1/shifts',
      { terminalId: s.demo.terminalId, openingCash: 0 },
      { key },
    )
    expect(elsewhere.status).toBe(404)
    const demoShift = await s.openShift()
    expect((await s.call('GET', `/api/v1/shifts/${demoShift}`, undefined, { key })).status).toBe(404)
    const cashElsewhere = await s.call(
      'POST',
      `/api/v1/shifts/${demoShift}/cash`,
      { type: 'in', amount: 1 },
      { key },
    )
    expect(cashElsewhere.status).toBe(404)
    const own = await s.call('POST', '/api/v1/shifts', { terminalId: till.body.id, openingCash: 0 }, { key })
    expect(own.status).toBe(201)
    expect(
      (await s.call('POST', `/api/v1/shifts/${own.body.id}/cash`, { type: 'in', amount: 1 }, { key })).status,
    ).toBe(201)
    await s.call('POST', `/api/v1/shifts/${own.body.id}/close`, { countedCash: 1 }, { key })
    await s.call('POST', `/api/v1/shifts/${demoShift}/close`, { countedCash: 0 })
  })

  test('with negative stock refused, a sale beyond the stock is 409 and changes nothing', async () => {
    await s.call('PATCH', '/api/v1/settings', { allowNegativeStock: false }, { key: s.admin })
    const shiftId = await s.openShift()
    const d = p(3)
    const stock = Number(await s.stockOf(d.id))
    const [{ n: before } = { n: 0 }] = await rows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from receipts where tenant_id = ${s.tenantId}`,
    )
    const res = await s.sell({
      shiftId,
      items: [{ productId: p(4).id }, { productId: d.id, quantity: stock + 1 }],
      payments: [{ method: 'card', amount: p(4).price + d.price * (stock + 1) }],
    })
    expect([res.status, res.body.code]).toEqual([409, 'INSUFFICIENT_STOCK'])
    expect(Number(await s.stockOf(d.id))).toBe(stock)
    const [{ n: after } = { n: 0 }] = await rows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from receipts where tenant_id = ${s.tenantId}`,
    )
    expect(after).toBe(before)
    const ok = await s.sell({
      shiftId,
      items: [{ productId: d.id, quantity: stock }],
      payments: [{ method: 'card', amount: d.price * stock }],
    })
    expect(ok.status).toBe(201)
    expect(Number(await s.stockOf(d.id))).toBe(0)
    await s.call('PATCH', '/api/v1/settings', { allowNegativeStock: true }, { key: s.admin })
  })
})
