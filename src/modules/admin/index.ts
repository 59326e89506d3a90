// Admin: platform bootstrap of tenants, the tenant's API keys and its settings.
import { Elysia, t } from 'elysia'
import type { Db } from '../../infra/db'
import { withIdempotency } from '../../infra/idempotency'
import { TenantDb } from '../../infra/tenant-db'
import { etag, expectedVersion, IfMatchHeaders } from '../../lib/http'
import { IdempotencyHeaders, IdParams, NoContent, Pagination, problems } from '../../lib/schemas'
import type { Auth } from '../../plugins/auth'
import { issueKey, listKeys, revokeKey } from './keys'
import { ApiKey, CreatedApiKey, CreatedTenant, NewApiKey, NewTenant, Settings, SettingsPatch } from './model'
import { createTenant, createTenantOnce } from './service'
import { getSettings, settingsView, updateSettings } from './settings'

export type AdminDeps = {
  db: Db
  auth: Auth
  /** Tells every instance that a key was revoked (its own cache included). */
  onKeyRevoked: (tenantId: string, keyId: string) => Promise<void> | void
  /** Tells every instance that a tenant's settings changed (cached weight-barcode layouts). */
  onSettingsChanged: (tenantId: string) => Promise<void> | void
}

export const adminModule = ({ db, auth, onKeyRevoked, onSettingsChanged }: AdminDeps) => {
  const tenant = (a: { tenantId: string }) => new TenantDb(db, a.tenantId)
  return new Elysia({ name: 'admin', prefix: '/api/v1', detail: { tags: ['Admin'] } })
    .use(auth.plugin)
    .post(
      '/admin/tenants',
      async ({ body, headers, set, status }) => {
        const key = headers['idempotency-key']
        if (key === undefined) {
          const { tenant, apiKey } = await createTenant(db, body.name)
          return status(201, { tenant, apiKey })
        }
        const { replayed, ...created } = await createTenantOnce(db, body.name, key)
        if (replayed) set.headers['idempotent-replayed'] = 'true'
        return status(201, created)
      },
      {
        platformAdmin: true,
        body: NewTenant,
        headers: IdempotencyHeaders,
        detail: {
          summary: 'Create a tenant and its first admin API key (platform ADMIN_TOKEN)',
          description:
            'Disabled (403) when the service runs without ADMIN_TOKEN. The key is shown once: a replay (same Idempotency-Key, `Idempotent-Replayed: true`) answers the tenant without `apiKey`.',
        },
        response: { 201: CreatedTenant, ...problems(400, 401, 403, 422) },
      },
    )
    .post(
      '/api-keys',
      async ({ auth, body, headers, set, status }) => {
        const outcome = await withIdempotency(
          tenant(auth),
          {
            key: headers['idempotency-key'],
            route: 'POST /api/v1/api-keys',
            request: body,
            // The secret is stored only as a hash: a replay answers everything else.
            kept: ({ key: _secret, ...issued }) => issued,
          },
          async (tx: TenantDb) => ({ status: 201, body: await issueKey(tx, body) }),
        )
        if (outcome.replayed) set.headers['idempotent-replayed'] = 'true'
        return status(201, outcome.body)
      },
      {
        auth: 'admin',
        body: NewApiKey,
        headers: IdempotencyHeaders,
        detail: {
          summary: 'Create an API key (shown once)',
          description:
            'A key bound to a terminal sells only at that terminal and its store. The key is 256 random bits; only its hash is stored, so a replay (same Idempotency-Key, `Idempotent-Replayed: true`) answers the key without `key`: revoke it and create another if the first answer was lost.',
        },
        response: { 201: CreatedApiKey, ...problems(400, 401, 403, 404, 409, 422, 429) },
      },
    )
    .get('/api-keys', async ({ auth, query }) => listKeys(tenant(auth), query), {
      auth: 'admin',
      query: t.Object(Pagination),
      detail: { summary: 'List API keys (never their secrets)' },
      response: {
        200: t.Object({ items: t.Array(ApiKey), nextCursor: t.Union([t.String(), t.Null()]) }),
        ...problems(400, 401, 403, 429),
      },
    })
    .delete(
      '/api-keys/:id',
      async ({ auth, params, status }) => {
        await revokeKey(tenant(auth), params.id)
        await onKeyRevoked(auth.tenantId, params.id)
        return status(204, undefined)
      },
      {
        auth: 'admin',
        params: IdParams,
        detail: { summary: 'Revoke an API key, at once on every instance' },
        response: { 204: NoContent, ...problems(400, 401, 403, 404, 429) },
      },
    )
    .get(
      '/settings',
      async ({ auth, set }) => {
        const view = settingsView(await getSettings(tenant(auth)))
        set.headers.etag = etag(view.version)
        return view
      },
      {
        auth: 'admin',
        detail: { summary: 'Tenant settings' },
        response: { 200: Settings, ...problems(401, 403, 429) },
      },
    )
    .patch(
      '/settings',
      async ({ auth, body, headers, set }) => {
        const view = settingsView(
          await updateSettings(tenant(auth), body, expectedVersion(headers['if-match'], body.version)),
        )
        await onSettingsChanged(auth.tenantId)
        set.headers.etag = etag(view.version)
        return view
      },
      {
        auth: 'admin',
        body: SettingsPatch,
        headers: IfMatchHeaders,
        detail: {
          summary: 'Change tenant settings (negative stock, price override, currency, weight barcodes)',
          description:
            'allowNegativeStock (default true): when false a sale that would take stock below zero is 409 INSUFFICIENT_STOCK. ' +
            'allowPriceOverride (default false): when false a receipt line price that differs from the catalog is refused unless the key has admin scope.',
        },
        response: { 200: Settings, ...problems(400, 401, 403, 409, 429) },
      },
    )
}
