import { Elysia } from 'elysia'
import { NoContent, problems } from '../../lib/schemas'
import type { Auth } from '../../plugins/auth'
import { CacheStatsView } from './model'
import type { CatalogService } from './service'

export const cacheRoutes = ({ catalog, auth }: { catalog: CatalogService; auth: Auth }) =>
  new Elysia({ name: 'catalog-cache', prefix: '/api/v1/cache', detail: { tags: ['Cache'] } })
    .use(auth.plugin)
    .get('/stats', () => catalog.stats(), {
      auth: 'admin',
      detail: {
        summary: "This instance's catalog cache statistics",
        description:
          'Counters since this instance started; hitRate counts LRU and Redis hits over all lookups.',
      },
      response: { 200: CacheStatsView, ...problems(401, 403) },
    })
    .delete(
      '',
      async ({ auth, status }) => {
        await catalog.flushTenant(auth.tenantId)
        return status(204, undefined)
      },
      {
        auth: 'admin',
        detail: {
          summary: "Drop this tenant's cached catalog on every instance",
          description:
            "Bumps the tenant's cache generation in Redis and tells every instance to forget its copies.",
        },
        response: { 204: NoContent, ...problems(401, 403) },
      },
    )
