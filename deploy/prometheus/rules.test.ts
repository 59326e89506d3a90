import { describe, expect, test } from 'bun:test'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The Prometheus configuration and the alert rules, checked by promtool (the Debian `prometheus`
// package; deploy/local/test-all.sh installs it). Without promtool these tests fail: they are the
// only check of the rules' syntax and behaviour.

const DIR = import.meta.dir
const PATH = `${process.env.PATH ?? ''}:/usr/bin:/usr/local/bin`
const promtool = Bun.which('promtool', { PATH })

function run(...args: string[]) {
  if (!promtool)
    throw new Error('promtool not found: apt-get install prometheus (deploy/local/test-all.sh does)')
  const p = Bun.spawnSync([promtool, ...args], { cwd: DIR, stdout: 'pipe', stderr: 'pipe' })
  return { code: p.exitCode, output: `${p.stdout.toString()}${p.stderr.toString()}` }
}

type Rule = {
  alert?: string
  record?: string
  expr: string
  for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}
type AlertTest = { eval_time: string; alertname: string; exp_alerts?: unknown[] }
const yaml = <T>(file: string) => Bun.YAML.parse(readFileSync(join(DIR, file), 'utf8')) as T

const ALERTS = [
  'ApiLatencyP95High',
  'ApiErrorRateHigh',
  'DatabaseConnectionsNearPoolLimit',
  'CatalogCacheHitRateLow',
]

describe('promtool', () => {
  test('promtool is installed', () => {
    expect(promtool, 'promtool not found: apt-get install prometheus').toBeTruthy()
  })

  test('prometheus.yml is a valid configuration (and its rule files load)', () => {
    const r = run('check', 'config', 'prometheus.yml')
    expect(r.output).toContain('SUCCESS')
    expect(r.code, r.output).toBe(0)
  })

  test('alerts.yml passes promtool check rules', () => {
    const r = run('check', 'rules', 'alerts.yml')
    expect(r.code, r.output).toBe(0)
    expect(r.output).toContain(`SUCCESS: ${ALERTS.length} rules found`)
  })

  test('alerts.test.yml: every alert fires and stays silent where it should', () => {
    const r = run('test', 'rules', 'alerts.test.yml')
    expect(r.code, r.output).toBe(0)
    expect(r.output).toContain('SUCCESS')
  })

  test('a wrong expectation makes promtool test rules fail (the tests can fail)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pos-rules-'))
    try {
      copyFileSync(join(DIR, 'alerts.yml'), join(tmp, 'alerts.yml'))
      const tests = readFileSync(join(DIR, 'alerts.test.yml'), 'utf8')
      expect(tests).toContain('Only 60% of')
      writeFileSync(join(tmp, 'alerts.test.yml'), tests.replace('Only 60% of', 'Only 61% of'))
      const r = run('test', 'rules', join(tmp, 'alerts.test.yml'))
      expect(r.code, r.output).not.toBe(0)
      expect(r.output).toContain('FAILED')
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  })
})

describe('alerts.yml', () => {
  const rules = yaml<{ groups: { rules: Rule[] }[] }>('alerts.yml').groups.flatMap((g) => g.rules)

  test('exactly the four alerts, no other rules', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([...ALERTS].sort())
    expect(rules.filter((r) => r.record)).toEqual([])
  })

  test.each(ALERTS)('%s has for, severity, summary, description and runbook', (name) => {
    const rule = rules.find((r) => r.alert === name) as Rule
    expect(rule.for).toMatch(/^\d+[smh]$/)
    expect(['warning', 'critical']).toContain(rule.labels?.severity as string)
    for (const key of ['summary', 'description', 'runbook'])
      expect(rule.annotations?.[key]?.length ?? 0, `${name}: annotations.${key}`).toBeGreaterThan(20)
  })

  test.each(ALERTS)('%s is tested firing (after its for:) and not firing', (name) => {
    const tests = yaml<{ tests: { alert_rule_test?: AlertTest[] }[] }>('alerts.test.yml').tests.flatMap(
      (t) => t.alert_rule_test ?? [],
    )
    const mine = tests.filter((t) => t.alertname === name)
    expect(mine.some((t) => (t.exp_alerts ?? []).length > 0)).toBe(true)
    expect(mine.some((t) => (t.exp_alerts ?? []).length === 0)).toBe(true)
  })
})

describe('prometheus.yml', () => {
  type Scrape = {
    job_name: string
    dns_sd_configs?: { names: string[]; port: number }[]
    static_configs?: { targets: string[] }[]
  }
  const config = yaml<{ rule_files: string[]; scrape_configs: Scrape[] }>('prometheus.yml')
  const job = (name: string) => config.scrape_configs.find((s) => s.job_name === name)

  test('loads alerts.yml, mounted next to it by docker-compose.yml', () => {
    expect(config.rule_files).toEqual(['alerts.yml'])
    const compose = readFileSync(join(DIR, '..', 'docker-compose.yml'), 'utf8')
    expect(compose).toContain('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml')
    expect(compose).toContain('./prometheus/alerts.yml:/etc/prometheus/alerts.yml')
  })

  test('scrapes every API replica and the three exporters', () => {
    expect(job('api')?.dns_sd_configs).toEqual([expect.objectContaining({ names: ['api'], port: 3000 })])
    const targets = config.scrape_configs.flatMap((s) => s.static_configs?.flatMap((c) => c.targets) ?? [])
    expect(targets).toEqual(
      expect.arrayContaining(['postgres-exporter:9187', 'pgbouncer-exporter:9127', 'redis-exporter:9121']),
    )
  })
})
