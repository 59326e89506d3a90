// Liveness and readiness of the process and its dependencies, for load balancers and orchestrators.
import { Elysia, t } from 'elysia'
import type { Database } from '../../infra/db'
import type { Redis } from '../../infra/redis'

const DependencyState = t.Union([t.Literal('up'), t.Literal('down'), t.Literal('not_configured')])
const Readiness = t.Object({
  status: t.Union([t.Literal('ready'), t.Literal('degraded'), t.Literal('not_ready')]),
  checks: t.Object({ database: DependencyState, redis: DependencyState }),
})

export type HealthDeps = { database: Database; redis?: Redis; isDraining: () => boolean }

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))])

export const healthModule = ({ database, redis, isDraining }: HealthDeps) =>
  new Elysia({ name: 'health', prefix: '/health', detail: { tags: ['Operations'] } })
    .get('/live', () => ({ status: 'ok' as const }), {
      detail: { summary: 'Liveness: the process is up and serving' },
      response: { 200: t.Object({ status: t.Literal('ok') }) },
    })
    .get(
      '/ready',
      async ({ status }) => {
        const [db, cache] = await Promise.all([
          within(database.ping(), 2000).then(
            () => 'up' as const,
            () => 'down' as const,
          ),
          redis
            ? within(redis.ping(), 1000).then(
                () => 'up' as const,
                () => 'down' as const,
              )
            : ('not_configured' as const),
        ])
        // Redis down leaves the instance in rotation ('degraded'): lookups fall back to the local
        // cache and PostgreSQL, and failing readiness would pull every replica out at once.
        const ready = db === 'up' && !isDraining()
        const state = !ready ? 'not_ready' : cache === 'down' ? 'degraded' : 'ready'
        const body = { status: state, checks: { database: db, redis: cache } } as const
        return ready ? body : status(503, body)
      },
      {
        detail: {
          summary: 'Readiness: 200 when PostgreSQL is reachable and the process is not draining, else 503',
          description:
            'Reports each dependency. Redis being down answers 200 with status "degraded": the service keeps serving from its in-process cache and PostgreSQL.',
        },
        response: { 200: Readiness, 503: Readiness },
      },
    )
