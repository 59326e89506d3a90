import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { dashboardQueries, toPromQL } from '../grafana/promql'

// A real Prometheus (Debian's `prometheus` package) scraping a real API process every second, with
// the production alert rules loaded: the scrape works, our series arrive with route labels, the
// rules evaluate without errors and every dashboard query runs. Needs PostgreSQL (and Redis) from
// deploy/local/services.sh, so it only runs when DATABASE_URL is set.

const ROOT = join(import.meta.dir, '..', '..')
const PATH = `${process.env.PATH ?? ''}:/usr/bin:/usr/local/bin`
const ADMIN_TOKEN = `scrape-test-${crypto.randomUUID()}`

function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = server.port as number
  server.stop(true)
  return port
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (err) {
      last = err
    }
    await Bun.sleep(200)
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
}

async function stop(proc: Subprocess | undefined) {
  if (!proc || proc.exitCode !== null) return
  proc.kill('SIGTERM')
  const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(5000).then(() => false)])
  if (!exited) {
    proc.kill('SIGKILL')
    await proc.exited
  }
}

type PromResult = { metric: Record<string, string>; value: [number, string] }
type PromResponse<T> = { status: string; data: T; error?: string }
type RuleGroups = { groups: { rules: { name: string; health: string; lastError?: string }[] }[] }

