import { describe, expect, test } from 'bun:test'
import { AggregatorRegistry, Histogram, Registry } from 'prom-client'
import { HotHistogram } from './hot-histogram'

// The hot histogram must be indistinguishable from prom-client's own to a scrape and to the
// workers' aggregation: both are fed the same observations and compared.

const buckets = [0.001, 0.01, 0.1, 1]
const labelNames = ['method', 'status'] as const
const observations: [Record<(typeof labelNames)[number], string>, number][] = [
  [{ method: 'GET', status: '200' }, 0.0004],
  [{ method: 'GET', status: '200' }, 0.001],
  [{ method: 'GET', status: '200' }, 0.05],
  [{ method: 'GET', status: '404' }, 0.3],
  [{ method: 'POST', status: '201' }, 7],
  [{ method: 'GET', status: '200' }, 0.0011],
]

function both() {
  const reference = new Registry()
  const hot = new Registry()
  const histogram = new Histogram({ name: 'd', help: 'h', labelNames, buckets, registers: [reference] })
  const hotHistogram = new HotHistogram('d', 'h', labelNames, buckets, hot)
  for (const [labels, value] of observations) {
    histogram.observe(labels, value)
    hotHistogram.child(labels).observe(value)
  }
  return { reference, hot, hotHistogram }
}

describe('hot histogram', () => {
  test('prints what prom-client prints for the same observations', async () => {
    const { reference, hot } = both()
    expect(await hot.metrics()).toBe(await reference.metrics())
  })

  test('aggregates across workers like prom-client', async () => {
    const a = both()
    const b = both()
    const expected = AggregatorRegistry.aggregate([
      await a.reference.getMetricsAsJSON(),
      await b.reference.getMetricsAsJSON(),
    ])
    const actual = AggregatorRegistry.aggregate([
      await a.hot.getMetricsAsJSON(),
      await b.hot.getMetricsAsJSON(),
    ])
    expect(await actual.metrics()).toBe(await expected.metrics())
    expect(await actual.metrics()).toContain('d_count{method="GET",status="200"} 8')
  })

  test('reset zeroes the series and children keep counting', async () => {
    const { hot, hotHistogram } = both()
    const child = hotHistogram.child({ method: 'GET', status: '200' })
    hot.resetMetrics()
    child.observe(0.5)
    const text = await hot.metrics()
    expect(text).toContain('d_bucket{le="0.1",method="GET",status="200"} 0')
    expect(text).toContain('d_bucket{le="1",method="GET",status="200"} 1')
    expect(text).toContain('d_count{method="GET",status="404"} 0')
  })
})
