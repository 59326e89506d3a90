import { and, eq } from 'drizzle-orm'
import { apiKeys, idempotencyKeys, PLATFORM_TENANT_ROUTE, settings, tenants } from '../../../db/schema'
import type { Db } from '../../infra/db'
import { replayOf, requestHash } from '../../infra/idempotency'
import { newApiKey } from '../../lib/api-key'
import type { Scope } from '../../lib/scopes'

export type NewKey = {
  name?: string
  scopes: Scope[]
  storeId?: string
  terminalId?: string
  rateLimit?: number
}

/** Creates a tenant with default settings and its first admin key (shown once). */
export async function createTenant(db: Db, name: string) {
  return db.transaction(async (tx) => {
    const [tenant] = await tx
      .insert(tenants)
      .values({ name })
      .returning({ id: tenants.id, name: tenants.name })
    if (!tenant) throw new Error('tenant insert returned nothing')
    await tx.insert(settings).values({ tenantId: tenant.id })
    const key = await createApiKey(tx as unknown as Db, tenant.id, { name: 'admin', scopes: ['admin'] })
    return { tenant, apiKey: key.key, apiKeyId: key.id }
  })
}

type CreatedTenant = { tenant: { id: string; name: string }; apiKey?: string }

/** A concurrent request with the same key created its tenant first: this one is rolled back. */
class LostRace extends Error {}

/**
 * createTenant under a platform Idempotency-Key: the first request creates the tenant and keeps its
 * answer (without the admin key, which is shown once and stored only as a hash) under that tenant;
 * a retry replays it, another body with the same key is 422.
 */
export async function createTenantOnce(
  db: Db,
  name: string,
  key: string,
): Promise<CreatedTenant & { replayed: boolean }> {
  const hash = requestHash(PLATFORM_TENANT_ROUTE, { name })
  const stored = async () => {
    const [row] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.route, PLATFORM_TENANT_ROUTE), eq(idempotencyKeys.key, key)))
    return replayOf<CreatedTenant>(row, hash, PLATFORM_TENANT_ROUTE)
  }
  const replay = await stored()
  if (replay) return { ...replay.body, replayed: true }
  try {
    return await db.transaction(async (tx) => {
      const created = await createTenant(tx as unknown as Db, name)
      const kept = await tx
        .insert(idempotencyKeys)
        .values({
          tenantId: created.tenant.id,
          key,
          route: PLATFORM_TENANT_ROUTE,
          requestHash: hash,
          responseStatus: 201,
          responseBody: { tenant: created.tenant },
        })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key })
      if (kept.length === 0) throw new LostRace()
      return { tenant: created.tenant, apiKey: created.apiKey, replayed: false }
    })
  } catch (error) {
    if (!(error instanceof LostRace)) throw error
    const winner = await stored()
    if (!winner) throw error
    return { ...winner.body, replayed: true }
  }
}

export async function createApiKey(db: Db, tenantId: string, input: NewKey) {
  const id = crypto.randomUUID()
  const { token, secretHash } = newApiKey(tenantId, id)
  const [row] = await db
    .insert(apiKeys)
    .values({
      tenantId,
      id,
      name: input.name ?? null,
      secretHash,
      scopes: input.scopes,
      storeId: input.storeId ?? null,
      terminalId: input.terminalId ?? null,
      rateLimit: input.rateLimit ?? null,
    })
    .returning()
  if (!row) throw new Error('api key insert returned nothing')
  return { ...toApiKeyView(row), key: token }
}

export function toApiKeyView(row: typeof apiKeys.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes as Scope[],
    storeId: row.storeId,
    terminalId: row.terminalId,
    rateLimit: row.rateLimit,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  }
}

export async function findApiKey(db: Db, tenantId: string, id: string) {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)))
  return row
}
