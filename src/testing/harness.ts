import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../config'
import { openDatabase } from '../infra/db'
import { createLogger } from '../infra/logger'
import { ensurePartitions, runMigrations } from '../infra/migrate'
import { createRedis } from '../infra/redis'
import { createTenant } from '../modules/admin/service'
import { createApp } from '../server'

// Builds the real application for a test file: PostgreSQL through PgBouncer and Redis when the
// test script exported DATABASE_URL / REDIS_URL, otherwise embedded PGlite in a temporary folder.

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef'
export const usingPostgres = Boolean(process.env.DATABASE_URL)

export async function startTestApp(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'pos-test-'))
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', ADMIN_TOKEN, DATA_DIR: dataDir, ...env })
  const log = createLogger(config.logLevel)
  const database = await openDatabase({ url: config.databaseUrl, dataDir, poolSize: 10 })
  await runMigrations(database, config.databaseDirectUrl)
  const redis = config.redisUrl ? createRedis(config.redisUrl) : undefined
  redis?.on('error', () => {})
  const app = createApp({ config, log, database, redis })

  const request = (
    method: string,
    path: string,
    opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.key) headers.authorization = `Bearer ${opts.key}`
    let body: string | undefined
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)
      headers['content-type'] ??= 'application/json'
      headers['content-length'] ??= String(Buffer.byteLength(body))
    }
    return app.handle(new Request(`http://localhost${path}`, { method, headers, body }))
  }

  return {
    app,
    config,
    database,
    db: database.db,
    request,
    /** A fresh tenant with its admin key, so test files never see each other's data. */
    newTenant: (name = `tenant ${crypto.randomUUID().slice(0, 8)}`) => createTenant(database.db, name),
    /** EXPLAIN (FORMAT JSON) of a drizzle query, with its parameters bound, as text. */
    async explain(query: { toSQL(): { sql: string; params: unknown[] } }) {
      const { sql: text, params } = query.toSQL()
      const statement = `explain (format json) ${text}`
      const plan =
        database.kind === 'postgres'
          ? await (database.client as import('postgres').Sql).unsafe(statement, params as never[])
          : (await (database.client as import('@electric-sql/pglite').PGlite).query(statement, params)).rows
      return JSON.stringify(plan)
    },
    async close() {
      await Promise.allSettled([database.close(), redis?.quit()])
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>

/**
 * For tests whose data sits at fixed dates from October 2026 on: keeps those months partitioned
 * (maintenance only keeps last month onwards), so their plans stay the same as time passes.
 */
export async function keepPartitionsFromOctober2026(app: TestApp) {
  const now = new Date()
  const monthsBack = Math.max(1, (now.getUTCFullYear() - 2026) * 12 + now.getUTCMonth() - 9)
  await ensurePartitions(app.database, 3, monthsBack)
}
