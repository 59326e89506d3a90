import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { seedDemoCatalog } from '../db/seed/demo'
import { rows } from './infra/db'
import { SCOPES } from './lib/scopes'
import { startTestApp, type TestApp } from './testing/harness'

// Walks every route the app has (read from the app itself, so a new route is covered or this test
// fails) and proves: no key → 401; a key without the route's scope → 403; tenant B's key on tenant
// A's objects → 404 (or only B's own data) and nothing of A's changed.

type Fixtures = Record<
  | 'store'
  | 'terminal'
  | 'warehouse'
  | 'employee'
  | 'customer'
  | 'apiKey'
  | 'product'
  | 'category'
  | 'shift'
  | 'receipt'
  | 'receiptItem',
  string
>
type Case = {
  params?: (a: Fixtures) => Record<string, string>
  body?: (a: Fixtures) => unknown
  query?: (a: Fixtures) => string
  headers?: () => Record<string, string>
  /** What B gets: 404 for A's object, or an answer about B's own data only. */
  crossTenant: 'not-found' | 'own-data'
}

const id = (k: keyof Fixtures) => (a: Fixtures) => ({ id: a[k] })
const crud = (k: keyof Fixtures, plural: string, create: (a: Fixtures) => unknown, createRefsA: boolean) => ({
  [`GET /api/v1/${plural}`]: { crossTenant: 'own-data' },
  [`GET /api/v1/${plural}/:id`]: { params: id(k), crossTenant: 'not-found' },
  [`POST /api/v1/${plural}`]: { body: create, crossTenant: createRefsA ? 'not-found' : 'own-data' },
  [`PATCH /api/v1/${plural}/:id`]: {
    params: id(k),
    body: () => ({ name: 'changed by B' }),
    crossTenant: 'not-found',
  },
  [`DELETE /api/v1/${plural}/:id`]: { params: id(k), crossTenant: 'not-found' },
})

const cases: Record<string, Case> = {
  ...crud('store', 'stores', (a) => ({ name: 'B store', timezone: 'UTC', warehouseId: a.warehouse }), true),
  ...crud('terminal', 'terminals', (a) => ({ storeId: a.store, name: 'B till' }), true),
  ...crud('warehouse', 'warehouses', (a) => ({ name: 'B wh', storeId: a.store }), true),
  ...crud('employee', 'employees', (a) => ({ name: 'B emp', storeId: a.store }), true),
  ...crud('customer', 'customers', () => ({ name: 'B customer', phone: '+998901112233' }), false),
  'GET /api/v1/api-keys': { crossTenant: 'own-data' },
  'POST /api/v1/api-keys': {
    body: (a) => ({ scopes: ['sales:write'], terminalId: a.terminal }),
    crossTenant: 'not-found',
  },
  'DELETE /api/v1/api-keys/:id': { params: id('apiKey'), crossTenant: 'not-found' },
  'GET /api/v1/settings': { crossTenant: 'own-data' },
  'PATCH /api/v1/settings': { body: () => ({ currency: 'USD' }), crossTenant: 'own-data' },
  'POST /api/v1/products/search': { body: () => ({ barcode: '4780000000014' }), crossTenant: 'not-found' },
  'POST /api/v1/products/batch': {
    body: () => ({ items: [{ sku: 'B-ISO-1', name: 'B', price: 1 }] }),
    crossTenant: 'own-data',
  },
  ...crud(
    'product',
    'products',
    (a) => ({ sku: 'B-ISO-2', name: 'B', price: 1, categoryId: a.category }),
    true,
  ),
  ...crud('category', 'categories', (a) => ({ name: 'B cat', parentId: a.category }), true),
  'GET /api/v1/cache/stats': { crossTenant: 'own-data' },
  'DELETE /api/v1/cache': { crossTenant: 'own-data' },
  'GET /api/v1/stock': { query: (a) => `warehouseId=${a.warehouse}`, crossTenant: 'not-found' },
  'GET /api/v1/stock/level': {
    query: (a) => `warehouseId=${a.warehouse}&productId=${a.product}`,
    crossTenant: 'not-found',
  },
  'GET /api/v1/stock/movements': { query: (a) => `productId=${a.product}`, crossTenant: 'not-found' },
  'POST /api/v1/stock/movements': {
    body: (a) => ({
      type: 'receive',
      warehouseId: a.warehouse,
      lines: [{ productId: a.product, quantity: 1 }],
    }),
    crossTenant: 'not-found',
  },
  'GET /api/v1/reports/sales': {
    query: (a) => `storeId=${a.store}&from=2026-01-01&to=2026-12-31`,
    crossTenant: 'not-found',
  },
  'GET /api/v1/products/by-barcode/:barcode': {
    params: () => ({ barcode: '4780000000014' }),
    crossTenant: 'not-found',
  },
  'POST /api/v1/shifts': {
    body: (a) => ({ terminalId: a.terminal, openingCash: 0 }),
    crossTenant: 'not-found',
  },
  'GET /api/v1/shifts/:id': { params: id('shift'), crossTenant: 'not-found' },
  'GET /api/v1/shifts/:id/report': { params: id('shift'), crossTenant: 'not-found' },
  'POST /api/v1/shifts/:id/close': {
    params: id('shift'),
    body: () => ({ countedCash: 0 }),
    crossTenant: 'not-found',
  },
  'POST /api/v1/shifts/:id/cash': {
    params: id('shift'),
    body: () => ({ type: 'in', amount: 1 }),
    crossTenant: 'not-found',
  },
  'POST /api/v1/receipts': {
    body: (a) => ({
      shiftId: a.shift,
      items: [{ productId: a.product }],
      payments: [{ method: 'cash', amount: 10 ** 9 }],
    }),
    headers: () => ({ 'idempotency-key': crypto.randomUUID() }),
    crossTenant: 'not-found',
  },
  'POST /api/v1/receipts/offline-batch': {
    body: (a) => ({
      receipts: [
        {
          id: crypto.randomUUID(),
          occurredAt: new Date().toISOString(),
          shiftId: a.shift,
          items: [{ productId: a.product }],
          payments: [{ method: 'cash', amount: 10 ** 9 }],
        },
      ],
    }),
    crossTenant: 'own-data',
  },
  'GET /api/v1/receipts': { crossTenant: 'own-data' },
  'GET /api/v1/receipts/:id': { params: id('receipt'), crossTenant: 'not-found' },
  'POST /api/v1/receipts/:id/refunds': {
    params: id('receipt'),
    body: (a) => ({ items: [{ receiptItemId: a.receiptItem, quantity: 1 }], restock: true }),
    crossTenant: 'not-found',
  },
}

