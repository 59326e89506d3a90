// Admin: platform bootstrap of tenants and the tenant's API keys.
import { Elysia } from 'elysia'
import type { Db } from '../../infra/db'
import { problems } from '../../lib/schemas'
import type { Auth } from '../../plugins/auth'
import { CreatedTenant, NewTenant } from './model'
import { createTenant } from './service'

export type AdminDeps = { db: Db; auth: Auth }

export const adminModule = ({ db, auth }: AdminDeps) =>
  new Elysia({ name: 'admin', prefix: '/api/v1/admin', detail: { tags: ['Admin'] } }).use(auth.plugin).post(
    '/tenants',
    async ({ body, status }) => {
      const { tenant, apiKey } = await createTenant(db, body.name)
      return status(201, { tenant, apiKey })
    },
    {
      platformAdmin: true,
      body: NewTenant,
      detail: {
        summary: 'Create a tenant and its first admin API key (platform ADMIN_TOKEN)',
        description: 'Disabled (403) when the service runs without ADMIN_TOKEN. The key is shown once.',
      },
      response: { 201: CreatedTenant, ...problems(400, 401, 403) },
    },
  )
