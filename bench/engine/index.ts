// The load engine wrapper: oha when it is on PATH, else wrk; same inputs, same LoadResult.
// Both run closed-loop here: a fixed number of connections, each sending its next request as soon as
// the previous answer arrives. A target rate (`rate`) is honoured by oha (-q) only; wrk has no rate
// control, so with wrk the rate is ignored and the report says so.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HttpRequest, LoadResult } from '../types'
import { parseOhaOutput } from './oha-parse'
import { parseWrkOutput } from './wrk-parse'
import { wrkScript } from './wrk-script'

export type LoadRun = {
  baseUrl: string
  requests: HttpRequest[]
  expectStatus: number
  connections: number
  durationS: number
  rate?: number
  /** `taskset -c` list for the engine process, or undefined when not pinning. */
  cpus?: string
  workDir: string
  label: string
}

export type Engine = { name: 'wrk' | 'oha'; version: string; note: string }

export function detectEngine(): Engine {
  if (Bun.which('oha')) {
    const v = Bun.spawnSync(['oha', '--version']).stdout.toString().trim()
    return { name: 'oha', version: v, note: 'oha --json; -q target rate when given; closed-loop otherwise' }
  }
  if (Bun.which('wrk')) {
    const out = Bun.spawnSync(['wrk', '--version'])
    const v = `${out.stdout.toString()}${out.stderr.toString()}`.split('\n')[0]?.trim() ?? 'wrk'
    return {
      name: 'wrk',
      version: v,
      note: 'wrk -t1 with a generated Lua script; closed-loop: wrk has no rate control, so --rate is ignored',
    }
  }
  throw new Error('no load engine: install oha or wrk (apt-get install wrk)')
}

const pinned = (cpus: string | undefined, argv: string[]) => (cpus ? ['taskset', '-c', cpus, ...argv] : argv)

/** oha cannot rotate bodies or mint a header per request; such scenarios fall back to wrk. */
const ohaCanRun = (requests: HttpRequest[]) =>
  requests.every((r) => !r.idempotencyKey && r.body === requests[0]?.body && r.method === requests[0]?.method)

export async function runLoad(engine: Engine, run: LoadRun): Promise<LoadResult> {
  mkdirSync(run.workDir, { recursive: true })
  if (engine.name === 'oha' && ohaCanRun(run.requests)) return runOha(run)
  return runWrk(run)
}

async function runWrk(run: LoadRun): Promise<LoadResult> {
  const runId = `${run.label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
  const script = join(run.workDir, `${run.label}.lua`)
  writeFileSync(script, wrkScript({ requests: run.requests, expectStatus: run.expectStatus, runId }))
  const argv = pinned(run.cpus, [
    'wrk',
    '-t1',
    `-c${run.connections}`,
    `-d${run.durationS}s`,
    '--timeout',
    '5s',
    '-s',
    script,
    run.baseUrl,
  ])
  const proc = Bun.spawn(argv, { stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${stderr.trim() || stdout.slice(-500)}`)
  return parseWrkOutput(stdout)
}

async function runOha(run: LoadRun): Promise<LoadResult> {
  const first = run.requests[0]
  if (!first) throw new Error('no requests')
  const urlsFile = join(run.workDir, `${run.label}.urls`)
  writeFileSync(urlsFile, `${run.requests.map((r) => run.baseUrl + r.path).join('\n')}\n`)
  const argv = ['oha', '--no-tui', '--json', '-z', `${run.durationS}s`, '-c', String(run.connections)]
  if (run.rate) argv.push('-q', String(run.rate))
  argv.push('-m', first.method)
  for (const [k, v] of Object.entries(first.headers)) argv.push('-H', `${k}: ${v}`)
  if (first.body !== undefined) argv.push('-d', first.body)
  argv.push('--urls-from-file', urlsFile)
  const proc = Bun.spawn(pinned(run.cpus, argv), { stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`oha exited with ${code}: ${stderr.trim()}`)
  return parseOhaOutput(stdout, run.expectStatus)
}
