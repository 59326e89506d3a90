import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { allPanels, dashboardQueries, loadDashboards, PROVISIONING_DIR, toPromQL } from './promql'

// The Grafana provisioning and dashboards: what Grafana needs to load them, and every PromQL
// expression parsed by Prometheus' own parser (promtool, via a throwaway rule file).

const PATH = `${process.env.PATH ?? ''}:/usr/bin:/usr/local/bin`
const promtool = Bun.which('promtool', { PATH })
const yaml = <T>(file: string) => Bun.YAML.parse(readFileSync(join(PROVISIONING_DIR, file), 'utf8')) as T

type DataSources = { datasources: { uid: string; type: string; url: string; isDefault?: boolean }[] }
type Providers = { providers: { type: string; options: { path: string } }[] }

describe('provisioning', () => {
  test('the Prometheus datasource the dashboards refer to', () => {
    const [ds, ...rest] = yaml<DataSources>('datasources/prometheus.yml').datasources
    expect(rest).toEqual([])
    expect(ds).toMatchObject({
      uid: 'prometheus',
      type: 'prometheus',
      url: 'http://prometheus:9090',
      isDefault: true,
    })
  })

  test('the dashboards provider reads the folder docker-compose.yml mounts', () => {
    const { providers } = yaml<Providers>('dashboards/pos.yml')
    expect(providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: '/var/lib/grafana/dashboards' }),
      }),
    ])
    const compose = readFileSync(join(import.meta.dir, '..', 'docker-compose.yml'), 'utf8')
    expect(compose).toContain('./grafana/dashboards:/var/lib/grafana/dashboards')
    expect(compose).toContain('./grafana/provisioning:/etc/grafana/provisioning')
  })
})

describe('dashboards', () => {
  const dashboards = loadDashboards()

  test('the four dashboards, with unique uids', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([
      'pos-api',
      'pos-cache',
      'pos-database',
      'pos-system',
    ])
    expect(new Set(dashboards.map((d) => d.dashboard.title)).size).toBe(4)
  })

  test.each(loadDashboards().map((d) => [d.file, d.dashboard] as const))(
    '%s is a Grafana 10+ dashboard',
    (_file, d) => {
      expect(d.schemaVersion).toBeGreaterThanOrEqual(38)
      expect(d.tags).toContain('pos')
      const panels = allPanels(d)
      const ids = panels.map((p) => p.id)
      expect(new Set(ids).size).toBe(ids.length)
      for (const p of panels) {
        expect(p.gridPos, `${p.title}: gridPos`).toBeDefined()
        const { x, w } = p.gridPos as { x: number; w: number }
        expect(x + w, `${p.title}: inside the 24-column grid`).toBeLessThanOrEqual(24)
        if (p.type === 'row') continue
        expect(p.title, 'panel title').toBeTruthy()
        expect(p.datasource, `${p.title}: datasource`).toEqual({ type: 'prometheus', uid: 'prometheus' })
        expect(p.targets?.length ?? 0, `${p.title}: targets`).toBeGreaterThan(0)
        const refIds = (p.targets ?? []).map((t) => t.refId)
        expect(new Set(refIds).size, `${p.title}: unique refIds`).toBe(refIds.length)
        for (const t of p.targets ?? []) expect(t.expr?.trim(), `${p.title} ${t.refId}: expr`).toBeTruthy()
      }
      // Panels must not overlap: Grafana would move them around.
      const cells = new Map<string, string>()
      const overlaps: string[] = []
      for (const p of panels) {
        const g = p.gridPos as { x: number; y: number; w: number; h: number }
        for (let y = g.y; y < g.y + g.h; y++)
          for (let x = g.x; x < g.x + g.w; x++) {
            const other = cells.get(`${x},${y}`)
            if (other) overlaps.push(`${p.title} / ${other} at ${x},${y}`)
            cells.set(`${x},${y}`, p.title ?? '')
          }
      }
      expect(overlaps).toEqual([])
    },
  )

  test('every PromQL expression parses (promtool check rules)', () => {
    if (!promtool)
      throw new Error('promtool not found: apt-get install prometheus (deploy/local/test-all.sh does)')
    const queries = dashboardQueries()
    const rules = queries.map(
      (q, i) => `      - record: dashboard:check:${i}\n        expr: ${JSON.stringify(toPromQL(q.expr))}`,
    )
    const dir = mkdtempSync(join(tmpdir(), 'pos-dashboards-'))
    try {
      const file = join(dir, 'dashboards.rules.yml')
      writeFileSync(file, `groups:\n  - name: dashboards\n    rules:\n${rules.join('\n')}\n`)
      const p = Bun.spawnSync([promtool, 'check', 'rules', file], { stdout: 'pipe', stderr: 'pipe' })
      const output = `${p.stdout.toString()}${p.stderr.toString()}`
      // promtool quotes the expression it cannot parse.
      expect(p.exitCode, output).toBe(0)
      expect(output).toContain(`SUCCESS: ${queries.length} rules found`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a syntax error in an expression is caught', () => {
    if (!promtool) throw new Error('promtool not found')
    const dir = mkdtempSync(join(tmpdir(), 'pos-dashboards-'))
    try {
      const file = join(dir, 'bad.rules.yml')
      writeFileSync(
        file,
        `groups:\n  - name: bad\n    rules:\n      - record: bad\n        expr: ${JSON.stringify(toPromQL('sum(rate(http_requests_total[$__rate_interval])'))}\n`,
      )
      expect(Bun.spawnSync([promtool, 'check', 'rules', file]).exitCode).not.toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
