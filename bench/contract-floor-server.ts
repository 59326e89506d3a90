// The contract's floor for a cached barcode lookup: a bare Bun.serve that does only the work the
// contract asks of every answer (find the bearer key, check the barcode, find the product's bytes,
// a request id, the three RateLimit-* values), each in the cheapest way, with plain Maps. Measured
// against bench/ceiling-server.ts and the API in alternating runs, it shows how much of the gap to
// the ceiling the contract itself costs and how much the service's own machinery (lru-cache with
// TTLs, the rate limiter, metrics, access log) adds: `bun bench/floor.ts` runs all three.
// Usage: KEY=<api key> BARCODE=<barcode> PORT=<port> bun bench/contract-floor-server.ts body.json
import { readFileSync } from 'node:fs'

const [file] = process.argv.slice(2)
const { KEY, BARCODE, PORT } = process.env
if (!file || !KEY || !BARCODE)
  throw new Error('usage: KEY=… BARCODE=… bun bench/contract-floor-server.ts body.json')
const LIMIT = 1_000_000
const keys = new Map([[KEY, { tenant: 'bench' }]])
const products = new Map([[BARCODE, new TextEncoder().encode(readFileSync(file, 'utf8').trim())]])
const BARCODE_FORM = /^[0-9A-Za-z.-]{1,64}$/
const headers = new Headers({ 'content-type': 'application/json', 'ratelimit-limit': String(LIMIT) })
let taken = 0

Bun.serve({
  port: Number(PORT ?? 0),
  hostname: '127.0.0.1',
  routes: {
    '/__ready': new Response('ok'),
    '/api/v1/products/by-barcode/:barcode': {
      GET(request) {
        const authorization = request.headers.get('authorization')
        const key = authorization?.startsWith('Bearer ') ? keys.get(authorization.slice(7)) : undefined
        if (!key) return new Response(null, { status: 401 })
        const { barcode } = request.params
        if (!BARCODE_FORM.test(barcode)) return new Response(null, { status: 400 })
        const bytes = products.get(barcode)
        if (!bytes) return new Response(null, { status: 404 })
        taken++
        headers.set('x-request-id', crypto.randomUUID())
        headers.set('ratelimit-remaining', String(LIMIT - (taken % LIMIT)))
        headers.set('ratelimit-reset', '1')
        return new Response(bytes, { headers })
      },
    },
  },
})
