import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestApp, type TestApp } from '../../src/testing/harness'
import { alertQueries, dashboardQueries, metricNames, type Query } from './promql'

// Every metric the dashboards and alert rules query must exist: ours in the service's GET /metrics
// (a renamed metric or a typo in a panel fails here), the exporters' in the list below (checked
// against the exporters' sources for the image versions in deploy/docker-compose.yml).

/** Series that come from the exporters or from Prometheus itself, not from the service. */
const EXPORTER_PREFIXES = ['pg_', 'pgbouncer_', 'redis_']
const PROMETHEUS_SERIES = new Set(['up'])
const isOurs = (name: string) =>
  !EXPORTER_PREFIXES.some((p) => name.startsWith(p)) && !PROMETHEUS_SERIES.has(name)

/**
 * Exporter metrics the dashboards and alerts may use. prometheuscommunity/postgres-exporter
 * v0.16 (pg_stat_activity_count{datname,state}, pg_settings_*, collector/pg_stat_database.go),
 * prometheuscommunity/pgbouncer-exporter v0.12 (collector.go: SHOW POOLS / DATABASES /
 * STATS_TOTALS; before v0.11 the stats were pgbouncer_stats_* from SHOW STATS — both are
 * queried), oliver006/redis_exporter v1.67 (exporter.go metric maps).
 */
const KNOWN_EXPORTER_METRICS = new Set([
  'pg_up',
  'pg_stat_activity_count',
  'pg_settings_max_connections',
  'pg_stat_database_xact_commit',
  'pg_stat_database_xact_rollback',
  'pg_stat_database_blks_hit',
  'pg_stat_database_blks_read',
  'pg_stat_database_deadlocks',
  'pgbouncer_up',
  'pgbouncer_pools_client_active_connections',
  'pgbouncer_pools_client_waiting_connections',
  'pgbouncer_pools_client_maxwait_seconds',
  'pgbouncer_pools_server_active_connections',
  'pgbouncer_pools_server_idle_connections',
  'pgbouncer_pools_server_used_connections',
  'pgbouncer_databases_pool_size',
  'pgbouncer_databases_max_connections',
  'pgbouncer_databases_current_connections',
  'pgbouncer_stats_totals_client_wait_seconds_total',
  'pgbouncer_stats_totals_sql_transactions_pooled_total',
  'pgbouncer_stats_totals_queries_pooled_total',
  'pgbouncer_stats_client_wait_seconds_total',
  'pgbouncer_stats_sql_transactions_pooled_total',
  'pgbouncer_stats_queries_pooled_total',
  'redis_memory_used_bytes',
  'redis_memory_max_bytes',
  'redis_commands_processed_total',
  'redis_keyspace_hits_total',
  'redis_keyspace_misses_total',
  'redis_evicted_keys_total',
  'redis_expired_keys_total',
  'redis_db_keys',
  'redis_connected_clients',
])

type Exposition = { names: Set<string>; types: Map<string, string> }

/** Names in a Prometheus text exposition: `# HELP`/`# TYPE` lines (also for metrics without samples) and samples. */
function parseExposition(text: string): Exposition {
  const names = new Set<string>()
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][\w:]*)(?: (\S+))?/.exec(line)
    if (meta) {
      names.add(meta[2] as string)
      if (meta[1] === 'TYPE') types.set(meta[2] as string, meta[3] ?? '')
      continue
    }
    const sample = /^([a-zA-Z_:][\w:]*)[{\s]/.exec(line)
    if (sample) names.add(sample[1] as string)
  }
  return { names, types }
}

/** True when `name` is exported: itself, or a histogram's _bucket/_sum/_count, or a summary's _sum/_count. */
function isExported(name: string, { names, types }: Exposition): boolean {
  if (names.has(name)) return true
  const m = /^(.+)_(bucket|sum|count)$/.exec(name)
  if (!m) return false
  const type = types.get(m[1] as string)
  return m[2] === 'bucket' ? type === 'histogram' : type === 'histogram' || type === 'summary'
}

/** metric name → where it is used */
function usage(queries: Query[]) {
  const used = new Map<string, string[]>()
  for (const q of queries)
    for (const name of metricNames(q.expr)) used.set(name, [...(used.get(name) ?? []), q.source])
  return used
}

