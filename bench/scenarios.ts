// The benchmark scenarios, built from a seeded fixture. Each declares the routes it needs, the cache
// mode the server must run in, the requests it rotates over, and the baseline it is measured against.
import type { Fixture } from '../db/seed/bench-fixture'
import type { HttpRequest, RouteRef, Scenario } from './types'

const BY_BARCODE: RouteRef = { method: 'get', path: '/api/v1/products/by-barcode/{barcode}' }
const LIST: RouteRef = { method: 'get', path: '/api/v1/products' }
const SEARCH: RouteRef = { method: 'post', path: '/api/v1/products/search' }
const RECEIPTS: RouteRef = { method: 'post', path: '/api/v1/receipts' }

export const CACHE_STATS_ROUTE: RouteRef = { method: 'get', path: '/api/v1/cache/stats' }

/** Baselines: a bare Bun.serve replaying captured bodies, and pgbench with the same SQL. */
export const BASELINES = {
  ceilingLookup: 'ceiling:lookup',
  pgbenchLookup: 'pgbench:lookup',
  pgbenchPk: 'pgbench:pk',
  pgbenchReceipt: 'pgbench:receipt',
  pgbenchList: 'pgbench:list',
  pgbenchSearch: 'pgbench:search',
} as const

const LOOKUP_CONNECTIONS = 64
const RECEIPT_CONNECTIONS = 32

const auth = (key: string) => ({ authorization: `Bearer ${key}` })
const json = { 'content-type': 'application/json' }

function lookups(f: Fixture, barcodes: string[]): HttpRequest[] {
  return barcodes.map((barcode, i) => ({
    method: 'GET',
    path: `/api/v1/products/by-barcode/${barcode}`,
    headers: auth(terminalKey(f, i)),
  }))
}

const terminalKey = (f: Fixture, i: number) => {
  const t = f.terminals[i % f.terminals.length]
  if (!t) throw new Error('fixture has no terminal keys')
  return t.key
}

/** Five distinct products per receipt, paid by card to the exact total (prices are tax-inclusive). */
function receiptBodies(f: Fixture, count: number): HttpRequest[] {
  const products = f.saleProducts
  if (products.length < 5) throw new Error('fixture needs at least five products sold by the piece')
  return Array.from({ length: count }, (_, i) => {
    const terminal = f.terminals[i % f.terminals.length]
    if (!terminal) throw new Error('fixture has no terminal keys')
    const items = Array.from({ length: 5 }, (_, k) => products[(i * 5 + k * 7) % products.length]).filter(
      (p) => p !== undefined,
    )
    const total = items.reduce((sum, p) => sum + p.price, 0)
    const body = {
      shiftId: terminal.shiftId,
      items: items.map((p) => ({ barcode: p.barcode, quantity: 1 })),
      payments: [{ method: 'card', amount: total }],
    }
    return {
      method: 'POST',
      path: '/api/v1/receipts',
      headers: { ...auth(terminal.key), ...json },
      body: JSON.stringify(body),
      idempotencyKey: true,
    }
  })
}

const listRequests = (f: Fixture): HttpRequest[] =>
  f.terminals.map((t) => ({ method: 'GET', path: '/api/v1/products?limit=50', headers: auth(t.key) }))

const nameSearches = (f: Fixture): HttpRequest[] =>
  f.searchTerms.map((q, i) => ({
    method: 'POST',
    path: '/api/v1/products/search',
    headers: { ...auth(terminalKey(f, i)), ...json },
    body: JSON.stringify({ q }),
  }))

const barcodeSearches = (f: Fixture): HttpRequest[] =>
  f.barcodes.map((barcode, i) => ({
    method: 'POST',
    path: '/api/v1/products/search',
    headers: { ...auth(terminalKey(f, i)), ...json },
    body: JSON.stringify({ barcode }),
  }))

