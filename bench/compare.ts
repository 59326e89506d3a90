// `bun run bench:compare A.json B.json`: the change from run A to run B per scenario and baseline.
import { readFileSync } from 'node:fs'
import type { Report } from './types'

export type Change = {
  name: string
  reqPerSec: [number | null, number | null]
  p95Ms: [number | null, number | null]
  ratio: [number | null, number | null]
}

type Row = { reqPerSec: number | null; p95Ms: number | null; ratio: number | null }

function rows(report: Report): Map<string, Row> {
  const m = new Map<string, Row>()
  for (const b of report.baselines)
    m.set(`[baseline] ${b.name}`, { reqPerSec: b.reqPerSec, p95Ms: b.latencyMs.p95, ratio: null })
  for (const s of report.scenarios) {
    m.set(s.name, {
      reqPerSec: s.result?.reqPerSec ?? null,
      p95Ms: s.result?.latencyMs.p95 ?? null,
      ratio: s.baseline?.ratio ?? null,
    })
  }
  return m
}

export function compareReports(a: Report, b: Report): Change[] {
  const ra = rows(a)
  const rb = rows(b)
  const names = [...new Set([...ra.keys(), ...rb.keys()])]
  return names.map((name) => {
    const x = ra.get(name)
    const y = rb.get(name)
    return {
      name,
      reqPerSec: [x?.reqPerSec ?? null, y?.reqPerSec ?? null],
      p95Ms: [x?.p95Ms ?? null, y?.p95Ms ?? null],
      ratio: [x?.ratio ?? null, y?.ratio ?? null],
    }
  })
}

/** "+12.3 %" or "n/a" when either side is missing. */
export function pctChange([a, b]: [number | null, number | null]): string {
  if (a === null || b === null || a === 0) return 'n/a'
  const pct = ((b - a) / a) * 100
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`
}

export function formatComparison(changes: Change[]): string {
  const num = (n: number | null, d = 0) => (n === null ? '—' : n.toFixed(d))
  const lines = [
    '| scenario | req/s A | req/s B | Δ req/s | p95 A (ms) | p95 B (ms) | Δ p95 | ratio A | ratio B |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const c of changes) {
    lines.push(
      `| ${c.name} | ${num(c.reqPerSec[0])} | ${num(c.reqPerSec[1])} | ${pctChange(c.reqPerSec)} | ${num(c.p95Ms[0], 2)} | ${num(c.p95Ms[1], 2)} | ${pctChange(c.p95Ms)} | ${num(c.ratio[0], 3)} | ${num(c.ratio[1], 3)} |`,
    )
  }
  return lines.join('\n')
}

if (import.meta.main) {
  const [fa, fb] = process.argv.slice(2)
  if (!fa || !fb) {
    console.error('usage: bun run bench:compare A.json B.json')
    process.exit(2)
  }
  const load = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Report
  console.log(formatComparison(compareReports(load(fa), load(fb))))
}
