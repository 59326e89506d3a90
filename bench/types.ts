// Shapes shared by the harness: scenarios, load results, and the report written to bench/results/.
import type { Suite } from './suites'

export type CacheMode = 'lru' | 'redis' | 'off'

/** A route as the OpenAPI document names it: lower-case method, templated path. */
export type RouteRef = { method: 'get' | 'post' | 'delete' | 'patch'; path: string }

export type HttpRequest = {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
  /** Send a fresh Idempotency-Key with every request (receipts must never replay). */
  idempotencyKey?: boolean
}

export type Scenario = {
  name: string
  title: string
  kind: 'lookup' | 'list' | 'search' | 'receipt' | 'mixed'
  /** Every route the scenario sends to; one missing from /swagger/json skips the scenario. */
  routes: RouteRef[]
  cache: CacheMode
  requests: HttpRequest[]
  /** The status every response must have (anything else counts as an error). */
  expectStatus: number
  connections: number
  /** Name of the baseline the scenario's throughput is divided by. */
  baseline: string
  /** One of the founding design's three measurements. */
  founding?: boolean
  /** Sample PostgreSQL server connections while this runs. */
  sampleConnections?: boolean
  /** Read /api/v1/cache/stats before and after. */
  cacheStats?: boolean
}

export type Latency = { p50: number; p90: number; p95: number; p99: number; max: number }

/** One measured run of a load engine, whatever the engine. Latencies in milliseconds. */
export type LoadResult = {
  engine: 'wrk' | 'oha' | 'pgbench'
  requests: number
  durationS: number
  reqPerSec: number
  errors: number
  errorDetail: Record<string, number>
  latencyMs: Latency
}

export type BaselineResult = LoadResult & {
  name: string
  kind: 'ceiling' | 'pgbench'
  description: string
  connections: number
}

export type ScenarioResult = {
  name: string
  title: string
  kind: Scenario['kind']
  routes: string[]
  cache: CacheMode
  connections: number
  founding: boolean
  status: 'ok' | 'skipped' | 'error'
  skipped?: string
  error?: string
  result?: LoadResult
  errorRate?: number
  /** p95Ms: the baseline's own p95, when it ran as a separate baseline (not paired rounds). */
  baseline?: { name: string; reqPerSec: number | null; ratio: number | null; p95Ms?: number | null }
  /**
   * Rounds measured against the ceiling in turn right after the scenario (short slices, order
   * alternating): the ratio is their median, so the machine's drift between the scenario and a
   * baseline measured minutes later does not decide it.
   */
  paired?: { reqPerSec: number; baselineReqPerSec: number }[]
  checks?: {
    maxServerConnections?: number | null
    serverConnectionSamples?: number
    cacheHitRate?: number | null
  }
}

export type Evaluation = { passed: boolean; failures: string[]; notes: string[] }

export type Report = {
  version: 1
  suite: string
  startedAt: string
  finishedAt: string
  git: { commit: string | null; dirty: boolean | null }
  machine: { cores: number; cpu: string; loadAverage: number[] }
  pinning: { server: string; engine: string; services: string }
  engine: { name: string; version: string; note: string }
  /** The suite's timing, as run. */
  timing: Pick<
    Suite,
    'warmupS' | 'durationS' | 'baselineWarmupS' | 'baselineDurationS' | 'pairedRounds' | 'pairedSliceS'
  >
  dataSet: { namespace: string; params: Record<string, number> }
  serverEnv: Record<string, string>
  baselines: BaselineResult[]
  scenarios: ScenarioResult[]
  evaluation?: Evaluation
}