describe('metric names in PromQL', () => {
  test('metricNames finds metrics, not functions, keywords, labels, strings or durations', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{route!~"/metrics|/health.*"}[5m]))) > 0.5 ' +
          'and on () sum(rate(b_count[$__rate_interval] offset 1h)) > 1e-3 or on (instance) group_left (x) c',
      ).sort(),
    ).toEqual(['a_bucket', 'b_count', 'c'])
    expect(
      metricNames(
        'label_replace(max by (name) (d{name!="pgbouncer"}), "database", "$1", "name", "(.+)") / e',
      ),
    ).toEqual(['d', 'e'])
    expect(metricNames('time() - max by (instance) (f{instance=~"$instance"})')).toEqual(['f'])
    expect(metricNames('sum without (le) (g) / ignoring (x) h unless i')).toEqual(['g', 'h', 'i'])
  })

  test('dashboards and alerts have queries', () => {
    expect(dashboardQueries().length).toBeGreaterThan(50)
    expect(alertQueries()).toHaveLength(4)
  })

  test('exporter metrics used are known names of the exporters', () => {
    const used = usage([...dashboardQueries(), ...alertQueries()])
    const unknown = [...used]
      .filter(([name]) => !isOurs(name) && !PROMETHEUS_SERIES.has(name) && !KNOWN_EXPORTER_METRICS.has(name))
      .map(([name, where]) => `${name} (${where.join('; ')})`)
    expect(unknown).toEqual([])
  })
})

describe('metrics contract with the service', () => {
  let t: TestApp
  let exposition: Exposition
  let scraped = ''

  beforeAll(async () => {
    t = await startTestApp()
    const { apiKey } = await t.newTenant()
    const call = async (...args: Parameters<TestApp['request']>) => (await t.request(...args)).text()
    // Label children for the HTTP metrics, the catalog path (its cache and, with PostgreSQL, its
    // statements) and an error answer.
    await call('POST', '/api/v1/products', {
      key: apiKey,
      body: { sku: 'METRICS-1', name: 'Metrics probe', price: 100, barcodes: ['4780000000013'] },
    })
    for (const barcode of ['4780000000013', '4780000000013', '4780000000099', '4780000000099'])
      await call('GET', `/api/v1/products/by-barcode/${barcode}`, { key: apiKey })
    await call('GET', '/api/v1/products/by-barcode/1', { key: 'not-a-key' })
    await call('GET', '/health/live')
    // Elysia records a response (onAfterResponse) after handing it out: scrape until it shows.
    let text = ''
    for (let i = 0; i < 100 && !text.includes('route="/api/v1/products/by-barcode/:barcode"'); i++) {
      await Bun.sleep(20)
      text = await call('GET', '/metrics')
    }
    scraped = text
    exposition = parseExposition(text)
  }, 60_000)

  afterAll(async () => {
    await t?.close()
  })

  test('the scrape has the HTTP series with route templates', () => {
    expect(exposition.types.get('http_request_duration_seconds')).toBe('histogram')
    expect(exposition.names.has('http_request_duration_seconds_bucket')).toBe(true)
    expect(exposition.names.has('http_requests_total')).toBe(true)
    expect(scraped).toContain('route="/api/v1/products/by-barcode/:barcode"')
  })

  test('every metric of ours used by a dashboard or an alert is exported by the service', () => {
    const used = usage([...dashboardQueries(), ...alertQueries()])
    const missing = [...used]
      .filter(([name]) => isOurs(name) && !isExported(name, exposition))
      .map(([name, where]) => `${name} (${where.join('; ')})`)
    expect(missing).toEqual([])
  })

  test('the dashboards and alerts cover the service metrics of issue 7', () => {
    const used = new Set(usage([...dashboardQueries(), ...alertQueries()]).keys())
    for (const name of [
      'http_request_duration_seconds_bucket',
      'http_requests_total',
      'db_query_duration_seconds_bucket',
      'db_pool_connections',
      'cache_requests_total',
      'cache_invalidations_total',
      'idempotent_replays_total',
      'receipts_created_total',
      'refunds_created_total',
      'rate_limited_requests_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ])
      expect(used.has(name), name).toBe(true)
  })

  test('a metric the service does not export is caught', () => {
    const names = metricNames('histogram_quantile(0.95, sum by (le) (rate(http_request_seconds_bucket[5m])))')
    expect(names).toEqual(['http_request_seconds_bucket'])
    expect(isExported('http_request_seconds_bucket', exposition)).toBe(false)
    expect(isExported('http_request_seconds', exposition)).toBe(false)
    // Suffixes only map to histograms (and summaries): a counter has no _bucket or _count.
    expect(isExported('http_request_duration_seconds_count', exposition)).toBe(true)
    expect(isExported('http_requests_total_count', exposition)).toBe(false)
    expect(isExported('db_pool_connections_bucket', exposition)).toBe(false)
  })
})
