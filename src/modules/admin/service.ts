import { and, eq } from 'drizzle-orm'
import { apiKeys, settings, tenants } from '../../../db/schema'
import type { Db } from '../../infra/db'
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
