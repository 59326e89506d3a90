// The ceiling baseline: a bare Bun.serve that answers each route with the exact bytes (and status)
// the real server gave for it, so the load engine, HTTP stack and response size are the same and
// only the application's own work is missing. Usage: bun bench/ceiling-server.ts responses.json
import { readFileSync } from 'node:fs'
import { type CapturedResponse, longestPrefixFirst, replayed } from './captured'

const file = process.argv[2]
if (!file) throw new Error('usage: bun bench/ceiling-server.ts responses.json')
const routes = longestPrefixFirst(JSON.parse(readFileSync(file, 'utf8')) as CapturedResponse[]).map((r) => ({
  ...r,
  bytes: new TextEncoder().encode(r.body),
}))

Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  fetch(req) {
    const url = req.url
    const path = url.slice(url.indexOf('/', url.indexOf('//') + 2))
    if (path === '/__ready') return new Response('ok')
    const r = replayed(routes, req.method, path)
    if (r) return new Response(r.bytes, { status: r.status, headers: { 'content-type': r.contentType } })
    return new Response('not captured', { status: 599 })
  },
})
