// `bun bench/floor.ts --fixture FILE [--rounds 5] [--seconds 8] [--warmup 3] [--connections 64]`:
// where a cached barcode lookup stands against its target (0.8× of a bare Bun.serve). Four servers
// answer the same request, all pinned to the server core, measured in turn with the same engine and
// connections, the order rotating every round: the ceiling (bench/ceiling-server.ts replaying the
// API's bytes from a route of Bun's router), the same answer after finding the bearer key (reading
// one request header), the contract floor (bench/contract-floor-server.ts: only the work the
// contract asks of every answer, done the cheapest way) and the API (PostgreSQL + Redis, LRU hits).
// Prints req/s, p50/p99 and server CPU per request for each run, then the median ratios. The
// fixture comes from `bun run db:seed --fixture FILE` on the services in DATABASE_URL/REDIS_URL.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Fixture } from '../db/seed/bench-fixture'
import { detectEngine, runLoad } from './engine'
import {
  type Child,
  choosePinning,
  ensureServices,
  ROOT,
  startBare,
  startCeiling,
  startServer,
} from './processes'
import type { HttpRequest } from './types'

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    fixture: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
  },
})
if (!args.fixture) throw new Error('usage: bun bench/floor.ts --fixture FILE [--rounds N] [--seconds S]')
const fixture = JSON.parse(readFileSync(args.fixture, 'utf8')) as Fixture
const key = fixture.terminals[0]?.key
const barcode = fixture.barcodes[0]
if (!key || !barcode) throw new Error('the fixture has no terminal key or barcode')
const path = `/api/v1/products/by-barcode/${barcode}`
const requests: HttpRequest[] = [{ method: 'GET', path, headers: { authorization: `Bearer ${key}` } }]
const connections = Number(args.connections)
const engine = detectEngine()
const pin = choosePinning()
const workDir = join(ROOT, '.tmp/bench-floor')
mkdirSync(workDir, { recursive: true })
const ticks = Number(Bun.spawnSync(['getconf', 'CLK_TCK']).stdout.toString()) || 100

/** CPU time (user + system) of a process so far, in seconds, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / ticks
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

const { env: services, stop: stopServices } = await ensureServices()
const names = ['ceiling', 'bearer', 'floor', 'api'] as const
type Name = (typeof names)[number]
const servers: Partial<Record<Name, Child>> = {}
try {
  servers.api = await startServer(services, {}, pin.server)
  const response = await fetch(servers.api.baseUrl + path, { headers: requests[0]?.headers })
  if (response.status !== 200) throw new Error(`the API answered ${response.status} for ${path}`)
  const body = await response.text()
  const bodyFile = join(workDir, 'body.json')
  const responsesFile = join(workDir, 'responses.json')
  writeFileSync(bodyFile, body)
  const captured = {
    method: 'GET',
    route: '/api/v1/products/by-barcode/{barcode}',
    status: 200,
    contentType: 'application/json',
    body,
  }
  writeFileSync(responsesFile, JSON.stringify([captured]))
  servers.ceiling = await startCeiling(responsesFile, pin.server)
  const floorServer = (work: string) =>
    startBare(
      ['bench/contract-floor-server.ts', bodyFile],
      { KEY: key, BARCODE: barcode, WORK: work },
      pin.server,
    )
  servers.bearer = await floorServer('bearer')
  servers.floor = await floorServer('contract')
  console.log(
    `${engine.name}, ${connections} connections, server ${pin.description.server}, engine ${pin.description.engine}; ` +
      `${fixture.productCount} products in the tenant; ${args.seconds} s per run after ${args.warmup} s warm-up`,
  )
  const rps: Record<Name, number[]> = { ceiling: [], bearer: [], floor: [], api: [] }
  const ratios = {
    bearer: [] as number[],
    floor: [] as number[],
    api: [] as number[],
    apiToFloor: [] as number[],
  }
  for (let round = 0; round < Number(args.rounds); round++) {
    const order = names.map((_, i) => names[(i + round) % names.length] as Name)
    const got: Partial<Record<Name, number>> = {}
    for (const name of order) {
      const server = servers[name] as Child
      const shape = { baseUrl: server.baseUrl, requests, expectStatus: 200, connections, workDir }
      const cpus = pin.engine ? { cpus: pin.engine } : {}
      await runLoad(engine, { ...shape, ...cpus, durationS: Number(args.warmup), label: `${name}-warmup` })
      const before = cpuSeconds(server.proc.pid)
      const r = await runLoad(engine, { ...shape, ...cpus, durationS: Number(args.seconds), label: name })
      const cpuUs = ((cpuSeconds(server.proc.pid) - before) * 1e6) / Math.max(1, r.requests)
      if (r.errors > 0) throw new Error(`${name}: ${r.errors} errors ${JSON.stringify(r.errorDetail)}`)
      got[name] = r.reqPerSec
      rps[name].push(r.reqPerSec)
      console.log(
        `round ${round + 1} ${name.padEnd(7)} ${Math.round(r.reqPerSec)} req/s, p50 ${r.latencyMs.p50} ms, ` +
          `p99 ${r.latencyMs.p99} ms, ${cpuUs.toFixed(2)} µs server CPU per request`,
      )
    }
    const { ceiling = 0, bearer = 0, floor = 0, api = 0 } = got
    ratios.bearer.push(bearer / ceiling)
    ratios.floor.push(floor / ceiling)
    ratios.api.push(api / ceiling)
    ratios.apiToFloor.push(api / floor)
  }
  const fmt = (xs: number[]) => `${median(xs).toFixed(3)} (${xs.map((x) => x.toFixed(2)).join(', ')})`
  console.log(`median req/s: ${names.map((name) => `${name} ${Math.round(median(rps[name]))}`).join(', ')}`)
  console.log(`bearer / ceiling: ${fmt(ratios.bearer)}`)
  console.log(`floor / ceiling:  ${fmt(ratios.floor)}`)
  console.log(`api / ceiling:    ${fmt(ratios.api)}`)
  console.log(`api / floor:      ${fmt(ratios.apiToFloor)}`)
} finally {
  for (const server of Object.values(servers)) await server?.stop()
  stopServices()
}
