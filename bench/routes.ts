// Which routes the server under test implements, from its OpenAPI document at /swagger/json.
import type { RouteRef } from './types'

export type RouteSet = { has(route: RouteRef): boolean; count: number }

export function routeSet(doc: unknown): RouteSet {
  const paths = (doc as { paths?: Record<string, Record<string, unknown>> }).paths ?? {}
  const known = new Set<string>()
  for (const [path, ops] of Object.entries(paths)) {
    // Elysia documents `:id` params as `{id}`; normalise both so either spelling matches.
    const normal = path.replace(/:(\w+)/g, '{$1}')
    for (const method of Object.keys(ops)) known.add(`${method.toLowerCase()} ${normal}`)
  }
  return { has: (r) => known.has(`${r.method} ${r.path}`), count: known.size }
}

export async function fetchRoutes(baseUrl: string): Promise<RouteSet> {
  const res = await fetch(`${baseUrl}/swagger/json`)
  if (!res.ok) throw new Error(`GET /swagger/json answered ${res.status}`)
  return routeSet(await res.json())
}

export const routeLabel = (r: RouteRef) => `${r.method.toUpperCase()} ${r.path}`
