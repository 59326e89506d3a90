// pgbench baselines: the lookup, primary-key select, receipt, list and search SQL of bench/pgbench/*.sql through PgBouncer (the URL the
// server uses) at the scenario's concurrency, extended protocol with unnamed statements like
// postgres.js with prepare: false. Percentiles come from pgbench's per-transaction log.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Fixture } from '../db/seed/bench-fixture'
import type { LoadResult } from './types'

export const PGBENCH_SCRIPTS = ['lookup', 'pk', 'receipt', 'list', 'search'] as const
export type PgbenchScript = (typeof PGBENCH_SCRIPTS)[number]

export type PgbenchRun = {
  script: PgbenchScript
  url: string
  fixture: Fixture
  connections: number
  durationS: number
  cpus?: string
  workDir: string
}

export function pgbenchBinary(): string | undefined {
  for (const p of ['/usr/lib/postgresql/15/bin/pgbench', '/usr/bin/pgbench'])
    if (Bun.file(p).size > 0) return p
  return Bun.which('pgbench') ?? undefined
}

function variables(f: Fixture, script: PgbenchRun['script']): string[] {
  const perTenant = f.params.storesPerTenant * f.params.terminalsPerStore
  const products = { tenant: f.tenantId, np: f.productCount, pp: `${f.namespace}:p:0:` }
  const byScript: Record<PgbenchScript, Record<string, string | number>> = {
    list: { tenant: f.tenantId },
    search: { tenant: f.tenantId },
    lookup: { tenant: f.tenantId, tidx: f.tenantIndex, np: f.productCount },
    pk: products,
    receipt: {
      ...products,
      nterm: Math.min(perTenant, f.terminals.length),
      k: f.params.terminalsPerStore,
      kp: `${f.namespace}:k:`,
      sp: `${f.namespace}:s:0:`,
      wp: `${f.namespace}:w:0:`,
      op: `${f.namespace}:open:`,
    },
  }
  const vars = byScript[script]
  return Object.entries(vars).flatMap(([k, v]) => ['-D', `${k}=${v}`])
}

/** Per-transaction log lines → latencies in ms (column 3 is the time in µs). */
export function latenciesFromLog(text: string): number[] {
  const out: number[] = []
  for (const line of text.split('\n')) {
    const us = Number(line.split(' ')[2])
    if (Number.isFinite(us) && line) out.push(us / 1000)
  }
  return out
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i] ?? 0
}

/** Totals from pgbench's summary. */
export function parsePgbenchSummary(stdout: string) {
  const num = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? Number.NaN)
  return {
    processed: num(/number of transactions actually processed: (\d+)/),
    failed: num(/number of failed transactions: (\d+)/) || 0,
    tps: num(/tps = ([\d.]+) \(without initial connection time\)/),
  }
}

export async function runPgbench(run: PgbenchRun, bin: string): Promise<LoadResult> {
  const dir = join(run.workDir, `pgbench-${run.script}-${Date.now()}`)
  mkdirSync(dir, { recursive: true })
  const argv = [
    bin,
    '-n',
    '-M',
    'extended',
    '-c',
    String(run.connections),
    '-j',
    '1',
    '-T',
    String(run.durationS),
    '-l',
    `--log-prefix=${join(dir, 'tx')}`,
    '-f',
    resolve(import.meta.dir, `pgbench/${run.script}.sql`),
    ...variables(run.fixture, run.script),
    run.url,
  ]
  const proc = Bun.spawn(run.cpus ? ['taskset', '-c', run.cpus, ...argv] : argv, {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  try {
    const summary = parsePgbenchSummary(stdout)
    if (code !== 0 || !Number.isFinite(summary.tps)) {
      throw new Error(
        `pgbench ${run.script} exited with ${code}: ${stderr.split('\n').slice(0, 5).join('\n')}`,
      )
    }
    const latencies = readdirSync(dir)
      .flatMap((f) => latenciesFromLog(readFileSync(join(dir, f), 'utf8')))
      .sort((a, b) => a - b)
    const r = (x: number) => Math.round(x * 1000) / 1000
    return {
      engine: 'pgbench',
      requests: summary.processed,
      durationS: run.durationS,
      reqPerSec: summary.tps,
      errors: summary.failed,
      errorDetail: { failed: summary.failed },
      latencyMs: {
        p50: r(percentile(latencies, 50)),
        p90: r(percentile(latencies, 90)),
        p95: r(percentile(latencies, 95)),
        p99: r(percentile(latencies, 99)),
        max: r(latencies.at(-1) ?? 0),
      },
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
