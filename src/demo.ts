import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { count } from 'drizzle-orm'
import { tenants } from '../db/schema'
import { DEMO_MILK_BARCODE, seedDemoCatalog } from '../db/seed/demo'
import type { Database } from './infra/db'
import { TERMINAL_SCOPES } from './lib/scopes'
import { createApiKey, createTenant } from './modules/admin/service'

export type DemoCredentials = { adminKey: string; terminalKey: string; tryPath: string; file: string }

/**
 * First start of the embedded database: a demo tenant with a store, a register and a catalog, plus
 * an admin and a terminal key. Keys are stored only as hashes in the database, so their plain
 * text is kept beside the demo data (never in a server deployment) to be printed at every start.
 */
export async function ensureDemo(database: Database, dataDir: string): Promise<DemoCredentials> {
  const file = join(dataDir, 'demo-credentials.json')
  const tryPath = `/api/v1/products/by-barcode/${DEMO_MILK_BARCODE}`
  if (existsSync(file)) return { ...JSON.parse(readFileSync(file, 'utf8')), tryPath, file }
  const [existing] = await database.db.select({ n: count() }).from(tenants)
  if ((existing?.n ?? 0) > 0)
    throw new Error(`${dataDir} holds data but no ${file}; remove ${dataDir} to start afresh`)
  const { tenant, apiKey } = await createTenant(database.db, 'Demo shop')
  const demo = await seedDemoCatalog(database.db, tenant.id)
  const terminal = await createApiKey(database.db, tenant.id, {
    name: 'Касса 1',
    scopes: TERMINAL_SCOPES,
    storeId: demo.storeId,
    terminalId: demo.terminalId,
  })
  const credentials = { adminKey: apiKey, terminalKey: terminal.key, tenantId: tenant.id }
  writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 })
  return { ...credentials, tryPath, file }
}
