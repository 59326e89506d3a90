import type { Config } from './config'
import { ensureDemo } from './demo'
import { openDatabase } from './infra/db'
import { createLogger } from './infra/logger'
import { ensurePartitions, runMigrations } from './infra/migrate'
import { createRedis } from './infra/redis'
import { serveWorkerMetrics } from './plugins/metrics'
import { createApp } from './server'

const PARTITION_CHECK_MS = 6 * 60 * 60 * 1000

/** Starts one server process: database, migrations, demo data, HTTP, and graceful shutdown. */
export async function start(config: Config) {
  const log = createLogger(config.logLevel)
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    metrics: config.metrics,
  })
  if (config.migrate) await runMigrations(database, config.databaseDirectUrl)
  const demo =
    database.kind === 'pglite' && config.seedDemo ? await ensureDemo(database, config.dataDir) : undefined
  const redis = config.redisUrl ? createRedis(config.redisUrl) : undefined
  redis?.on('error', (err) => log.warn({ err: err.message }, 'redis error'))

  let draining = false
  const worker = process.env.POS_WORKER === undefined ? undefined : Number(process.env.POS_WORKER)
  const workerMetricsPorts =
    worker === undefined
      ? []
      : Array.from({ length: config.workers }, (_, n) => config.workerMetricsPortBase + n)
  const workerMetrics =
    worker === undefined ? undefined : serveWorkerMetrics(workerMetricsPorts[worker] as number)
  const app = createApp({ config, log, database, redis, isDraining: () => draining, workerMetricsPorts })
  app.listen({
    port: config.port,
    hostname: config.host,
    reusePort: true,
    // Bun refuses a declared length above this with a bare 413 before any handler runs; up to it,
    // the request-context plugin answers a problem+json 413 without reading the body. It also
    // bounds bodies sent without Content-Length.
    maxRequestBodySize: config.bodyLimit * 4,
  })
  const server = app.server
  if (!server) throw new Error('server did not start')

  const partitions = setInterval(() => {
    ensurePartitions(database).catch((err) => log.error({ err }, 'partition maintenance failed'))
  }, PARTITION_CHECK_MS)
  partitions.unref()

  const base = `http://localhost:${server.port}`
  log.info({ url: base, database: database.kind, redis: Boolean(redis), pid: process.pid }, 'listening')
  if (demo && process.env.POS_WORKER === undefined) {
    console.log(
      [
        '',
        `POS API on ${base}   Swagger UI: ${base}/swagger   OpenAPI: ${base}/swagger/json`,
        `Embedded database in ${config.dataDir}/pg (demo data loaded; credentials kept in ${demo.file})`,
        `Demo admin key:    ${demo.adminKey}`,
        `Demo terminal key: ${demo.terminalKey}`,
        `Try: curl -H 'Authorization: Bearer ${demo.terminalKey}' ${base}${demo.tryPath}`,
        '',
      ].join('\n'),
    )
  }

  const shutdown = async (signal: string) => {
    if (draining) return
    draining = true
    log.info({ signal }, 'draining')
    clearInterval(partitions)
    // Serve on for a moment (readiness 503, `Connection: close` on each answer) so the balancer drops
    // its kept-alive connections cleanly; then stop accepting and let in-flight requests finish
    // within what is left of SHUTDOWN_TIMEOUT_MS, and cut what remains.
    const lingerMs = Math.min(1000, Math.floor(config.shutdownTimeoutMs / 2))
    await Bun.sleep(lingerMs)
    const finished = server.stop(false)
    const timedOut = await Promise.race([
      finished.then(() => false),
      Bun.sleep(config.shutdownTimeoutMs - lingerMs).then(() => true),
    ])
    if (timedOut) await server.stop(true)
    workerMetrics?.stop(true)
    await Promise.allSettled([database.close(), redis?.quit()])
    log.info({ timedOut }, 'stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  return { app, database, log }
}
