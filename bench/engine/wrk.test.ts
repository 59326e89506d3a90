import { describe, expect, test } from 'bun:test'
import { parseWrkOutput } from './wrk-parse'
import { luaString, RESULT_MARKER, wrkScript } from './wrk-script'

const wrkStdout = (json: object) => `Running 5s test @ http://127.0.0.1:3000
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.01ms    3.20ms  68.70ms   90.00%
  54930 requests in 5.00s, 40.00MB read
Requests/sec:  10986.00
Transfer/sec:      8.00MB
${RESULT_MARKER}${JSON.stringify(json)}
`

const base = {
  requests: 54930,
  durationUs: 5_000_000,
  bytes: 1,
  errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0, unexpectedStatus: 0 },
  checkedStatus: false,
  latencyUs: { p50: 4980, p90: 20000, p95: 36382, p99: 68700, max: 120000, mean: 5010 },
}

describe('parseWrkOutput', () => {
  test('reads throughput and percentiles (µs → ms) from the done() line', () => {
    const r = parseWrkOutput(wrkStdout(base))
    expect(r.engine).toBe('wrk')
    expect(r.reqPerSec).toBeCloseTo(10986, 0)
    expect(r.durationS).toBe(5)
    expect(r.latencyMs).toEqual({ p50: 4.98, p90: 20, p95: 36.382, p99: 68.7, max: 120 })
    expect(r.errors).toBe(0)
  })

  test('counts socket errors, timeouts and non-2xx as errors', () => {
    const r = parseWrkOutput(
      wrkStdout({
        ...base,
        errors: { connect: 1, read: 2, write: 0, status: 7, timeout: 3, unexpectedStatus: 0 },
      }),
    )
    expect(r.errors).toBe(13)
    expect(r.errorDetail.status).toBe(7)
  })

  test('when the script checks statuses itself (404 expected), only unexpected ones count', () => {
    const r = parseWrkOutput(
      wrkStdout({
        ...base,
        checkedStatus: true,
        errors: { connect: 0, read: 0, write: 0, status: 54930, timeout: 0, unexpectedStatus: 2 },
      }),
    )
    expect(r.errors).toBe(2)
  })

  test('fails loudly without a result line', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1')).toThrow('no result line')
  })
})

describe('wrkScript', () => {
  test('escapes Lua strings and keeps UTF-8', () => {
    expect(luaString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"')
    expect(luaString('{"q":"молоко"}')).toBe('"{\\"q\\":\\"молоко\\"}"')
    expect(luaString('\u0001')).toBe('"\\001"')
  })

  test('adds an Idempotency-Key only for requests that need one, and a status check only for non-2xx', () => {
    const script = wrkScript({
      requests: [
        { method: 'GET', path: '/a', headers: { authorization: 'Bearer k' } },
        { method: 'POST', path: '/r', headers: {}, body: '{}', idempotencyKey: true },
      ],
      expectStatus: 201,
      runId: 'run1',
    })
    expect(script).toContain('{"GET", "/a", {["authorization"]="Bearer k"}, nil, false},')
    expect(script).toContain('{"POST", "/r", {}, "{}", true},')
    expect(script).toContain('h["Idempotency-Key"] = run')
    expect(script).not.toContain('function response(')
    const notFound = wrkScript({
      requests: [{ method: 'GET', path: '/x', headers: {} }],
      expectStatus: 404,
      runId: 'r',
    })
    expect(notFound).toContain('if status ~= 404 then bad = bad + 1 end')
  })
})
