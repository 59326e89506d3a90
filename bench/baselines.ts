// Baselines measured in the same run: the ceiling (bare Bun.serve replaying captured bodies, same
// requests, same engine) and pgbench with the equivalent SQL through PgBouncer.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Fixture } from '../db/seed/bench-fixture'
import { type CapturedResponse, routeMatches } from './captured'
import { type Engine, runLoad } from './engine'
import { PGBENCH_SCRIPTS, type PgbenchScript, pgbenchBinary, runPgbench } from './pgbench'
import { startCeiling } from './processes'
import type { BaselineResult, HttpRequest, Scenario } from './types'

// PgBouncer admits 1,000 clients and the server holds some: pgbench stays well below that.
const MAX_PGBENCH_CLIENTS = 256

const withKey = (r: HttpRequest): Record<string, string> =>
  r.idempotencyKey ? { ...r.headers, 'idempotency-key': `capture-${crypto.randomUUID()}` } : r.headers

/** One real response per route the ceiling must imitate (first scenario wins per route). */
export async function captureResponses(baseUrl: string, scenarios: Scenario[]): Promise<CapturedResponse[]> {
  const captured = new Map<string, CapturedResponse>()
  for (const s of scenarios) {
    if (!s.baseline.startsWith('ceiling:')) continue
    for (const route of s.routes) {
      const method = route.method.toUpperCase()
      const key = `${method} ${route.path}`
      if (captured.has(key)) continue
      const req = s.requests.find((r) => r.method === method && routeMatches(route.path, r.path))
      if (!req) continue
      const res = await fetch(baseUrl + req.path, {
        method: req.method,
        headers: withKey(req),
        body: req.body,
      })
      captured.set(key, {
        method,
        route: route.path,
        status: res.status,
        contentType: res.headers.get('content-type') ?? 'application/json',
        body: await res.text(),
      })
    }
  }
  return [...captured.values()]
}

export type BaselineContext = {
  engine: Engine
  fixture: Fixture
  databaseUrl: string
  serverCpus?: string
  engineCpus?: string
  workDir: string
  warmupS: number
  durationS: number
}

/** Every baseline the scenarios name, each measured once with its first scenario's shape. */
export async function runBaselines(
  ctx: BaselineContext,
  scenarios: Scenario[],
  captured: CapturedResponse[],
): Promise<{ results: BaselineResult[]; errors: Record<string, string> }> {
  const results: BaselineResult[] = []
  const errors: Record<string, string> = {}
  const wanted = new Map<string, Scenario>()
  for (const s of scenarios) if (!wanted.has(s.baseline)) wanted.set(s.baseline, s)

  const ceilings = [...wanted].filter(([name]) => name.startsWith('ceiling:'))
  if (ceilings.length > 0) {
    const file = join(ctx.workDir, 'captured-responses.json')
    writeFileSync(file, JSON.stringify(captured))
    const ceiling = await startCeiling(file, ctx.serverCpus)
    try {
      for (const [name, s] of ceilings) {
        try {
          const shape = {
            baseUrl: ceiling.baseUrl,
            requests: s.requests,
            expectStatus: s.expectStatus,
            connections: s.connections,
            ...(ctx.engineCpus ? { cpus: ctx.engineCpus } : {}),
            workDir: ctx.workDir,
          }
          await runLoad(ctx.engine, { ...shape, durationS: ctx.warmupS, label: `${safe(name)}-warmup` })
          const r = await runLoad(ctx.engine, { ...shape, durationS: ctx.durationS, label: safe(name) })
          results.push({
            ...r,
            name,
            kind: 'ceiling',
            description: `bare Bun.serve replaying ${s.name}'s captured response bytes`,
            connections: s.connections,
          })
        } catch (error) {
          errors[name] = String(error instanceof Error ? error.message : error)
        }
      }
    } finally {
      await ceiling.stop()
    }
  }

  const bin = pgbenchBinary()
  for (const [name, s] of wanted) {
    if (!name.startsWith('pgbench:')) continue
    if (!bin) {
      errors[name] = 'pgbench not found'
      continue
    }
    const script = name.slice('pgbench:'.length) as PgbenchScript
    if (!PGBENCH_SCRIPTS.includes(script)) {
      errors[name] = `no bench/pgbench/${script}.sql`
      continue
    }
    const connections = Math.min(s.connections, MAX_PGBENCH_CLIENTS)
    const run = {
      script,
      url: ctx.databaseUrl,
      fixture: ctx.fixture,
      connections,
      ...(ctx.engineCpus ? { cpus: ctx.engineCpus } : {}),
      workDir: ctx.workDir,
    } as const
    try {
      await runPgbench({ ...run, durationS: ctx.warmupS }, bin)
      const r = await runPgbench({ ...run, durationS: ctx.durationS }, bin)
      results.push({
        ...r,
        name,
        kind: 'pgbench',
        description: `pgbench -M extended, bench/pgbench/${script}.sql through PgBouncer`,
        connections,
      })
    } catch (error) {
      errors[name] = String(error instanceof Error ? error.message : error)
    }
  }
  return { results, errors }
}

const safe = (name: string) => name.replace(/[^\w-]/g, '_')
