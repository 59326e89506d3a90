import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import { HotHistogram } from './hot-histogram'

// Every metric the service exports, in one registry per process. Names and labels are what the
// Prometheus rules and Grafana dashboards in deploy/ query; a test checks they stay in step.

export const registry = new Registry()
collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 })

const httpDuration = new HotHistogram(
  'http_request_duration_seconds',
  'HTTP request duration by method, route template and status',
  ['method', 'route', 'status'] as const,
  // From sub-millisecond cache hits to slow reports.
  [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registry,
)

/**
 * A prom-client Counter for hot paths: a child's `inc()` is a plain addition, and the sums are
 * handed to prom-client when the counter is collected (each scrape, and the workers' aggregation),
 * so an increment does not pay for prom-client's label validation and hashing every time.
 */
function hotCounter<N extends string>(config: { name: string; help: string; labelNames: readonly N[] }) {
  const pending: { labels: Partial<Record<N, string>>; n: number }[] = []
  new Counter<N>({
    ...config,
    registers: [registry],
    collect() {
      for (const p of pending)
        if (p.n > 0) {
          this.inc(p.labels, p.n)
          p.n = 0
        }
    },
  })
  return (labels: Partial<Record<N, string>>) => {
    const p = { labels, n: 0 }
    pending.push(p)
    return {
      inc() {
        p.n++
      },
    }
  }
}

const httpRequests = hotCounter({
  name: 'http_requests_total',
  help: 'HTTP requests by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
})

export const dbQueryDuration = new HotHistogram(
  'db_query_duration_seconds',
  'PostgreSQL statement duration by operation (select, insert, update, delete, call, …) and main table',
  ['operation', 'table'] as const,
  [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registry,
)

/** The PostgreSQL pools of this process: statements in flight and configured size, read at scrape. */
const pools = new Set<{ inFlight: number; size: number }>()

export function trackPool(size: number) {
  const pool = { inFlight: 0, size }
  pools.add(pool)
  return { pool, release: () => pools.delete(pool) }
}

new Gauge({
  name: 'db_pool_connections',
  help: 'Database pool of this process: in_use and waiting from statements in flight, size the configured maximum',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    const total = { in_use: 0, waiting: 0, idle: 0, size: 0 }
    for (const { inFlight, size } of pools) {
      total.in_use += Math.min(inFlight, size)
      total.waiting += Math.max(0, inFlight - size)
      total.idle += Math.max(0, size - inFlight)
      total.size += size
    }
    for (const [state, value] of Object.entries(total)) this.set({ state }, value)
  },
})

/** Catalog cache lookups: one child per tier and result, counted on every barcode scan. */
export const cacheRequests = hotCounter({
  name: 'cache_requests_total',
  help: 'Catalog cache lookups by tier (lru, redis) and result (hit, miss, negative_hit)',
  labelNames: ['tier', 'result'] as const,
})

export const cacheInvalidations = new Counter({
  name: 'cache_invalidations_total',
  help: 'Invalidation messages sent to and received from other instances, by type',
  labelNames: ['direction', 'type'] as const,
  registers: [registry],
})

export const idempotentReplays = new Counter({
  name: 'idempotent_replays_total',
  help: 'Requests answered by replaying the stored response of their Idempotency-Key',
  labelNames: ['route'] as const,
  registers: [registry],
})

export const receiptsCreated = new Counter({
  name: 'receipts_created_total',
  help: 'Receipts recorded (replays not counted)',
  registers: [registry],
})

export const receiptsAmount = new Counter({
  name: 'receipts_amount_minor_total',
  help: 'Money of recorded receipts, in minor units',
  registers: [registry],
})

export const refundsCreated = new Counter({
  name: 'refunds_created_total',
  help: 'Refunds recorded',
  registers: [registry],
})

export const refundsAmount = new Counter({
  name: 'refunds_amount_minor_total',
  help: 'Money refunded, in minor units',
  registers: [registry],
})

export const rateLimited = new Counter({
  name: 'rate_limited_requests_total',
  help: 'Requests refused with 429 by the per-key rate limiter',
  registers: [registry],
})

type HttpChild = { duration: { observe(v: number): void }; count: { inc(): void } }
/** method → route → status → child: map probes on strings the caller already holds, no key to build. */
const httpChildren = new Map<string, Map<string, Map<number, HttpChild>>>()

/** Records one HTTP answer (label children made once per method, route and status). */
export function observeHttp(method: string, route: string, status: number, seconds: number) {
  let routes = httpChildren.get(method)
  if (!routes) {
    routes = new Map()
    httpChildren.set(method, routes)
  }
  let statuses = routes.get(route)
  if (!statuses) {
    statuses = new Map()
    routes.set(route, statuses)
  }
  let child = statuses.get(status)
  if (!child) {
    const labels = { method, route, status: String(status) }
    child = { duration: httpDuration.child(labels), count: httpRequests(labels) }
    statuses.set(status, child)
  }
  child.duration.observe(seconds)
  child.count.inc()
}
