// The contract's floor for a cached barcode lookup: a bare Bun.serve that does only the work the
// contract asks of every answer (find the bearer key, check the barcode, find the product's bytes,
// a request id, the three RateLimit-* values), each in the cheapest way, with plain Maps. Measured
// against bench/ceiling-server.ts and the API in alternating runs, it shows how much of the gap to
// the ceiling the contract itself costs and how much the service's own machinery (lru-cache with
// TTLs, the rate limiter, metrics, access log) adds: `bun bench/floor.ts` runs them all.
// WORK=bearer does only the first step, finding the bearer key, and answers like the ceiling: what
// reading one request header costs in Bun.
// Usage: KEY=<api key> BARCODE=<barcode> PORT=<port> [WORK=bearer] bun bench/contract-floor-server.ts body.json
import { readFileSync } from 'node:fs'
import type { BunRequest } from 'bun'

const [file] = process.argv.slice(2)
const { KEY, BARCODE, PORT, WORK } = process.env
if (!file || !KEY || !BARCODE)
  throw new Error('usage: KEY=… BARCODE=… bun bench/contract-floor-server.ts body.json')
const LIMIT = 1_000_000
const keys = new Map([[KEY, { tenant: 'bench' }]])
const bytes = new TextEncoder().encode(readFileSync(file, 'utf8').trim())
const products = new Map([[BARCODE, bytes]])
const BARCODE_FORM = /^[0-9A-Za-z.-]{1,64}$/
const headers = new Headers({ 'content-type': 'application/json', 'ratelimit-limit': String(LIMIT) })
const plain = { headers: { 'content-type': 'application/json' } }
let taken = 0

const keyOf = (request: Request) => {
  const authorization = request.headers.get('authorization')
  return authorization?.startsWith('Bearer ') ? keys.get(authorization.slice(7)) : undefined
}

const bearerOnly = (request: Request) =>
  keyOf(request) ? new Response(bytes, plain) : new Response(null, { status: 401 })

function contract(request: BunRequest<'/api/v1/products/by-barcode/:barcode'>) {
  if (!keyOf(request)) return new Response(null, { status: 401 })
  const { barcode } = request.params
  if (!BARCODE_FORM.test(barcode)) return new Response(null, { status: 400 })
  const found = products.get(barcode)
  if (!found) return new Response(null, { status: 404 })
  taken++
  headers.set('x-request-id', crypto.randomUUID())
  headers.set('ratelimit-remaining', String(LIMIT - (taken % LIMIT)))
  headers.set('ratelimit-reset', '1')
  return new Response(found, { headers })
}

Bun.serve({
  port: Number(PORT ?? 0),
  hostname: '127.0.0.1',
  routes: {
    '/__ready': new Response('ok'),
    '/api/v1/products/by-barcode/:barcode': { GET: WORK === 'bearer' ? bearerOnly : contract },
  },
})
