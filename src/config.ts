import { type Static, Type as T } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

// Every setting of the service, read once from the environment and validated; a bad value stops
// the process with a message naming the variable.

const PostgresUrl = T.String({ pattern: '^postgres(ql)?://\\S+$' })
const Int = (minimum: number, maximum: number, dflt: number) => T.Integer({ minimum, maximum, default: dflt })

const Env = T.Object({
  PORT: Int(0, 65535, 3000),
  HOST: T.String({ minLength: 1, default: '0.0.0.0' }),
  DATABASE_URL: T.Optional(PostgresUrl),
  DATABASE_DIRECT_URL: T.Optional(PostgresUrl),
  DATABASE_POOL_SIZE: Int(1, 1000, 20),
  DATA_DIR: T.String({ minLength: 1, default: '.data' }),
  REDIS_URL: T.Optional(T.String({ pattern: '^rediss?://\\S+$' })),
  ADMIN_TOKEN: T.Optional(T.String({ minLength: 16 })),
  WORKERS: Int(1, 256, 1),
  LOG_LEVEL: T.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => T.Literal(l)),
    { default: 'info' },
  ),
  MIGRATE: T.Boolean({ default: true }),
  SEED_DEMO: T.Boolean({ default: true }),
  BODY_LIMIT: Int(1024, 1024 ** 3, 1024 * 1024),
  SHUTDOWN_TIMEOUT_MS: Int(0, 600_000, 10_000),
  SLOW_REQUEST_MS: Int(0, 600_000, 500),
  CORS_ORIGINS: T.String({ default: '' }),
  CATALOG_CACHE: T.Union([T.Literal('lru'), T.Literal('redis'), T.Literal('off')], { default: 'lru' }),
  CACHE_LRU_MAX_ENTRIES: Int(0, 10_000_000, 200_000),
  CACHE_LRU_MAX_BYTES: Int(0, 16 * 1024 ** 3, 256 * 1024 ** 2),
  CACHE_TTL_SECONDS: Int(1, 86_400, 3600),
  CACHE_NEGATIVE_TTL_SECONDS: Int(1, 3600, 5),
  RATE_LIMIT_PER_SECOND: Int(0, 1_000_000, 200),
  RATE_LIMIT_BURST: Int(1, 10_000_000, 400),
  POS_TEST_LOOKUP_DELAY_MS: Int(0, 60_000, 0),
  METRICS: T.Boolean({ default: true }),
  WORKER_METRICS_PORT_BASE: Int(1, 65535, 19100),
})

export class ConfigError extends Error {}

/** Parses the given environment (process.env by default); throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(Env.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const parsed = Value.Convert(Env, Value.Default(Env, raw))
  const problems = [...Value.Errors(Env, parsed)].map(
    (e) => `${e.path.slice(1)}: ${e.message} (got ${JSON.stringify(raw[e.path.slice(1)] ?? null)})`,
  )
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`)
  const e = parsed as Static<typeof Env>
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    /** Past PgBouncer, for migrations and anything needing a session. */
    databaseDirectUrl: e.DATABASE_DIRECT_URL ?? e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    adminToken: e.ADMIN_TOKEN,
    workers: e.WORKERS,
    logLevel: e.LOG_LEVEL,
    migrate: e.MIGRATE,
    seedDemo: e.SEED_DEMO,
    bodyLimit: e.BODY_LIMIT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    slowRequestMs: e.SLOW_REQUEST_MS,
    /** lru: in-process LRU → Redis → PostgreSQL; redis: no LRU; off: PostgreSQL every time. */
    catalogCache: e.CATALOG_CACHE,
    cacheLruMaxEntries: e.CACHE_LRU_MAX_ENTRIES,
    cacheLruMaxBytes: e.CACHE_LRU_MAX_BYTES,
    cacheTtlSeconds: e.CACHE_TTL_SECONDS,
    cacheNegativeTtlSeconds: e.CACHE_NEGATIVE_TTL_SECONDS,
    /** Per API key, token bucket; a key's own rate_limit overrides the rate. 0: no limiter at all. */
    rateLimitPerSecond: e.RATE_LIMIT_PER_SECOND,
    rateLimitBurst: e.RATE_LIMIT_BURST,
    /** Only for the benchmark harness's own test: an artificial delay in barcode lookup. */
    testLookupDelayMs: e.POS_TEST_LOOKUP_DELAY_MS,
    /** Prometheus metrics (HTTP, database, cache); off only to measure what they cost. */
    metrics: e.METRICS,
    /** With WORKERS > 1, worker n serves its metrics as JSON on 127.0.0.1:(base + n). */
    workerMetricsPortBase: e.WORKER_METRICS_PORT_BASE,
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  }
}

export type Config = ReturnType<typeof loadConfig>
