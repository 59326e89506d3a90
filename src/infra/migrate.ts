import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import type { Database } from './db'

const migrationsFolder = fileURLToPath(new URL('../../db/migrations', import.meta.url))
const MIGRATION_LOCK = 7_214_001

/**
 * Applies every pending migration, then makes sure partitions exist ahead. Safe to run from many
 * instances at once: on PostgreSQL a session advisory lock on a direct connection (past PgBouncer,
 * whose transaction pooling cannot hold a session lock) lets one migrate while the others wait.
 */
export async function runMigrations(database: Database, directUrl?: string): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder })
    await ensurePartitions(database)
    return
  }
  if (!directUrl) throw new Error('runMigrations: a PostgreSQL URL is required')
  const client = postgres(directUrl, { max: 1, prepare: false, onnotice: () => {} })
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`
    await migratePostgres(drizzle(client), { migrationsFolder })
    await client`select pos_ensure_partitions()`
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`
  } finally {
    await client.end({ timeout: 5 })
  }
}

/**
 * Creates the monthly partitions from `monthsBack` months ago to `monthsAhead` ahead (idempotent; the
 * SQL function serialises concurrent callers with a transaction-scoped advisory lock).
 */
export async function ensurePartitions(database: Database, monthsAhead = 3, monthsBack = 1): Promise<number> {
  const [row] = await database.rows<{ created: number }>(
    sql`select pos_ensure_partitions(${monthsBack}, ${monthsAhead}) as created`,
  )
  return Number(row?.created ?? 0)
}
