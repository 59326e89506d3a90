import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

// Every PromQL expression of the Grafana dashboards and the Prometheus alert rules, and the metric
// names they use — for the tests that hold them to what the service and the exporters export.

export const DASHBOARDS_DIR = join(import.meta.dir, 'dashboards')
export const PROVISIONING_DIR = join(import.meta.dir, 'provisioning')
export const PROMETHEUS_DIR = join(import.meta.dir, '..', 'prometheus')
export const ALERTS_FILE = join(PROMETHEUS_DIR, 'alerts.yml')

export type Target = { refId?: string; expr?: string; legendFormat?: string; datasource?: DataSourceRef }
export type DataSourceRef = { type?: string; uid?: string }
export type Panel = {
  id?: number
  type?: string
  title?: string
  datasource?: DataSourceRef
  gridPos?: { h: number; w: number; x: number; y: number }
  targets?: Target[]
  panels?: Panel[]
}
export type TemplateVariable = {
  name: string
  type: string
  datasource?: DataSourceRef
  query?: string | { query?: string }
  definition?: string
}
export type Dashboard = {
  uid: string
  title: string
  schemaVersion: number
  tags?: string[]
  panels: Panel[]
  templating?: { list?: TemplateVariable[] }
}

/** Where an expression comes from (for messages), and the expression as written there. */
export type Query = { source: string; expr: string }

export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard,
    }))
}

/** Panels including those nested in collapsed rows. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])])
}

/**
 * The PromQL of a template variable's query: `label_values(expr, label)` → expr,
 * `query_result(expr)` → expr; `label_values(label)`, `label_names()`, `metrics(…)` have none.
 */
export function variableExpression(variable: TemplateVariable): string | undefined {
  if (variable.type !== 'query') return undefined
  const raw = (typeof variable.query === 'string' ? variable.query : variable.query?.query) ?? ''
  const q = raw.trim()
  const labelValues = /^label_values\(\s*(.+),\s*[a-zA-Z_]\w*\s*\)$/s.exec(q)
  if (labelValues) return labelValues[1]
  const result = /^query_result\(\s*(.+)\)$/s.exec(q)
  if (result) return result[1]
  return undefined
}

export function dashboardQueries(): Query[] {
  const out: Query[] = []
  for (const { file, dashboard } of loadDashboards()) {
    for (const panel of allPanels(dashboard))
      for (const target of panel.targets ?? [])
        if (target.expr) out.push({ source: `${file} › ${panel.title} › ${target.refId}`, expr: target.expr })
    for (const variable of dashboard.templating?.list ?? []) {
      const expr = variableExpression(variable)
      if (expr) out.push({ source: `${file} › variable $${variable.name}`, expr })
    }
  }
  return out
}

type RuleFile = { groups?: { name: string; rules?: { alert?: string; record?: string; expr: string }[] }[] }

export function alertQueries(file = ALERTS_FILE): Query[] {
  const parsed = Bun.YAML.parse(readFileSync(file, 'utf8')) as RuleFile
  return (parsed.groups ?? []).flatMap((g) =>
    (g.rules ?? []).map((r) => ({ source: `alerts.yml › ${r.alert ?? r.record}`, expr: String(r.expr) })),
  )
}

/**
 * A dashboard expression as Prometheus would receive it: Grafana's interval variables become
 * durations and template variables match everything.
 */
export function toPromQL(expr: string, interval = '5m'): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, interval)
    .replace(/\$\{__(rate_interval|interval|range)(?::\w+)?\}/g, interval)
    .replace(/\$\{?[a-zA-Z_]\w*(?::\w+)?\}?/g, '.*')
}

// Words that look like identifiers in PromQL but are not metric names. Functions are recognised by
// the parenthesis that follows them; aggregations too, except when `by (…)` comes first.
const KEYWORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'atan2',
  'offset',
  'inf',
  'nan',
])

/**
 * Metric names in a PromQL expression: every identifier that is not a function or aggregation
 * (followed by `(`), not a keyword, not a label name (inside `{…}` or a `by/without/on/ignoring/
 * group_left/group_right (…)` list), not inside a string, a range `[…]` or a Grafana variable.
 */
export function metricNames(expr: string): string[] {
  let s = expr
    .replace(/#[^\n]*/g, ' ') // comments
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ') // Grafana variables
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' $1 ')
  const names = new Set<string>()
  for (const m of s.matchAll(/(?<![\w.:])[a-zA-Z_:][\w:]*/g)) {
    const word = m[0]
    const after = s.slice((m.index ?? 0) + word.length).trimStart()
    if (after.startsWith('(')) continue
    if (KEYWORDS.has(word.toLowerCase())) continue
    names.add(word)
  }
  return [...names]
}
