import { describe, expect, test } from 'bun:test'
import { compareReports, formatComparison, pctChange } from './compare'
import type { Report } from './types'

const report = (rps: number, p95: number): Report =>
  ({
    baselines: [
      {
        name: 'ceiling:lookup',
        kind: 'ceiling',
        description: '',
        connections: 64,
        engine: 'wrk',
        requests: 1,
        durationS: 1,
        reqPerSec: 40_000,
        errors: 0,
        errorDetail: {},
        latencyMs: { p50: 1, p90: 1, p95: 2, p99: 3, max: 4 },
      },
    ],
    scenarios: [
      {
        name: 'lookup-lru',
        result: { reqPerSec: rps, latencyMs: { p50: 1, p90: 2, p95: p95, p99: 4, max: 5 } },
        baseline: { name: 'ceiling:lookup', reqPerSec: 40_000, ratio: rps / 40_000 },
      },
      { name: 'receipt-create', status: 'skipped' },
    ],
  }) as unknown as Report

describe('compare', () => {
  test('per-scenario change in req/s, p95 and ratio', () => {
    const changes = compareReports(report(10_000, 10), report(5_000, 20))
    const lookup = changes.find((c) => c.name === 'lookup-lru')
    expect(lookup?.reqPerSec).toEqual([10_000, 5_000])
    expect(pctChange(lookup?.reqPerSec ?? [null, null])).toBe('-50.0 %')
    expect(pctChange(lookup?.p95Ms ?? [null, null])).toBe('+100.0 %')
    expect(changes.map((c) => c.name)).toEqual(['[baseline] ceiling:lookup', 'lookup-lru', 'receipt-create'])
    const text = formatComparison(changes)
    expect(text).toContain(
      '| lookup-lru | 10000 | 5000 | -50.0 % | 10.00 | 20.00 | +100.0 % | 0.250 | 0.125 |',
    )
    expect(text).toContain('| receipt-create | — | — | n/a |')
  })
})