/** Routes outside tenant scope: operations and platform bootstrap (tested in the admin module). */
const unscoped = new Set([
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'POST /api/v1/admin/tenants',
])

let t: TestApp
let a: { key: string; fx: Fixtures }
let b: { key: string }
let scopeOf: Map<string, string | string[]>
/** The headers the OpenAPI document promises on each route's 200. */
let promisedHeaders: Map<string, string[]>

async function call(
  method: string,
  path: string,
  key?: string,
  body?: unknown,
  headers?: Record<string, string>,
) {
  const res = await t.request(method, path, { key, body, headers })
  return { status: res.status, text: await res.text() }
}

const routes = () =>
  t.app.routes
    .map((r) => `${r.method} ${r.path}`)
    .filter((r) => !r.includes('/swagger') && !unscoped.has(r) && !r.startsWith('OPTIONS'))

function url(route: string, c: Case, fx: Fixtures) {
  const [method, template] = route.split(' ') as [string, string]
  let path = template
  for (const [k, v] of Object.entries(c.params?.(fx) ?? {})) path = path.replace(`:${k}`, v)
  return { method, path: `${path}${c.query ? `?${c.query(fx)}` : ''}` }
}

async function snapshot(key: string, fx: Fixtures) {
  const parts = await Promise.all([
    call('GET', `/api/v1/stores/${fx.store}`, key),
    call('GET', `/api/v1/terminals/${fx.terminal}`, key),
    call('GET', `/api/v1/warehouses/${fx.warehouse}`, key),
    call('GET', `/api/v1/employees/${fx.employee}`, key),
    call('GET', `/api/v1/customers/${fx.customer}`, key),
    call('GET', '/api/v1/api-keys?limit=200', key),
    call('GET', '/api/v1/settings', key),
    call('GET', '/api/v1/products/by-barcode/4780000000014', key),
    call('GET', `/api/v1/shifts/${fx.shift}/report`, key),
    call('GET', `/api/v1/receipts/${fx.receipt}`, key),
    call('GET', `/api/v1/products/${fx.product}`, key),
    call('GET', `/api/v1/categories/${fx.category}`, key),
    call('GET', `/api/v1/stock?warehouseId=${fx.warehouse}&limit=200`, key),
  ])
  return parts.map((p) => `${p.status} ${p.text}`)
}

