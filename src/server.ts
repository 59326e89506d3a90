import { cors } from '@elysiajs/cors'
import { Elysia } from 'elysia'
import type { Config } from './config'
import { createCatalogCache } from './infra/catalog-cache'
import type { Database } from './infra/db'
import { createInvalidationBus } from './infra/invalidation-bus'
import type { Logger } from './infra/logger'
import { observeHttp } from './infra/metrics'
import type { Redis } from './infra/redis'
import { adminModule } from './modules/admin'
import { catalogModule } from './modules/catalog'
import { BARCODE_ROUTE, barcodeFastPath, SEARCH_ROUTE } from './modules/catalog/barcode-fast-path'
import { createCatalogService } from './modules/catalog/service'
import { healthModule } from './modules/health'
import { orgModule } from './modules/org'
import { reportsModule } from './modules/reports'
import { salesModule } from './modules/sales'
import { stockModule } from './modules/stock'
import { createAuth } from './plugins/auth'
import { metricsRoute } from './plugins/metrics'
import { openapiDocs } from './plugins/openapi'
import { problem } from './plugins/problem'
import { RateLimiter } from './plugins/rate-limit'
import { createAccessLog, requestContext } from './plugins/request-context'

export type AppDeps = {
  config: Config
  log: Logger
  database: Database
  redis?: Redis
  /** True once shutdown has begun: readiness turns 503 so load balancers stop sending traffic. */
  isDraining?: () => boolean
  /** Loopback metrics ports of all workers of this host (WORKERS > 1), for one aggregated scrape. */
  workerMetricsPorts?: number[]
}

/** Builds the whole application from plugins and modules; tests call `app.handle(request)`. */
export function createApp(deps: AppDeps) {
  const { config, log, database, redis } = deps
  // RATE_LIMIT_PER_SECOND=0: no limiter in this process at all (nginx limits, or measuring its cost).
  const rateLimiter =
    config.rateLimitPerSecond > 0
      ? new RateLimiter(config.rateLimitPerSecond, config.rateLimitBurst)
      : undefined
  // One bus per instance: every module that holds local copies listens and publishes on it.
  const bus = createInvalidationBus({ redis, log })
  const auth = createAuth({ db: database.db, adminToken: config.adminToken, rateLimiter, bus })
  const catalogCache = createCatalogCache({
    mode: config.catalogCache,
    redis,
    bus,
    maxEntries: config.cacheLruMaxEntries,
    maxBytes: config.cacheLruMaxBytes,
    ttlSeconds: config.cacheTtlSeconds,
    negativeTtlSeconds: config.cacheNegativeTtlSeconds,
    log,
  })
  const catalog = createCatalogService({ db: database.db, cache: catalogCache, bus })
  const isDraining = deps.isDraining ?? (() => false)
  const access = createAccessLog({
    log,
    slowRequestMs: config.slowRequestMs,
    onResponse: config.metrics ? observeHttp : undefined,
  })
  // Bun's router hands cached barcode lookups (by path or search body) straight to the fast path;
  // CORS headers and the test delay exist only in the Elysia routes, so either turns it off.
  const fastPath: ReturnType<typeof barcodeFastPath> | undefined =
    config.corsOrigins.length === 0 && config.testLookupDelayMs === 0
      ? barcodeFastPath({
          catalog,
          auth,
          access,
          log,
          isDraining,
          fallback: (request): Response | Promise<Response> => app.fetch(request),
        })
      : undefined
  const app = new Elysia({
    name: 'pos-api',
    serve: fastPath
      ? {
          routes: { [BARCODE_ROUTE]: { GET: fastPath.byBarcode }, [SEARCH_ROUTE]: { POST: fastPath.search } },
        }
      : undefined,
  })
  return (
    app
      .use(problem(log))
      // While draining, every answer closes its connection: the balancer retires each kept-alive
      // connection after a complete answer instead of racing a new request against our close.
      .onRequest(({ set }) => {
        if (isDraining()) set.headers.connection = 'close'
      })
      .use(requestContext({ access, bodyLimit: config.bodyLimit }))
      .use(
        config.corsOrigins.length > 0
          ? cors({ origin: config.corsOrigins })
          : new Elysia({ name: 'cors-off' }),
      )
      .use(openapiDocs())
      .use(metricsRoute(deps.workerMetricsPorts))
      .use(healthModule({ database, redis, isDraining }))
      .use(
        adminModule({
          db: database.db,
          auth,
          onKeyRevoked: auth.revoke,
          onSettingsChanged: (tenantId) => bus.publish({ type: 'settings.changed', tenantId }),
        }),
      )
      .use(orgModule({ db: database.db, auth }))
      .use(catalogModule({ catalog, auth, lookupDelayMs: config.testLookupDelayMs }))
      .use(salesModule({ db: database.db, auth, catalog }))
      .use(stockModule({ db: database.db, auth }))
      .use(reportsModule({ db: database.db, auth }))
  )
}

export type App = ReturnType<typeof createApp>
