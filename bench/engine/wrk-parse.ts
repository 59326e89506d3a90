// Turns wrk's stdout (with the JSON line our done() prints) into the engine-neutral LoadResult.
import type { LoadResult } from '../types'
import { RESULT_MARKER } from './wrk-script'

type WrkJson = {
  requests: number
  durationUs: number
  errors: Record<'connect' | 'read' | 'write' | 'status' | 'timeout' | 'unexpectedStatus', number>
  checkedStatus: boolean
  latencyUs: { p50: number; p90: number; p95: number; p99: number; max: number }
}

export function parseWrkOutput(stdout: string): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER))
  if (!line) throw new Error(`wrk printed no result line:\n${stdout.slice(-2000)}`)
  const w = JSON.parse(line.slice(RESULT_MARKER.length)) as WrkJson
  const e = w.errors
  // When the script checks statuses itself (a 404 is the expected answer), wrk's own count of
  // >= 400 responses is not an error; otherwise it is the non-2xx count.
  const statusErrors = w.checkedStatus ? e.unexpectedStatus : e.status
  const errorDetail: Record<string, number> = {
    connect: e.connect,
    read: e.read,
    write: e.write,
    timeout: e.timeout,
    status: statusErrors,
  }
  const durationS = w.durationUs / 1e6
  const ms = (us: number) => Math.round(us) / 1000
  return {
    engine: 'wrk',
    requests: w.requests,
    durationS,
    reqPerSec: durationS > 0 ? w.requests / durationS : 0,
    errors: Object.values(errorDetail).reduce((a, b) => a + b, 0),
    errorDetail,
    latencyMs: {
      p50: ms(w.latencyUs.p50),
      p90: ms(w.latencyUs.p90),
      p95: ms(w.latencyUs.p95),
      p99: ms(w.latencyUs.p99),
      max: ms(w.latencyUs.max),
    },
  }
}
