// Child processes of a run: the local services (when the environment has none), the server under
// test and the ceiling server, each pinned to its core with taskset when there are two or more.
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import type { Subprocess } from 'bun'

export const ROOT = resolve(import.meta.dir, '..')

export type Pinning = { server?: string; engine?: string; description: { server: string; engine: string } }

/** Server on core 0, load engine on core 1 (databases stay unpinned: they run as their own user). */
export function choosePinning(): Pinning {
  const cores = availableParallelism()
  if (cores >= 2 && Bun.which('taskset')) {
    return {
      server: '0',
      engine: '1',
      description: { server: '1 core (cpu 0, taskset)', engine: '1 core (cpu 1, taskset)' },
    }
  }
  const shared = `${cores} core(s), shared, not pinned`
  return { description: { server: shared, engine: shared } }
}

export type ServiceEnv = {
  DATABASE_URL: string
  DATABASE_DIRECT_URL: string
  REDIS_URL?: string
  PGBOUNCER_ADMIN_URL?: string
}

/**
 * The services from the environment, or throwaway ones started in .tmp/bench-services on ports
 * that the default test services (25432/26432/26379) do not use. `stop` is a no-op for borrowed ones.
 */
export async function ensureServices(env = process.env): Promise<{ env: ServiceEnv; stop: () => void }> {
  if (env.DATABASE_URL) {
    return {
      env: {
        DATABASE_URL: env.DATABASE_URL,
        DATABASE_DIRECT_URL: env.DATABASE_DIRECT_URL ?? env.DATABASE_URL,
        ...(env.REDIS_URL ? { REDIS_URL: env.REDIS_URL } : {}),
        ...(env.PGBOUNCER_ADMIN_URL ? { PGBOUNCER_ADMIN_URL: env.PGBOUNCER_ADMIN_URL } : {}),
      },
      stop: () => {},
    }
  }
  const dir = resolve(ROOT, '.tmp/bench-services')
  const script = resolve(ROOT, 'deploy/local/services.sh')
  console.error(`[bench] DATABASE_URL not set: starting PostgreSQL, PgBouncer and Redis in ${dir}`)
  const out = Bun.spawnSync(['bash', script, 'start', dir], {
    env: {
      ...env,
      PG_PORT: env.BENCH_PG_PORT ?? '25732',
      PGBOUNCER_PORT: env.BENCH_PGBOUNCER_PORT ?? '26732',
      REDIS_PORT: env.BENCH_REDIS_PORT ?? '26779',
    },
    stderr: 'inherit',
  })
  if (out.exitCode !== 0) throw new Error('deploy/local/services.sh start failed')
  const vars: Record<string, string> = {}
  for (const m of out.stdout.toString().matchAll(/^export (\w+)=(\S+)$/gm)) {
    if (m[1] && m[2]) vars[m[1]] = m[2].replace(/^'(.*)'$/, '$1')
  }
  if (!vars.DATABASE_URL || !vars.DATABASE_DIRECT_URL) throw new Error('services.sh printed no DATABASE_URL')
  return {
    env: {
      DATABASE_URL: vars.DATABASE_URL,
      DATABASE_DIRECT_URL: vars.DATABASE_DIRECT_URL,
      ...(vars.REDIS_URL ? { REDIS_URL: vars.REDIS_URL } : {}),
      ...(vars.PGBOUNCER_ADMIN_URL ? { PGBOUNCER_ADMIN_URL: vars.PGBOUNCER_ADMIN_URL } : {}),
    },
    stop: () => {
      Bun.spawnSync(['bash', script, 'stop', dir], { stderr: 'inherit' })
    },
  }
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = server.port
  server.stop(true)
  if (!port) throw new Error('could not pick a free port')
  return port
}

export type Child = { proc: Subprocess; baseUrl: string; stop: () => Promise<void> }

async function waitReady(url: string, proc: Subprocess, timeoutMs: number, logs: () => string) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`process exited with ${proc.exitCode}:\n${logs()}`)
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await Bun.sleep(100)
  }
  throw new Error(`not ready after ${timeoutMs} ms: ${url}\n${logs()}`)
}

function spawnPinned(argv: string[], cpus: string | undefined, env: Record<string, string | undefined>) {
  let logs = ''
  const proc = Bun.spawn(cpus ? ['taskset', '-c', cpus, ...argv] : argv, {
    cwd: ROOT,
    env,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  // Keep the tail of the output for error messages; never let a full pipe stall the child.
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) logs = (logs + decoder.decode(chunk)).slice(-8000)
  }
  void drain(proc.stdout)
  void drain(proc.stderr)
  return { proc, logs: () => logs }
}

const stopper = (proc: Subprocess) => async () => {
  if (proc.exitCode !== null) return
  proc.kill('SIGTERM')
  const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(15_000).then(() => false)])
  if (!done) {
    proc.kill('SIGKILL')
    await proc.exited
  }
}

/** `bun src/index.ts` with the services' URLs, quiet logs, no demo data, and the given extras. */
export async function startServer(
  services: ServiceEnv,
  extra: Record<string, string>,
  cpus: string | undefined,
): Promise<Child> {
  const port = freePort()
  const env = {
    ...process.env,
    ...services,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    WORKERS: '1',
    ...extra,
  }
  const { proc, logs } = spawnPinned([process.execPath, 'src/index.ts'], cpus, env)
  const baseUrl = `http://127.0.0.1:${port}`
  try {
    await waitReady(`${baseUrl}/health/ready`, proc, 60_000, logs)
  } catch (error) {
    await stopper(proc)()
    throw error
  }
  return { proc, baseUrl, stop: stopper(proc) }
}

/** The ceiling: a bare Bun.serve replaying captured response bodies (bench/ceiling-server.ts). */
export const startCeiling = (responsesFile: string, cpus: string | undefined) =>
  startBare(['bench/ceiling-server.ts', responsesFile], {}, cpus)

/** A bare Bun.serve script of bench/ that answers GET /__ready once listening. */
export async function startBare(
  args: string[],
  env: Record<string, string>,
  cpus: string | undefined,
): Promise<Child> {
  const port = freePort()
  const { proc, logs } = spawnPinned([process.execPath, ...args], cpus, {
    ...process.env,
    ...env,
    PORT: String(port),
  })
  const baseUrl = `http://127.0.0.1:${port}`
  try {
    await waitReady(`${baseUrl}/__ready`, proc, 20_000, logs)
  } catch (error) {
    await stopper(proc)()
    throw error
  }
  return { proc, baseUrl, stop: stopper(proc) }
}
