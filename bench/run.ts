// `bun run bench [--suite full|ci] [--config FILE] [--preset small|large] [--scenarios a,b]
//  [--warmup S] [--duration S] [--rounds N] [--rate N] [--out DIR] [--fixture FILE --no-seed]`
// Seeds the data set, starts the server per cache mode, skips scenarios whose routes the OpenAPI
// document lacks, measures scenarios and baselines, writes latest.{json,md,svg}, and (with the gate)
// exits 1 naming every scenario below a floor of bench/thresholds.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { seedBench } from '../db/seed/bench'
import type { Fixture } from '../db/seed/bench-fixture'
import { captureResponses, runBaselines } from './baselines'
import { type CapturedResponse, replayed } from './captured'
import { hitRate, readCacheStats, sampleServerConnections } from './db-checks'
import { detectEngine, type Engine, type LoadRun, runLoad } from './engine'
import {
  type Child,
  choosePinning,
  ensureServices,
  type Pinning,
  ROOT,
  type ServiceEnv,
  startCeiling,
  startServer,
} from './processes'
import { markdownReport } from './report/markdown'
import { svgChart } from './report/svg'
import { fetchRoutes, type RouteSet, routeLabel } from './routes'
import { buildScenarios, CACHE_STATS_ROUTE } from './scenarios'
import { loadSuiteFile, SUITES, type Suite } from './suites'
import { evaluate, type Thresholds } from './thresholds'
import type { CacheMode, Report, Scenario, ScenarioResult } from './types'

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    suite: { type: 'string', default: 'full' },
    config: { type: 'string' },
    preset: { type: 'string' },
    scenarios: { type: 'string' },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    rounds: { type: 'string' },
    out: { type: 'string' },
    fixture: { type: 'string' },
    'no-seed': { type: 'boolean', default: false },
    gate: { type: 'boolean' },
  },
})

function suiteFromArgs(): Suite {
  const base = args.config ? loadSuiteFile(args.config) : SUITES[args.suite ?? 'full']
  if (!base) throw new Error(`unknown suite '${args.suite}' (${Object.keys(SUITES).join(', ')})`)
  return {
    ...base,
    ...(args.preset ? { preset: args.preset as Suite['preset'] } : {}),
    ...(args.scenarios ? { scenarios: args.scenarios.split(',') } : {}),
    ...(args.warmup ? { warmupS: Number(args.warmup) } : {}),
    ...(args.duration ? { durationS: Number(args.duration) } : {}),
    ...(args.rounds ? { pairedRounds: roundsArg(args.rounds) } : {}),
    ...(args.gate !== undefined ? { gate: args.gate } : {}),
  }
}

function roundsArg(value: string): number {
  const rounds = Number(value)
  if (!Number.isInteger(rounds) || rounds < 0)
    throw new Error(`--rounds must be a whole number ≥ 0, got '${value}'`)
  return rounds
}

const CACHE_ORDER: CacheMode[] = ['lru', 'redis', 'off']
const log = (msg: string) => console.error(`[bench] ${msg}`)

function select(all: Scenario[], names?: string[]): Scenario[] {
  if (!names) return all
  const unknown = names.filter((n) => !all.some((s) => s.name === n))
  if (unknown.length) throw new Error(`unknown scenarios: ${unknown.join(', ')}`)
  return all.filter((s) => names.includes(s.name))
}

function gitInfo() {
  const head = Bun.spawnSync(['git', 'rev-parse', 'HEAD'], { cwd: ROOT })
  const status = Bun.spawnSync(['git', 'status', '--porcelain'], { cwd: ROOT })
  return {
    commit: head.exitCode === 0 ? head.stdout.toString().trim() : null,
    dirty: status.exitCode === 0 ? status.stdout.toString().trim().length > 0 : null,
  }
}

