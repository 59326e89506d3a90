import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm'
import { apiKeys } from '../../../db/schema'
import { decodeCursor, encodeCursor } from '../../infra/resource'
import type { TenantDb } from '../../infra/tenant-db'
import { badRequest, notFound } from '../../lib/errors'
import { storeRows, terminalRows } from '../org/service'
import type { NewApiKey } from './model'
import { createApiKey, toApiKeyView } from './service'

/** A new key for the caller's tenant; a terminal binding also binds the key to that terminal's store. */
export async function issueKey(tdb: TenantDb, body: typeof NewApiKey.static) {
  // `admin` reaches every store (keys, settings, the organisation): a key bound to one cannot hold it.
  if ((body.storeId || body.terminalId) && body.scopes.includes('admin'))
    throw badRequest('a key bound to a store or terminal cannot have the admin scope', [
      { path: 'scopes', message: 'admin is tenant-wide; bound keys take the other scopes' },
    ])
  let storeId = body.storeId
  if (body.terminalId) {
    const terminal = await terminalRows.get(tdb, body.terminalId)
    if (storeId && storeId !== terminal.storeId)
      throw badRequest('terminalId belongs to another store than storeId', [
        { path: 'storeId', message: 'must be the terminal’s store' },
      ])
    storeId = terminal.storeId
  } else if (storeId) {
    await storeRows.get(tdb, storeId)
  }
  return createApiKey(tdb.db as never, tdb.tenantId, { ...body, storeId })
}

export async function listKeys(tdb: TenantDb, q: { limit: number; cursor?: string }) {
  const rows = await tdb.db
    .select()
    .from(apiKeys)
    .where(tdb.where(apiKeys, q.cursor ? gt(apiKeys.id, decodeCursor(q.cursor)) : undefined))
    .orderBy(asc(apiKeys.id))
    .limit(q.limit + 1)
  const items = rows.slice(0, q.limit)
  const last = items.at(-1)
  return {
    items: items.map(toApiKeyView),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.id) : null,
  }
}

/** Marks the key revoked; the caller drops it from every instance's cache. */
export async function revokeKey(tdb: TenantDb, id: string) {
  const rows = await tdb.db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(tdb.where(apiKeys, eq(apiKeys.id, id)), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id })
  if (rows.length === 0) throw notFound('api key')
}
