// Floors a run must clear (bench/thresholds.json): throughput relative to the scenario's baseline,
// absolute throughput and p95 from the founding design's success table, errors, pool size, cache
// hit rate. Pure functions, so the CI gate is unit-tested without load.
import type { Evaluation, Report, ScenarioResult } from './types'

export type Floor = {
  /** scenario req/s ÷ baseline req/s must be at least this. */
  minRatio?: number
  minReqPerSec?: number
  maxP95Ms?: number
  /** errors ÷ requests must not exceed this (0: none at all). */
  maxErrorRate?: number
  maxServerConnections?: number
  minCacheHitRate?: number
}

export type Thresholds = { defaults: Floor; scenarios: Record<string, Floor> }

export function evaluate(report: Pick<Report, 'scenarios'>, thresholds: Thresholds): Evaluation {
  const failures: string[] = []
  const notes: string[] = []
  for (const s of report.scenarios) {
    if (s.status === 'skipped') {
      notes.push(`${s.name}: skipped (${s.skipped ?? 'no reason'}); not gated`)
      continue
    }
    if (s.status === 'error' || !s.result) {
      failures.push(`${s.name}: did not run: ${s.error ?? 'no result'}`)
      continue
    }
    const floor: Floor = { ...thresholds.defaults, ...thresholds.scenarios[s.name] }
    failures.push(...checkScenario(s, floor, notes))
  }
  return { passed: failures.length === 0, failures, notes }
}

const fmt = (n: number, digits = 2) => Number(n.toFixed(digits)).toLocaleString('en')

function checkScenario(s: ScenarioResult, f: Floor, notes: string[]): string[] {
  const out: string[] = []
  const r = s.result
  if (!r) return out
  const rate = r.requests > 0 ? r.errors / r.requests : r.errors > 0 ? 1 : 0
  if (f.maxErrorRate !== undefined && rate > f.maxErrorRate) {
    out.push(
      `${s.name}: error rate ${fmt(rate * 100, 3)} % > ${fmt(f.maxErrorRate * 100, 3)} % (${r.errors} errors)`,
    )
  }
  if (r.requests === 0) out.push(`${s.name}: no request completed`)
  // The founding design's absolute floors are for its 4-CPU server. On a machine where the
  // scenario's own baseline (the database or a bare Bun.serve doing the same work) cannot clear a
  // floor, no build could: that floor is reported as a note, and the ratio floor does the gating.
  const baselineRps = s.baseline?.reqPerSec ?? null
  const hardwareBound = f.minReqPerSec !== undefined && baselineRps !== null && baselineRps < f.minReqPerSec
  if (f.minReqPerSec !== undefined && r.reqPerSec < f.minReqPerSec) {
    const line = `${s.name}: ${fmt(r.reqPerSec, 0)} req/s < floor ${fmt(f.minReqPerSec, 0)} req/s`
    if (hardwareBound)
      notes.push(`${line} (not gated: baseline ${fmt(baselineRps, 0)} req/s is below it too)`)
    else out.push(line)
  }
  if (f.maxP95Ms !== undefined && r.latencyMs.p95 > f.maxP95Ms) {
    const line = `${s.name}: p95 ${fmt(r.latencyMs.p95)} ms > ceiling ${fmt(f.maxP95Ms)} ms`
    const baselineP95 = s.baseline?.p95Ms ?? null
    if (hardwareBound) notes.push(`${line} (not gated: this machine's baseline misses the throughput floor)`)
    else if (baselineP95 !== null && baselineP95 > f.maxP95Ms)
      notes.push(`${line} (not gated: the baseline's own p95 is ${fmt(baselineP95)} ms)`)
    else out.push(line)
  }
  if (f.minRatio !== undefined) {
    const ratio = s.baseline?.ratio
    if (ratio === null || ratio === undefined) {
      out.push(`${s.name}: no ratio to baseline ${s.baseline?.name ?? '?'} (baseline did not run)`)
    } else if (ratio < f.minRatio) {
      out.push(`${s.name}: ${fmt(ratio, 3)}× of ${s.baseline?.name} < floor ${fmt(f.minRatio, 3)}×`)
    }
  }
  const conns = s.checks?.maxServerConnections
  if (
    f.maxServerConnections !== undefined &&
    conns !== undefined &&
    conns !== null &&
    conns > f.maxServerConnections
  ) {
    out.push(`${s.name}: ${conns} PostgreSQL server connections > ${f.maxServerConnections}`)
  }
  const hit = s.checks?.cacheHitRate
  if (f.minCacheHitRate !== undefined && hit !== undefined && hit !== null && hit < f.minCacheHitRate) {
    out.push(`${s.name}: cache hit rate ${fmt(hit * 100, 1)} % < ${fmt(f.minCacheHitRate * 100, 1)} %`)
  }
  return out
}
