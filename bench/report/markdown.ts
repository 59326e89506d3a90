// The human-readable report: one table of scenarios, one of baselines, and the gate's verdict.
import type { Report } from '../types'

const n = (x: number | null | undefined, d = 0) =>
  x === null || x === undefined ? '—' : Number(x.toFixed(d)).toLocaleString('en')

export function markdownReport(r: Report): string {
  const out: string[] = []
  out.push(`# Benchmark: ${r.suite}`, '')
  out.push(
    `${r.startedAt} · commit ${r.git.commit?.slice(0, 10) ?? 'unknown'}${r.git.dirty ? ' (dirty)' : ''} · ` +
      `${r.machine.cores} cores (${r.machine.cpu}), load ${r.machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
    '',
    `Server: ${r.pinning.server}; load engine: ${r.pinning.engine}; PostgreSQL/PgBouncer/Redis: ${r.pinning.services}. ` +
      `Engine: ${r.engine.version} — ${r.engine.note}. Warm-up ${r.timing.warmupS} s, measured ${r.timing.durationS} s ` +
      `(baselines ${r.timing.baselineWarmupS} s + ${r.timing.baselineDurationS} s). Data set ${r.dataSet.namespace}.`,
    '',
    '| scenario | cache | conns | req/s | p50 ms | p95 ms | p99 ms | errors | baseline | × baseline |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---:|',
  )
  for (const s of r.scenarios) {
    const mark = s.founding ? ' ★' : ''
    if (s.status !== 'ok' || !s.result) {
      out.push(
        `| ${s.name}${mark} | ${s.cache} | ${s.connections} | ${s.status}: ${s.skipped ?? s.error ?? ''} | | | | | ${s.baseline?.name ?? ''} | |`,
      )
      continue
    }
    const res = s.result
    out.push(
      `| ${s.name}${mark} | ${s.cache} | ${s.connections} | ${n(res.reqPerSec)} | ${n(res.latencyMs.p50, 2)} | ${n(res.latencyMs.p95, 2)} | ${n(res.latencyMs.p99, 2)} | ${res.errors} | ${s.baseline?.name ?? ''} | ${n(s.baseline?.ratio, 3)} |`,
    )
  }
  out.push('', '★ one of the founding design’s three measurements.', '')
  const paired = r.scenarios.filter((s) => s.paired?.length)
  if (paired.length) {
    out.push(
      `× ceiling is the median of ${r.timing.pairedRounds} rounds measured right after the scenario, ` +
        `${r.timing.pairedSliceS} s of the scenario and ${r.timing.pairedSliceS} s of the ceiling in turn ` +
        '(the order alternating), its req/s the median of those ceiling slices:',
      '',
    )
    for (const s of paired) {
      const rounds = (s.paired ?? []).map(
        (p) => `${n(p.reqPerSec)} / ${n(p.baselineReqPerSec)} = ${n(p.reqPerSec / p.baselineReqPerSec, 3)}`,
      )
      out.push(`- ${s.name}: ${rounds.join('; ')}`)
    }
    out.push('')
  }
  out.push(
    '| baseline | conns | req/s | p50 ms | p95 ms | p99 ms | errors | what |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  )
  for (const b of r.baselines) {
    out.push(
      `| ${b.name} | ${b.connections} | ${n(b.reqPerSec)} | ${n(b.latencyMs.p50, 2)} | ${n(b.latencyMs.p95, 2)} | ${n(b.latencyMs.p99, 2)} | ${b.errors} | ${b.description} |`,
    )
  }
  const checks = r.scenarios.filter((s) => s.checks)
  if (checks.length) {
    out.push('', '## Checks', '')
    for (const s of checks) {
      if (s.checks?.maxServerConnections !== undefined) {
        out.push(
          `- ${s.name}: at most ${n(s.checks.maxServerConnections)} PostgreSQL server connections over ${s.checks.serverConnectionSamples ?? 0} samples (pool limit 50)`,
        )
      }
      if (s.checks?.cacheHitRate !== undefined) {
        out.push(
          `- ${s.name}: cache hit rate ${s.checks.cacheHitRate === null ? 'n/a (no /api/v1/cache/stats)' : `${n(s.checks.cacheHitRate * 100, 1)} %`}`,
        )
      }
    }
  }
  if (r.evaluation) {
    out.push('', `## Gate: ${r.evaluation.passed ? 'passed' : 'FAILED'}`, '')
    for (const f of r.evaluation.failures) out.push(`- ✗ ${f}`)
    for (const note of r.evaluation.notes) out.push(`- ${note}`)
  }
  return `${out.join('\n')}\n`
}
