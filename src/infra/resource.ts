import { asc, eq, gt, isNull, type SQL, sql } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import { AppError, conflict, notFound, sqlState } from '../lib/errors'
import { isStorableInstant } from '../lib/schemas'
import type { TenantDb, TenantTable } from './tenant-db'

type ResourceTable = TenantTable & {
  id: PgColumn
  version: PgColumn
  updatedAt: PgColumn
  deletedAt?: PgColumn
}

export type Page<T> = { items: T[]; nextCursor: string | null }

export const encodeCursor = (value: string) => Buffer.from(value).toString('base64url')
export const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const ID_CURSOR = new RegExp(`^${UUID}$`)
/** Two ids, e.g. (warehouse, product). */
export const ID_PAIR_CURSOR = new RegExp(`^${UUID}\\|${UUID}$`)
const TIME_CURSOR = new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\|${UUID}$`)

const invalidCursor = () =>
  new AppError(400, 'VALIDATION_FAILED', 'cursor is not valid', {
    errors: [{ path: 'cursor', message: 'not a cursor of this list' }],
  })

/** The value inside a cursor, which must match `shape` (an id unless told otherwise). */
export function decodeCursor(cursor: string, shape: RegExp = ID_CURSOR): string {
  const value = Buffer.from(cursor, 'base64url').toString()
  if (!shape.test(value)) throw invalidCursor()
  return value
}

/** A cursor of lists in time order: the instant (a real one) and the id of the last item. */
export function decodeTimeCursor(cursor: string): { at: string; id: string } {
  const [at = '', id = ''] = decodeCursor(cursor, TIME_CURSOR).split('|')
  if (!isStorableInstant(Date.parse(at))) throw invalidCursor()
  return { at, id }
}

/** Maps constraint violations to 409/404 problems; anything else is rethrown. */
export function translateDbError(error: unknown, what: string): never {
  switch (sqlState(error)) {
    case '23505':
      throw conflict(`${what} conflicts with an existing one (duplicate key)`)
    case '23503':
      throw new AppError(
        409,
        'CONFLICT',
        `${what} refers to, or is referred to by, a missing or in-use object`,
      )
  }
  throw error
}

/**
 * Tenant-scoped CRUD for a table with (tenant_id, id) keys, a version and optional soft delete:
 * cursor pages in id order, optimistic concurrency, 404 for anything outside the tenant.
 */
export function resource<T extends ResourceTable>(table: T, what: string) {
  type Row = T['$inferSelect']
  const t = table as unknown as ResourceTable
  const live = t.deletedAt ? isNull(t.deletedAt) : undefined

  return {
    async get(tdb: TenantDb, id: string, opts: { includeDeleted?: boolean } = {}): Promise<Row> {
      const [row] = await tdb.db
        .select()
        .from(t as never)
        .where(tdb.where(t, eq(t.id, id), opts.includeDeleted ? undefined : live))
        .limit(1)
      if (!row) throw notFound(what)
      return row as Row
    },

    async list(
      tdb: TenantDb,
      opts: { limit: number; cursor?: string; filters?: (SQL | undefined)[] },
    ): Promise<Page<Row>> {
      const after = opts.cursor ? gt(t.id, decodeCursor(opts.cursor)) : undefined
      const rows = (await tdb.db
        .select()
        .from(t as never)
        .where(tdb.where(t, live, after, ...(opts.filters ?? [])))
        .orderBy(asc(t.id))
        .limit(opts.limit + 1)) as Row[]
      const more = rows.length > opts.limit
      const items = more ? rows.slice(0, opts.limit) : rows
      const last = items.at(-1) as { id: string } | undefined
      return { items, nextCursor: more && last ? encodeCursor(last.id) : null }
    },

    async insert(tdb: TenantDb, values: Partial<T['$inferInsert']>): Promise<Row> {
      try {
        const rows = (await tdb.db
          .insert(t as never)
          .values(tdb.own(values) as never)
          .returning()) as Row[]
        return rows[0] as Row
      } catch (error) {
        translateDbError(error, what)
      }
    },

    /** Applies `patch` when the stored version equals `expectedVersion` (if given); bumps the version. */
    async update(
      tdb: TenantDb,
      id: string,
      patch: Partial<T['$inferInsert']>,
      expectedVersion?: number,
    ): Promise<Row> {
      const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
      try {
        const rows = (await tdb.db
          .update(t as never)
          .set({ ...clean, version: sql`${t.version} + 1`, updatedAt: sql`now()` } as never)
          .where(
            tdb.where(
              t,
              eq(t.id, id),
              live,
              expectedVersion === undefined ? undefined : eq(t.version, expectedVersion),
            ),
          )
          .returning()) as Row[]
        if (rows[0]) return rows[0]
      } catch (error) {
        translateDbError(error, what)
      }
      const current = (await this.get(tdb, id)) as { version: number }
      throw new AppError(
        409,
        'VERSION_MISMATCH',
        `${what} is at version ${current.version}, not ${expectedVersion}; reload it and retry`,
      )
    },

    /** Soft delete where the table keeps history (deleted_at), else a hard delete. */
    async remove(tdb: TenantDb, id: string): Promise<void> {
      try {
        const rows = t.deletedAt
          ? await tdb.db
              .update(t as never)
              .set({ deletedAt: sql`now()`, version: sql`${t.version} + 1`, updatedAt: sql`now()` } as never)
              .where(tdb.where(t, eq(t.id, id), live))
              .returning({ id: t.id })
          : await tdb.db
              .delete(t as never)
              .where(tdb.where(t, eq(t.id, id)))
              .returning({ id: t.id })
        if (rows.length === 0) throw notFound(what)
      } catch (error) {
        if (error instanceof AppError) throw error
        translateDbError(error, what)
      }
    },
  }
}
