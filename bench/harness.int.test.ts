// The harness end to end: bench:ci with a two-scenario config (bench/config/tiny.json), once as is
// and once with the server slowed by POS_TEST_LOOKUP_DELAY_MS=20 — the gate must catch the second.
// Needs the real services (DATABASE_URL from the test script, or BENCH_INT=1 to let the harness
// start its own); in embedded mode there is nothing to benchmark, so it is skipped there.
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Report } from './types'

const ROOT = resolve(import.meta.dir, '..')
const enabled = Boolean(process.env.DATABASE_URL) || process.env.BENCH_INT === '1'

async function benchCi(out: string, env: Record<string, string>) {
  const proc = Bun.spawn(
    [process.execPath, 'bench/run.ts', '--config', 'bench/config/tiny.json', '--out', out],
    { cwd: ROOT, env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' },
  )
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Report
  return { code, output: stdout + stderr, report }
}

describe.skipIf(!enabled)('bench:ci harness', () => {
  test('passes on a healthy server and fails, naming the lookup scenario, when lookups are 20 ms slower', async () => {
    const tmp = join(ROOT, 'bench/results/tmp')
    const healthy = await benchCi(join(tmp, 'harness-healthy'), { POS_TEST_LOOKUP_DELAY_MS: '0' })
    expect(healthy.report.scenarios.map((s) => s.name)).toEqual(['lookup-lru', 'lookup-unknown'])
    expect(healthy.report.scenarios.every((s) => s.status === 'ok')).toBe(true)
    expect(healthy.report.baselines.map((b) => b.name)).toEqual(['ceiling:lookup'])
    // Ratios to the ceiling come from the rounds measured in turn with it: their median.
    const lru = healthy.report.scenarios.find((s) => s.name === 'lookup-lru')
    const ratios = (lru?.paired ?? []).map((p) => p.reqPerSec / p.baselineReqPerSec)
    expect(ratios).toHaveLength(2)
    expect(lru?.baseline?.ratio).toBeCloseTo(((ratios[0] ?? 0) + (ratios[1] ?? 0)) / 2, 9)
    // Unknown barcodes are 404s while the ceiling replays the hit's 200: both sides still count.
    expect(healthy.report.scenarios.find((s) => s.name === 'lookup-unknown')?.paired).toHaveLength(2)
    if (healthy.code !== 0) console.error(healthy.output)
    expect(healthy.code).toBe(0)

    const slow = await benchCi(join(tmp, 'harness-slow'), { POS_TEST_LOOKUP_DELAY_MS: '20' })
    expect(slow.code).toBe(1)
    expect(slow.output).toMatch(/✗ lookup-lru: /)
    expect(slow.report.evaluation?.failures.some((f) => f.startsWith('lookup-lru:'))).toBe(true)
  }, 180_000)
})
