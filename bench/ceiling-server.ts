// The ceiling baseline: a bare Bun.serve whose routes, in Bun's own router, answer with the exact
// bytes (and status) the real server gave for them, so the load engine, HTTP stack, routing and
// response size are the same and only the application's own work is missing.
// Usage: bun bench/ceiling-server.ts responses.json
import { readFileSync } from 'node:fs'
import { bunRoutePattern, type CapturedResponse } from './captured'

const file = process.argv[2]
if (!file) throw new Error('usage: bun bench/ceiling-server.ts responses.json')
const captured = JSON.parse(readFileSync(file, 'utf8')) as CapturedResponse[]
const routes: Record<string, Record<string, () => Response>> = {}
for (const c of captured) {
  const bytes = new TextEncoder().encode(c.body)
  const init = { status: c.status, headers: { 'content-type': c.contentType } }
  routes[bunRoutePattern(c.route)] = {
    ...routes[bunRoutePattern(c.route)],
    [c.method]: () => new Response(bytes, init),
  }
}

Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  routes: { ...routes, '/__ready': new Response('ok') },
  fetch: () => new Response('not captured', { status: 599 }),
})
