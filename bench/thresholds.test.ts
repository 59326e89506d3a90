import { describe, expect, test } from 'bun:test'
import { evaluate, type Thresholds } from './thresholds'
import type { ScenarioResult } from './types'

const ok = (
  name: string,
  over: { rps?: number; p95?: number; errors?: number; ratio?: number | null } = {},
) =>
  ({
    name,
    title: name,
    kind: 'lookup',
    routes: [],
    cache: 'lru',
    connections: 64,
    founding: false,
    status: 'ok',
    result: {
      engine: 'wrk',
      requests: 100_000,
      durationS: 10,
      reqPerSec: over.rps ?? 10_000,
      errors: over.errors ?? 0,
      errorDetail: {},
      latencyMs: { p50: 3, p90: 8, p95: over.p95 ?? 10, p99: 20, max: 40 },
    },
    baseline: {
      name: 'ceiling:lookup',
      reqPerSec: 40_000,
      ratio: over.ratio === undefined ? 0.25 : over.ratio,
    },
  }) satisfies ScenarioResult

const thresholds: Thresholds = {
  defaults: { maxErrorRate: 0 },
  scenarios: {
    'lookup-lru': { minRatio: 0.14, minReqPerSec: 1000, maxP95Ms: 50 },
    'receipt-create': { minRatio: 0.6, minReqPerSec: 500, maxP95Ms: 100 },
  },
}

describe('evaluate', () => {
  test('a healthy run passes', () => {
    expect(evaluate({ scenarios: [ok('lookup-lru')] }, thresholds)).toEqual({
      passed: true,
      failures: [],
      notes: [],
    })
  })

  test('a 2× slower build fails on its ratio to the baseline, naming the scenario', () => {
    const r = evaluate({ scenarios: [ok('lookup-lru', { rps: 5_000, ratio: 0.125 })] }, thresholds)
    expect(r.passed).toBe(false)
    expect(r.failures).toEqual(['lookup-lru: 0.125× of ceiling:lookup < floor 0.14×'])
  })

  test('absolute floors, p95 and any error fail', () => {
    const r = evaluate({ scenarios: [ok('lookup-lru', { rps: 900, p95: 51, errors: 1 })] }, thresholds)
    expect(r.failures.map((f) => f.split(':')[1]?.trim().split(' ')[0])).toEqual(['error', '900', 'p95'])
  })

  test('a missing baseline fails a ratio floor rather than passing silently', () => {
    const r = evaluate({ scenarios: [ok('lookup-lru', { ratio: null })] }, thresholds)
    expect(r.failures[0]).toContain('baseline did not run')
  })

  test('skipped scenarios are reported, not failed; scenarios that crashed fail', () => {
    const skipped: ScenarioResult = {
      ...ok('receipt-create'),
      status: 'skipped',
      skipped: 'route not implemented',
    }
    const crashed: ScenarioResult = { ...ok('product-list'), status: 'error', error: 'wrk exited with 1' }
    const r = evaluate({ scenarios: [skipped, crashed] }, thresholds)
    expect(r.notes).toEqual(['receipt-create: skipped (route not implemented); not gated'])
    expect(r.failures).toEqual(['product-list: did not run: wrk exited with 1'])
  })

  test('pool and cache checks', () => {
    const s = { ...ok('mix'), checks: { maxServerConnections: 51, cacheHitRate: 0.5 } }
    const r = evaluate(
      { scenarios: [s] },
      { defaults: {}, scenarios: { mix: { maxServerConnections: 50, minCacheHitRate: 0.8 } } },
    )
    expect(r.failures).toEqual([
      'mix: 51 PostgreSQL server connections > 50',
      'mix: cache hit rate 50 % < 80 %',
    ])
  })
})

describe('absolute floors the machine itself cannot reach', () => {
  test('are notes when the baseline misses them too, failures when only the service does', () => {
    const slowBox = { ...ok('lookup-lru', { rps: 400, p95: 90, ratio: 0.8 }) }
    slowBox.baseline = { name: 'pgbench:receipt', reqPerSec: 500, ratio: 0.8 }
    const onSlowBox = evaluate({ scenarios: [slowBox] }, thresholds)
    expect(onSlowBox.passed).toBe(true)
    expect(onSlowBox.notes.some((n) => n.includes('not gated'))).toBe(true)
    const slowService = evaluate({ scenarios: [ok('lookup-lru', { rps: 400, p95: 90 })] }, thresholds)
    expect(slowService.passed).toBe(false)
    expect(slowService.failures).toHaveLength(2)
  })

  test('a p95 ceiling the baseline misses too is a note; one only the service misses fails', () => {
    const run = (baselineP95: number) => {
      const s: ScenarioResult = ok('receipt-create', { rps: 900, p95: 220, ratio: 1.1 })
      s.baseline = { name: 'pgbench:receipt', reqPerSec: 800, ratio: 1.1, p95Ms: baselineP95 }
      return evaluate({ scenarios: [s] }, thresholds)
    }
    const busyDatabase = run(127)
    expect(busyDatabase.passed).toBe(true)
    expect(busyDatabase.notes.some((n) => n.includes("the baseline's own p95 is 127 ms"))).toBe(true)
    expect(run(60).failures).toEqual(['receipt-create: p95 220 ms > ceiling 100 ms'])
  })
})
