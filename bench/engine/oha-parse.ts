// oha's --json output (seconds) into the engine-neutral LoadResult (milliseconds).
import type { LoadResult } from '../types'

type OhaJson = {
  summary: { total: number; requestsPerSec: number; slowest: number }
  latencyPercentiles: Record<string, number | null>
  statusCodeDistribution?: Record<string, number>
  errorDistribution?: Record<string, number>
}

export function parseOhaOutput(stdout: string, expectStatus: number): LoadResult {
  const o = JSON.parse(stdout) as OhaJson
  const statuses = o.statusCodeDistribution ?? {}
  let requests = 0
  let badStatus = 0
  for (const [code, n] of Object.entries(statuses)) {
    requests += n
    const status = Number(code)
    const ok = expectStatus < 300 ? status >= 200 && status < 300 : status === expectStatus
    if (!ok) badStatus += n
  }
  const errorDetail: Record<string, number> = { status: badStatus }
  for (const [kind, n] of Object.entries(o.errorDistribution ?? {})) {
    errorDetail[kind] = n
    requests += n
  }
  const ms = (key: string) => Math.round((o.latencyPercentiles[key] ?? 0) * 1e6) / 1000
  return {
    engine: 'oha',
    requests,
    durationS: o.summary.total,
    reqPerSec: o.summary.requestsPerSec,
    errors: Object.values(errorDetail).reduce((a, b) => a + b, 0),
    errorDetail,
    latencyMs: {
      p50: ms('p50'),
      p90: ms('p90'),
      p95: ms('p95'),
      p99: ms('p99'),
      max: Math.round(o.summary.slowest * 1e6) / 1000,
    },
  }
}
