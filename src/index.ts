// Process model: one server process, or WORKERS processes sharing the port (SO_REUSEPORT).
import { ConfigError, loadConfig } from './config'
import { start } from './main'

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig()
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  console.error(error.message)
  process.exit(2)
}

if (config.workers > 1 && process.env.POS_WORKER === undefined) {
  if (!config.databaseUrl) {
    console.error('WORKERS > 1 needs DATABASE_URL: the embedded database belongs to a single process')
    process.exit(2)
  }
  const spawnWorker = (n: number): ReturnType<typeof Bun.spawn> =>
    Bun.spawn([process.execPath, ...process.argv.slice(1)], {
      env: { ...process.env, POS_WORKER: String(n) },
      stdio: ['inherit', 'inherit', 'inherit'],
      // Without Redis, a worker's invalidations (a price change, a revoked key) reach its siblings
      // through here (src/infra/invalidation-bus.ts).
      ipc(message, from) {
        for (const worker of workers)
          if (worker !== from && worker.exitCode === null && worker.signalCode === null) worker.send(message)
      },
      onExit(_proc, code) {
        if (stopping) return
        // A worker that keeps dying at start (the database unreachable, a bad migration) is not
        // respawned in a tight loop: each quick death doubles the wait, and after ten in a row the
        // whole service exits non-zero so its supervisor (compose, Kubernetes) sees the failure.
        const now = Date.now()
        quickDeaths[n] = now - (startedAt[n] ?? 0) < HEALTHY_AFTER_MS ? (quickDeaths[n] ?? 0) + 1 : 0
        const deaths = quickDeaths[n] ?? 0
        if (deaths >= MAX_QUICK_DEATHS) {
          console.error(
            `worker ${n} exited with ${code} ${deaths} times in a row right after starting; giving up`,
          )
          stop('SIGTERM', 1)
          return
        }
        const delayMs = deaths === 0 ? 0 : Math.min(30_000, 250 * 2 ** (deaths - 1))
        console.error(`worker ${n} exited with ${code}; restarting in ${delayMs} ms`)
        setTimeout(() => {
          if (!stopping) workers[n] = spawnTimed(n)
        }, delayMs)
      },
    })
  const HEALTHY_AFTER_MS = 30_000
  const MAX_QUICK_DEATHS = 10
  const startedAt: number[] = []
  const quickDeaths: number[] = []
  const spawnTimed = (n: number) => {
    startedAt[n] = Date.now()
    return spawnWorker(n)
  }
  let stopping = false
  const workers = Array.from({ length: config.workers }, (_, n) => spawnTimed(n))
  const stop = (signal: NodeJS.Signals, exitCode = 0) => {
    stopping = true
    for (const w of workers) w.kill(signal)
    Promise.all(workers.map((w) => w.exited)).then(() => process.exit(exitCode))
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
} else {
  await start(config)
}
