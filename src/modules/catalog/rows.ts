import type { SQL } from 'drizzle-orm'
import type { Db, Tx } from '../../infra/db'

/** Rows of a raw statement, whatever the driver's result shape (postgres.js: array; PGlite: {rows}). */
export async function rows<T>(db: Db | Tx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] }
  return Array.isArray(result) ? result : result.rows
}
