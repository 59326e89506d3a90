import { openapi } from '@elysiajs/openapi'
import { Elysia } from 'elysia'
import type { Config } from './config'
import type { Database } from './infra/db'
import type { Logger } from './infra/logger'
import type { Redis } from './infra/redis'
import { adminModule } from './modules/admin'
import { catalogModule } from './modules/catalog'
import { healthModule } from './modules/health'
import { createAuth } from './plugins/auth'
import { problem } from './plugins/problem'
import { requestContext } from './plugins/request-context'

export type AppDeps = {
  config: Config
  log: Logger
  database: Database
  redis?: Redis
  /** True once shutdown has begun: readiness turns 503 so load balancers stop sending traffic. */
  isDraining?: () => boolean
}

/** Builds the whole application from plugins and modules; tests call `app.handle(request)`. */
export function createApp(deps: AppDeps) {
  const { config, log, database, redis } = deps
  const auth = createAuth({ db: database.db, adminToken: config.adminToken })
  return new Elysia({ name: 'pos-api' })
    .use(problem(log))
    .use(requestContext({ log, bodyLimit: config.bodyLimit, slowRequestMs: config.slowRequestMs }))
    .use(
      openapi({
        path: '/swagger',
        provider: 'swagger-ui',
        documentation: {
          info: {
            title: 'POS API',
            version: '1.0.0',
            description:
              'Multi-tenant point-of-sale backend: barcode lookup, catalog, sales, stock and reports. ' +
              'Authenticate with `Authorization: Bearer <api key>`; the key decides the tenant. ' +
              'Errors are application/problem+json with a stable `code`.',
          },
          components: {
            securitySchemes: {
              apiKey: {
                type: 'http',
                scheme: 'bearer',
                description: 'Tenant API key (pos_…), shown once at creation',
              },
              adminToken: {
                type: 'http',
                scheme: 'bearer',
                description: 'Platform ADMIN_TOKEN from the environment',
              },
            },
          },
        },
      }),
    )
    .use(healthModule({ database, redis, isDraining: deps.isDraining ?? (() => false) }))
    .use(adminModule({ db: database.db, auth }))
    .use(catalogModule({ db: database.db, auth }))
}

export type App = ReturnType<typeof createApp>
