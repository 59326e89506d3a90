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
        if (!stopping) {
          console.error(`worker ${n} exited with ${code}; restarting`)
          workers[n] = spawnWorker(n)
        }
      },
    })
  let stopping = false
  const workers = Array.from({ length: config.workers }, (_, n) => spawnWorker(n))
  const stop = (signal: NodeJS.Signals) => {
    stopping = true
    for (const w of workers) w.kill(signal)
    Promise.all(workers.map((w) => w.exited)).then(() => process.exit(0))
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
} else {
  await start(config)
}