type Ctx = {
  suite: Suite
  engine: Engine
  pin: Pinning
  services: ServiceEnv
  fixture: Fixture
  workDir: string
  rate?: number
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

type PairingCeiling = { url: string; captured: CapturedResponse[] }

/** The scenario and the ceiling in turn, in short slices, the order alternating every round. */
async function pairWithCeiling(
  ctx: Ctx,
  shape: Omit<LoadRun, 'durationS' | 'label'>,
  s: Scenario,
  ceiling: PairingCeiling,
): Promise<NonNullable<ScenarioResult['paired']>> {
  // The ceiling answers each route with the status captured for it: that is the status to expect
  // from it, e.g. 200 where the scenario gets 404s.
  const first = s.requests[0]
  const replay = first && replayed(ceiling.captured, first.method, first.path)
  const ceilingShape = {
    ...shape,
    baseUrl: ceiling.url,
    expectStatus: replay?.status ?? shape.expectStatus,
  }
  await runLoad(ctx.engine, {
    ...ceilingShape,
    durationS: ctx.suite.baselineWarmupS,
    label: `${s.name}-pair-warmup`,
  })
  const durationS = ctx.suite.pairedSliceS
  const pairs: NonNullable<ScenarioResult['paired']> = []
  for (let round = 0; round < ctx.suite.pairedRounds; round++) {
    const measure = (run: typeof shape) => runLoad(ctx.engine, { ...run, durationS, label: `${s.name}-pair` })
    const [one, two] = round % 2 ? [shape, ceilingShape] : [ceilingShape, shape]
    const a = await measure(one)
    const b = await measure(two)
    const [app, base] = round % 2 ? [a, b] : [b, a]
    // A round with errors on either side (or an empty ceiling slice) says nothing: left out.
    if (app.errors === 0 && base.errors === 0 && base.reqPerSec > 0)
      pairs.push({ reqPerSec: app.reqPerSec, baselineReqPerSec: base.reqPerSec })
  }
  log(
    `${s.name}: paired with the ceiling ${pairs.map((p) => (p.reqPerSec / p.baselineReqPerSec).toFixed(3)).join(', ')}`,
  )
  return pairs
}

async function runScenario(
  ctx: Ctx,
  s: Scenario,
  baseUrl: string,
  routes: RouteSet,
  ceiling: PairingCeiling | undefined,
): Promise<ScenarioResult> {
  const base: ScenarioResult = {
    name: s.name,
    title: s.title,
    kind: s.kind,
    routes: s.routes.map(routeLabel),
    cache: s.cache,
    connections: s.connections,
    founding: Boolean(s.founding),
    status: 'ok',
  }
  const shape = {
    baseUrl,
    requests: s.requests,
    expectStatus: s.expectStatus,
    connections: s.connections,
    ...(ctx.rate ? { rate: ctx.rate } : {}),
    ...(ctx.pin.engine ? { cpus: ctx.pin.engine } : {}),
    workDir: ctx.workDir,
  }
  try {
    log(
      `${s.name}: warm-up ${ctx.suite.warmupS} s, then ${ctx.suite.durationS} s at ${s.connections} connections`,
    )
    await runLoad(ctx.engine, { ...shape, durationS: ctx.suite.warmupS, label: `${s.name}-warmup` })
    const sampler = s.sampleConnections
      ? sampleServerConnections(ctx.services.DATABASE_DIRECT_URL)
      : undefined
    const statsOn = s.cacheStats && routes.has(CACHE_STATS_ROUTE)
    const before = statsOn ? await readCacheStats(baseUrl, ctx.fixture.adminKey) : null
    const result = await runLoad(ctx.engine, { ...shape, durationS: ctx.suite.durationS, label: s.name })
    const after = statsOn ? await readCacheStats(baseUrl, ctx.fixture.adminKey) : null
    const sampled = sampler ? await sampler.stop() : undefined
    const checks: NonNullable<ScenarioResult['checks']> = {}
    if (sampled) {
      checks.maxServerConnections = sampled.max
      checks.serverConnectionSamples = sampled.samples
    }
    if (s.cacheStats) checks.cacheHitRate = hitRate(before, after)
    const errorRate = result.requests > 0 ? result.errors / result.requests : 0
    log(
      `${s.name}: ${Math.round(result.reqPerSec)} req/s, p95 ${result.latencyMs.p95} ms, ${result.errors} errors`,
    )
    // Without usable rounds the ratio falls back to the ceiling baseline measured after all scenarios.
    const paired =
      ceiling && s.baseline.startsWith('ceiling:') && ctx.suite.pairedRounds > 0
        ? await pairWithCeiling(ctx, shape, s, ceiling).catch((error) => {
            log(
              `${s.name}: pairing with the ceiling failed: ${error instanceof Error ? error.message : error}`,
            )
            return []
          })
        : []
    return {
      ...base,
      result,
      errorRate,
      ...(Object.keys(checks).length ? { checks } : {}),
      ...(paired.length ? { paired } : {}),
    }
  } catch (error) {
    return { ...base, status: 'error', error: error instanceof Error ? error.message : String(error) }
  }
}

async function main(): Promise<number> {
  const suite = suiteFromArgs()
  const rate = args.rate ? Number(args.rate) : undefined
  const outDir = resolve(args.out ?? join(ROOT, 'bench/results'))
  const workDir = join(ROOT, 'bench/results/tmp/work')
  mkdirSync(outDir, { recursive: true })
  mkdirSync(workDir, { recursive: true })
  const startedAt = new Date().toISOString()
  const engine = detectEngine()
  const pin = choosePinning()
  const { env: services, stop: stopServices } = await ensureServices()
  let ceiling: Child | undefined
  try {
    const fixture: Fixture = args['no-seed']
      ? (JSON.parse(
          readFileSync(args.fixture ?? join(ROOT, 'bench/results/tmp/fixture.json'), 'utf8'),
        ) as Fixture)
      : (
          await seedBench(['--preset', suite.preset, ...(args.fixture ? ['--fixture', args.fixture] : [])], {
            ...process.env,
            ...services,
          })
        ).fixture
    const ctx: Ctx = { suite, engine, pin, services, fixture, workDir, ...(rate ? { rate } : {}) }
    const scenarios = select(buildScenarios(fixture), suite.scenarios)
    const results = new Map<string, ScenarioResult>()
    let runnable: Scenario[] = []
    let captured: CapturedResponse[] = []
    const modes = CACHE_ORDER.filter((m) => scenarios.some((s) => s.cache === m))
    for (const [i, mode] of modes.entries()) {
      log(`starting the server with CATALOG_CACHE=${mode}`)
      const server = await startServer(services, { CATALOG_CACHE: mode }, pin.server)
      try {
        const routes = await fetchRoutes(server.baseUrl)
        if (i === 0) {
          for (const s of scenarios) {
            const missing = s.routes.filter((r) => !routes.has(r))
            if (missing.length === 0) runnable.push(s)
            else {
              log(`${s.name}: skipped, route not implemented: ${missing.map(routeLabel).join(', ')}`)
              results.set(s.name, {
                name: s.name,
                title: s.title,
                kind: s.kind,
                routes: s.routes.map(routeLabel),
                cache: s.cache,
                connections: s.connections,
                founding: Boolean(s.founding),
                status: 'skipped',
                skipped: 'route not implemented',
                baseline: { name: s.baseline, reqPerSec: null, ratio: null },
              })
            }
          }
          captured = await captureResponses(server.baseUrl, runnable)
          if (suite.pairedRounds > 0 && captured.length > 0) {
            const file = join(workDir, 'captured-responses.json')
            writeFileSync(file, JSON.stringify(captured))
            ceiling = await startCeiling(file, pin.server).catch((error) => {
              log(`ceiling for pairing did not start (ratios from the baseline run): ${error}`)
              return undefined
            })
          }
        }
        for (const s of runnable.filter((x) => x.cache === mode)) {
          results.set(
            s.name,
            await runScenario(ctx, s, server.baseUrl, routes, ceiling && { url: ceiling.baseUrl, captured }),
          )
        }
      } finally {
        await server.stop()
      }
    }
    // Idle or not, it should not sit on the server's core while the baselines run.
    await ceiling?.stop()
    ceiling = undefined
    runnable = runnable.filter((s) => results.get(s.name)?.status === 'ok')
    log(`baselines: ${[...new Set(runnable.map((s) => s.baseline))].join(', ') || 'none'}`)
    const { results: baselines, errors: baselineErrors } = await runBaselines(
      {
        engine,
        fixture,
        databaseUrl: services.DATABASE_URL,
        ...(pin.server ? { serverCpus: pin.server } : {}),
        ...(pin.engine ? { engineCpus: pin.engine } : {}),
        workDir,
        warmupS: suite.baselineWarmupS,
        durationS: suite.baselineDurationS,
      },
      runnable,
      captured,
    )
    for (const [name, message] of Object.entries(baselineErrors)) log(`baseline ${name} failed: ${message}`)
    const ordered = scenarios.map((s) => {
      const r = results.get(s.name)
      if (!r) throw new Error(`no result for ${s.name}`)
      if (r.status !== 'ok' || !r.result)
        return { ...r, baseline: { name: s.baseline, reqPerSec: null, ratio: null } }
      if (r.paired?.length) {
        const ratio = median(r.paired.map((p) => p.reqPerSec / p.baselineReqPerSec))
        const reqPerSec = median(r.paired.map((p) => p.baselineReqPerSec))
        return { ...r, baseline: { name: s.baseline, reqPerSec, ratio } }
      }
      const b = baselines.find((x) => x.name === s.baseline)
      const ratio = b && b.reqPerSec > 0 ? r.result.reqPerSec / b.reqPerSec : null
      return {
        ...r,
        baseline: {
          name: s.baseline,
          reqPerSec: b?.reqPerSec ?? null,
          ratio,
          p95Ms: b?.latencyMs.p95 ?? null,
        },
      }
    })
    const cpu = cpus()[0]?.model ?? 'unknown'
    const report: Report = {
      version: 1,
      suite: suite.name,
      startedAt,
      finishedAt: new Date().toISOString(),
      git: gitInfo(),
      machine: { cores: availableParallelism(), cpu, loadAverage: loadavg() },
      pinning: { ...pin.description, services: 'not pinned (run as their own user, share all cores)' },
      engine: {
        name: engine.name,
        version: engine.version,
        note:
          rate && engine.name === 'wrk' ? `${engine.note} (requested --rate ${rate} ignored)` : engine.note,
      },
      timing: {
        warmupS: suite.warmupS,
        durationS: suite.durationS,
        baselineWarmupS: suite.baselineWarmupS,
        baselineDurationS: suite.baselineDurationS,
        pairedRounds: suite.pairedRounds,
        pairedSliceS: suite.pairedSliceS,
      },
      dataSet: { namespace: fixture.namespace, params: { ...fixture.params } },
      serverEnv: {
        WORKERS: '1',
        LOG_LEVEL: 'warn',
        CATALOG_CACHE: modes.join('|'),
        ...(process.env.POS_TEST_LOOKUP_DELAY_MS
          ? { POS_TEST_LOOKUP_DELAY_MS: process.env.POS_TEST_LOOKUP_DELAY_MS }
          : {}),
      },
      baselines,
      scenarios: ordered,
    }
    const thresholds = JSON.parse(
      readFileSync(join(import.meta.dir, 'thresholds.json'), 'utf8'),
    ) as Thresholds
    report.evaluation = evaluate(report, thresholds)
    writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`)
    const md = markdownReport(report)
    writeFileSync(join(outDir, 'latest.md'), md)
    writeFileSync(join(outDir, 'latest.svg'), svgChart(report))
    console.log(md)
    log(`wrote ${join(outDir, 'latest.{json,md,svg}')}`)
    if (suite.gate && !report.evaluation.passed) {
      console.error(`[bench] below a floor:\n${report.evaluation.failures.map((f) => `  ✗ ${f}`).join('\n')}`)
      return 1
    }
    return 0
  } finally {
    try {
      await ceiling?.stop()
    } finally {
      stopServices()
    }
  }
}

try {
  process.exit(await main())
} catch (error) {
  console.error(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exit(2)
}