beforeAll(async () => {
  t = await startTestApp()
  const mk = async (withCatalog: boolean) => {
    const { apiKey, tenant } = await t.newTenant()
    const post = async (path: string, body: unknown) =>
      JSON.parse((await call('POST', path, apiKey, body)).text)
    const store = await post('/api/v1/stores', { name: 'A store', timezone: 'Asia/Tashkent' })
    const terminal = await post('/api/v1/terminals', { storeId: store.id, name: 'A till' })
    const employee = await post('/api/v1/employees', { name: 'A emp', storeId: store.id })
    const customer = await post('/api/v1/customers', { name: 'A customer', phone: '90 123 45 67' })
    const key = await post('/api/v1/api-keys', { scopes: ['catalog:read'], terminalId: terminal.id })
    const demo = withCatalog ? await seedDemoCatalog(t.db, tenant.id, { products: 5 }) : undefined
    const shift = await post('/api/v1/shifts', { terminalId: terminal.id, openingCash: 0 })
    const category = await post('/api/v1/categories', { name: 'A cat' })
    const [product] = demo
      ? await rows<{ id: string }>(t.db, sql`select id from products where tenant_id = ${tenant.id} limit 1`)
      : []
    const sale = product
      ? JSON.parse(
          (
            await call(
              'POST',
              '/api/v1/receipts',
              apiKey,
              {
                shiftId: shift.id,
                items: [{ productId: product.id }],
                payments: [{ method: 'cash', amount: 10 ** 9 }],
              },
              { 'idempotency-key': crypto.randomUUID() },
            )
          ).text,
        )
      : { id: crypto.randomUUID(), items: [{ id: crypto.randomUUID() }] }
    const fx = {
      store: store.id,
      terminal: terminal.id,
      warehouse: store.warehouseId,
      employee: employee.id,
      customer: customer.id,
      apiKey: key.id,
      product: product?.id ?? crypto.randomUUID(),
      category: category.id,
      shift: shift.id,
      receipt: sale.id,
      receiptItem: sale.items[0].id,
    }
    for (const v of Object.values(fx)) expect(v).toMatch(/^[0-9a-f-]{36}$/)
    return { key: apiKey, fx }
  }
  a = await mk(true)
  b = await mk(false)
  const doc = (await (await t.request('GET', '/swagger/json')).json()) as {
    paths: Record<
      string,
      Record<
        string,
        { 'x-scope'?: string | string[]; responses?: Record<string, { headers?: Record<string, unknown> }> }
      >
    >
  }
  scopeOf = new Map()
  promisedHeaders = new Map()
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const route = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`
      if (op['x-scope']) scopeOf.set(route, op['x-scope'])
      promisedHeaders.set(route, Object.keys(op.responses?.['200']?.headers ?? {}))
    }
})
afterAll(() => t.close())

describe('tenant isolation, for every route', () => {
  test('every route has an isolation case and a scope', () => {
    const missing = routes().filter((r) => !cases[r] || !scopeOf.has(r))
    expect(missing).toEqual([])
    expect(routes().length).toBeGreaterThan(20)
  })

  test('no key → 401 with WWW-Authenticate', async () => {
    for (const route of routes()) {
      const c = cases[route] as Case
      const { method, path } = url(route, c, a.fx)
      const res = await t.request(method, path, { body: c.body?.(a.fx), headers: c.headers?.() })
      expect({ route, status: res.status }).toEqual({ route, status: 401 })
      expect(res.headers.get('www-authenticate')).toStartWith('Bearer')
    }
  })

  test('a key without the scope → 403', async () => {
    const keyWithout = new Map<string | string[], string>()
    // A route may take any of several scopes: the key holds none of them.
    for (const scope of new Set(scopeOf.values())) {
      const others = SCOPES.filter((s) => ![scope].flat().includes(s) && s !== 'admin')
      const created = await call('POST', '/api/v1/api-keys', a.key, { scopes: others })
      keyWithout.set(scope, JSON.parse(created.text).key)
    }
    for (const route of routes()) {
      const c = cases[route] as Case
      const { method, path } = url(route, c, a.fx)
      const res = await call(
        method,
        path,
        keyWithout.get(scopeOf.get(route) as string | string[]),
        c.body?.(a.fx),
        c.headers?.(),
      )
      expect({ route, status: res.status }).toEqual({ route, status: 403 })
    }
  })

  test('every GET answer carries the headers the document promises (ETag, RateLimit-*, X-Request-Id)', async () => {
    const missing: string[] = []
    for (const route of routes().filter((r) => r.startsWith('GET '))) {
      const c = cases[route] as Case
      const { method, path } = url(route, c, a.fx)
      const res = await t.request(method, path, { key: a.key, headers: c.headers?.() })
      await res.arrayBuffer()
      if (res.status !== 200) missing.push(`${route}: ${res.status}`)
      else
        for (const name of promisedHeaders.get(route) ?? [])
          if (!res.headers.has(name)) missing.push(`${route}: ${name}`)
    }
    expect(missing).toEqual([])
    expect([...promisedHeaders.values()].filter((names) => names.includes('ETag')).length).toBeGreaterThan(8)
  })

  test("tenant B's key on tenant A's objects → 404 or B's own data, and A is unchanged", async () => {
    const before = await snapshot(a.key, a.fx)
    expect(before.filter((s) => !s.startsWith('200'))).toEqual([])
    const aIds = Object.values(a.fx)
    for (const route of routes()) {
      const c = cases[route] as Case
      const { method, path } = url(route, c, a.fx)
      const res = await call(method, path, b.key, c.body?.(a.fx), c.headers?.())
      if (c.crossTenant === 'not-found') {
        expect({ route, status: res.status }).toEqual({ route, status: 404 })
      } else {
        expect({ route, ok: res.status < 300 }).toEqual({ route, ok: true })
        for (const aId of aIds)
          expect({ route, leaked: res.text.includes(aId) }).toEqual({ route, leaked: false })
      }
    }
    expect(await snapshot(a.key, a.fx)).toEqual(before)
  })
})
