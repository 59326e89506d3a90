// The ceiling baseline: a bare Bun.serve that answers each route with the exact bytes (and status)
// the real server gave for it, so the load engine, HTTP stack and response size are the same and
// only the application's own work is missing. Usage: bun bench/ceiling-server.ts responses.json
import { readFileSync } from 'node:fs'

export type CapturedResponse = {
  method: string
  prefix: string
  status: number
  contentType: string
  body: string
}

const file = process.argv[2]
if (!file) throw new Error('usage: bun bench/ceiling-server.ts responses.json')
// Longest prefix first, so /api/v1/products/by-barcode/… wins over /api/v1/products.
const routes = (JSON.parse(readFileSync(file, 'utf8')) as CapturedResponse[])
  .sort((a, b) => b.prefix.length - a.prefix.length)
  .map((r) => ({ ...r, bytes: new TextEncoder().encode(r.body) }))

Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  fetch(req) {
    const url = req.url
    const path = url.slice(url.indexOf('/', url.indexOf('//') + 2))
    if (path === '/__ready') return new Response('ok')
    for (const r of routes) {
      if (r.method === req.method && path.startsWith(r.prefix)) {
        return new Response(r.bytes, { status: r.status, headers: { 'content-type': r.contentType } })
      }
    }
    return new Response('not captured', { status: 599 })
  },
})