/** A register's shift: per 20 requests, 18 lookups, one receipt, one list or name search. */
function mixedRequests(f: Fixture): HttpRequest[] {
  const look = lookups(f, f.barcodes)
  const receipts = receiptBodies(f, 10)
  const list = listRequests(f)
  const search = nameSearches(f)
  return Array.from({ length: 200 }, (_, i) => {
    const slot = i % 20
    const pick = <T>(xs: T[], n: number) => xs[n % xs.length] as T
    if (slot === 0) return pick(receipts, i / 20)
    if (slot === 10) return (i / 20) % 2 ? pick(search, i) : pick(list, i)
    return pick(look, i)
  })
}

export function buildScenarios(f: Fixture): Scenario[] {
  const lookup = (over: Partial<Scenario> & Pick<Scenario, 'name' | 'title' | 'cache'>): Scenario => ({
    kind: 'lookup',
    routes: [BY_BARCODE],
    requests: lookups(f, f.barcodes),
    expectStatus: 200,
    connections: LOOKUP_CONNECTIONS,
    baseline: BASELINES.ceilingLookup,
    ...over,
  })
  return [
    lookup({ name: 'lookup-lru', title: 'Barcode lookup, in-process LRU hit', cache: 'lru' }),
    lookup({ name: 'lookup-redis', title: 'Barcode lookup, Redis hit (LRU off)', cache: 'redis' }),
    lookup({
      name: 'lookup-nocache',
      title: 'Barcode lookup, cache off (PostgreSQL every time)',
      cache: 'off',
      baseline: BASELINES.pgbenchPk,
    }),
    lookup({
      name: 'lookup-unknown',
      title: 'Unknown barcode (404, negative cache)',
      cache: 'lru',
      requests: lookups(f, f.unknownBarcodes),
      expectStatus: 404,
    }),
    lookup({
      name: 'lookup-1000-clients',
      title: 'Barcode lookup, cache off, 1,000 connections (pool check)',
      cache: 'off',
      connections: 1000,
      baseline: BASELINES.pgbenchLookup,
      sampleConnections: true,
    }),
    {
      name: 'barcode-search',
      title: 'Barcode search by POST /products/search {barcode}',
      kind: 'search',
      routes: [SEARCH],
      cache: 'lru',
      requests: barcodeSearches(f),
      expectStatus: 200,
      connections: LOOKUP_CONNECTIONS,
      baseline: 'ceiling:barcode-search',
      founding: true,
    },
    {
      name: 'product-list',
      title: 'Product list, 50 per page',
      kind: 'list',
      routes: [LIST],
      cache: 'lru',
      requests: listRequests(f),
      expectStatus: 200,
      connections: LOOKUP_CONNECTIONS,
      baseline: BASELINES.pgbenchList,
      founding: true,
    },
    {
      name: 'name-search',
      title: 'Name search POST /products/search {q}',
      kind: 'search',
      routes: [SEARCH],
      cache: 'lru',
      requests: nameSearches(f),
      expectStatus: 200,
      connections: LOOKUP_CONNECTIONS,
      baseline: BASELINES.pgbenchSearch,
    },
    {
      name: 'receipt-create',
      title: 'Receipt creation, 5 lines, card',
      kind: 'receipt',
      routes: [RECEIPTS],
      cache: 'lru',
      requests: receiptBodies(f, 400),
      expectStatus: 201,
      connections: RECEIPT_CONNECTIONS,
      baseline: BASELINES.pgbenchReceipt,
      founding: true,
    },
    {
      name: 'shift-mix',
      title: "A shift's POS traffic: 90 % lookups, 5 % receipts, 5 % list/search",
      kind: 'mixed',
      routes: [BY_BARCODE, RECEIPTS, LIST, SEARCH],
      cache: 'lru',
      requests: mixedRequests(f),
      // Mixed statuses (200 and 201): any 2xx passes.
      expectStatus: 200,
      connections: LOOKUP_CONNECTIONS,
      baseline: 'ceiling:shift-mix',
      cacheStats: true,
    },
  ]
}
