import { Elysia, t } from 'elysia'
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client'
import { registry } from '../infra/metrics'

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[]

/**
 * GET /metrics in the Prometheus text format. With WORKERS > 1 each worker also serves its own
 * numbers as JSON on a private loopback port; whichever worker answers the scrape gathers them all
 * and sums them, so one scrape of the shared port sees the whole host.
 */
export const metricsRoute = (workerPorts: readonly number[] = []) =>
  new Elysia({ name: 'metrics', detail: { tags: ['Operations'] } }).get(
    '/metrics',
    async ({ set }) => {
      set.headers['content-type'] = registry.contentType
      if (workerPorts.length === 0) return registry.metrics()
      const parts = await Promise.all(
        workerPorts.map((port) =>
          fetch(`http://127.0.0.1:${port}/metrics.json`, { signal: AbortSignal.timeout(2000) })
            .then((r) => r.json() as Promise<MetricsJson>)
            .catch(() => undefined),
        ),
      )
      return AggregatorRegistry.aggregate(parts.filter((p): p is MetricsJson => p !== undefined)).metrics()
    },
    {
      detail: {
        summary: 'Prometheus metrics (text format); with several workers, the sum over all of them',
      },
      response: { 200: t.String({ description: 'Prometheus text exposition format' }) },
    },
  )

/** This worker's metrics as JSON on a loopback port, for the scrape aggregation above. */
export function serveWorkerMetrics(port: number) {
  return Bun.serve({
    port,
    hostname: '127.0.0.1',
    async fetch(request) {
      if (new URL(request.url).pathname !== '/metrics.json') return new Response('not found', { status: 404 })
      return Response.json(await registry.getMetricsAsJSON())
    },
  })
}