describe.skipIf(!process.env.DATABASE_URL)('a real Prometheus scraping the API', () => {
  // Set in beforeAll: the describe body runs even when the block is skipped.
  let apiPort = 0
  let api = ''
  let prom = ''
  let dir = ''
  let apiProc: Subprocess | undefined
  let promProc: Subprocess | undefined

  const query = async <T = PromResult[]>(expr: string) => {
    const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`)
    return (await res.json()) as PromResponse<{ resultType: string; result: T }>
  }

  beforeAll(async () => {
    const prometheus = Bun.which('prometheus', { PATH })
    if (!prometheus)
      throw new Error('prometheus not found: apt-get install prometheus (deploy/local/test-all.sh does)')
    apiPort = freePort()
    const promPort = freePort()
    api = `http://127.0.0.1:${apiPort}`
    prom = `http://127.0.0.1:${promPort}`
    dir = mkdtempSync(join(tmpdir(), 'pos-prometheus-'))

    apiProc = Bun.spawn([process.execPath, 'src/index.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        WORKERS: '1',
        SEED_DEMO: 'false',
        MIGRATE: 'true',
        LOG_LEVEL: 'warn',
        ADMIN_TOKEN,
        SHUTDOWN_TIMEOUT_MS: '1000',
      },
      stdout: 'inherit',
      stderr: 'inherit',
    })
    await waitFor('the API to be ready', 30_000, async () => {
      if (apiProc?.exitCode !== null) throw new Error(`the API exited with ${apiProc?.exitCode}`)
      return (await fetch(`${api}/health/ready`)).ok ? true : undefined
    })

    // Traffic, so that the series exist: a tenant, a product, lookups (hit, miss, not found).
    const created = await fetch(`${api}/api/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'scrape test' }),
    })
    expect(created.status).toBe(201)
    const { apiKey } = (await created.json()) as { apiKey: string }
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }
    await fetch(`${api}/api/v1/products`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        sku: 'SCRAPE-1',
        name: 'Scrape probe',
        price: 100,
        barcodes: ['4780000000013'],
      }),
    }).then((r) => r.text())
    for (const barcode of ['4780000000013', '4780000000013', '4780000000099'])
      await fetch(`${api}/api/v1/products/by-barcode/${barcode}`, { headers }).then((r) => r.text())

    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${JSON.stringify(join(import.meta.dir, 'alerts.yml'))}`,
        'scrape_configs:',
        '  - job_name: api',
        '    static_configs:',
        `      - targets: ["127.0.0.1:${apiPort}"]`,
        '',
      ].join('\n'),
    )
    promProc = Bun.spawn(
      [
        prometheus,
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdout: 'ignore', stderr: 'inherit' },
    )
    await waitFor('Prometheus to be ready', 15_000, async () => {
      if (promProc?.exitCode !== null) throw new Error(`prometheus exited with ${promProc?.exitCode}`)
      return (await fetch(`${prom}/-/ready`)).ok ? true : undefined
    })
  }, 60_000)

  afterAll(async () => {
    await Promise.all([stop(apiProc), stop(promProc)])
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  test('the API target is up', async () => {
    const up = await waitFor('a successful scrape', 15_000, async () => {
      const r = await query('up{job="api"}')
      return r.data.result.find((s) => s.value[1] === '1')
    })
    expect(up.metric.instance).toBe(`127.0.0.1:${apiPort}`)
  }, 20_000)

  test('http_requests_total arrives through Prometheus with route templates', async () => {
    const series = await waitFor('http_requests_total in Prometheus', 15_000, async () => {
      const r = await query('http_requests_total')
      return r.data.result.length > 0 ? r.data.result : undefined
    })
    const routes = series.map((s) => s.metric.route)
    expect(routes).toContain('/api/v1/products/by-barcode/:barcode')
    expect(routes).toContain('/api/v1/admin/tenants')
    // Templates only: never a raw barcode in a label.
    expect(routes.filter((r) => r?.includes('4780000000013'))).toEqual([])
    for (const s of series)
      expect(Object.keys(s.metric).sort()).toEqual([
        '__name__',
        'instance',
        'job',
        'method',
        'route',
        'status',
      ])
  }, 20_000)

  test('the request rate is computed from the histogram', async () => {
    const r = await waitFor('two scrapes for rate()', 15_000, async () => {
      const res = await query('sum by (route) (rate(http_request_duration_seconds_count[1m]))')
      return res.data.result.some((s) => s.metric.route === '/metrics' && Number(s.value[1]) > 0)
        ? res
        : undefined
    })
    expect(r.status).toBe('success')
  }, 20_000)

  test('the alert rules load and evaluate without errors', async () => {
    const groups = await waitFor('a rule evaluation', 15_000, async () => {
      const res = (await (await fetch(`${prom}/api/v1/rules`)).json()) as PromResponse<RuleGroups>
      const rules = res.data.groups.flatMap((g) => g.rules)
      return rules.length > 0 && rules.every((r) => r.health !== 'unknown') ? rules : undefined
    })
    expect(groups.map((r) => r.name).sort()).toEqual([
      'ApiErrorRateHigh',
      'ApiLatencyP95High',
      'CatalogCacheHitRateLow',
      'DatabaseConnectionsNearPoolLimit',
    ])
    expect(groups.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([])
  }, 20_000)

  test('every dashboard query runs, and the API and system panels have data', async () => {
    // The p95 per route needs two scrapes with the requests in them.
    await waitFor('rate() data', 15_000, async () => {
      const r = await query('sum(rate(http_requests_total[1m]))')
      return Number(r.data.result[0]?.value[1] ?? 0) > 0 ? true : undefined
    })
    const failed: string[] = []
    const empty: string[] = []
    for (const q of dashboardQueries()) {
      const r = await query(toPromQL(q.expr, '1m'))
      if (r.status !== 'success') failed.push(`${q.source}: ${r.error}`)
      else if ((r.data.result as unknown[]).length === 0) empty.push(q.source)
    }
    expect(failed).toEqual([])
    // Panels that must show something as soon as one API instance has served a request.
    for (const panel of [
      'api.json › Requests/s by route › A',
      'api.json › p95 latency by route › A',
      'database.json › Pool connections (selected instances) › A',
      'system.json › CPU by instance (cores) › A',
      'system.json › Resident memory by instance › A',
      'system.json › Heap › A',
      'system.json › Event-loop lag › A',
      'cache.json › Lookups/s by tier and result › A',
    ])
      expect(empty, `${panel} has no data`).not.toContain(panel)
  }, 30_000)
})
