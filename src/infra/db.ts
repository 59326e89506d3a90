import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin'
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import * as schema from '../../db/schema'
import { instrumentPostgres } from './db-metrics'

/** The drizzle handle every service receives; the same type for PostgreSQL and embedded PGlite. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export type Database = {
  db: Db
  kind: 'postgres' | 'pglite'
  /** Rows of a raw statement, whatever the driver's result shape. */
  rows<T = Record<string, unknown>>(query: ReturnType<typeof sql>, on?: Db | Tx): Promise<T[]>
  ping(): Promise<void>
  close(): Promise<void>
  /** The underlying client, for the migrator and pool statistics. */
  client: postgres.Sql | PGlite
}

export type DatabaseOptions = { url?: string; dataDir: string; poolSize: number; metrics?: boolean }

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    // prepare: false — PgBouncer 1.18 in transaction mode cannot track named prepared statements.
    const client = postgres(opts.url, {
      max: opts.poolSize,
      prepare: false,
      idle_timeout: 30,
      connect_timeout: 10,
      onnotice: () => {},
    })
    const guarded = withoutPipelining(client)
    const instrumented =
      opts.metrics === false
        ? { sql: guarded, release: () => {} }
        : instrumentPostgres(guarded, opts.poolSize)
    const db = drizzlePostgres(instrumented.sql, { schema }) as unknown as Db
    drivers.set(db, instrumented.sql)
    return wrap(db, 'postgres', client, () => {
      instrumented.release()
      return client.end({ timeout: 5 })
    })
  }
  const dir = join(opts.dataDir, 'pg')
  mkdirSync(dir, { recursive: true })
  // btree_gin only for replaying migration 0002, whose GIN indexes 0006 replaced with GiST ones.
  const client = await PGlite.create(dir, { extensions: { pg_trgm, btree_gin, btree_gist } })
  const db = drizzlePglite(client, { schema }) as unknown as Db
  return wrap(db, 'pglite', client, () => client.close())
}

type UnsafeOptions = Parameters<postgres.Sql['unsafe']>[2] & { onexecute?: (connection: unknown) => boolean }
const alone = () => false

/**
 * The client, never pipelining a statement onto a connection still busy with another. postgres.js
 * pipelines statements without parameters (those with parameters are described first and wait),
 * and through PgBouncer's transaction pooling that is unsafe: PgBouncer gives the server connection
 * back to its pool at the first ReadyForQuery while the pipelined messages are already on their way
 * to it (pgbouncer/pgbouncer#759) — answers went missing and a request hung until this guard
 * (src/infra/pipelining.int.test.ts). postgres.js asks a statement's `onexecute` whether its
 * connection may take more; false parks the connection until that statement's ReadyForQuery (for a
 * statement with parameters it changes nothing). Transactions (`begin`) keep a connection of their
 * own and are unaffected. Only statements through this proxy are guarded: `Database.client` is the
 * raw client (migrations on their own one-connection client; the tests' EXPLAIN).
 */
function withoutPipelining(client: postgres.Sql): postgres.Sql {
  const unsafe = client.unsafe.bind(client) as (
    text: string,
    params?: unknown[],
    options?: UnsafeOptions,
  ) => unknown
  const guardedUnsafe = (text: string, params: unknown[] = [], options: UnsafeOptions = {}) =>
    unsafe(text, params, options.onexecute ? options : { ...options, onexecute: alone })
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'unsafe') return guardedUnsafe
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

function wrap(
  db: Db,
  kind: Database['kind'],
  client: Database['client'],
  close: () => Promise<void>,
): Database {
  return {
    db,
    kind,
    client,
    rows: <T>(query: ReturnType<typeof sql>, on: Db | Tx = db) => rows<T>(on, query),
    async ping() {
      await db.execute(sql`select 1`)
    },
    close,
  }
}

/** The postgres.js client behind a drizzle handle (guarded and timed like drizzle's own calls). */
const drivers = new WeakMap<Db, postgres.Sql>()

/**
 * Rows of a statement without parameters, whose literals the caller has validated (nothing here
 * escapes them), sent to postgres.js directly (still guarded and timed; errors are postgres.js's):
 * drizzle's execute costs ~6–8 µs of CPU per call for nothing such a statement needs (64 callers
 * on 20 connections through PgBouncer: 31.5 vs 25.1 µs per statement). Through drizzle on PGlite.
 */
export async function literalRows<T>(db: Db, text: string): Promise<T[]> {
  const driver = drivers.get(db)
  return driver ? ((await driver.unsafe(text)) as unknown as T[]) : rows<T>(db, sql.raw(text))
}

/**
 * The given strings as a set-returning call, `from ${elementsOf(xs)} as w(x)`: one parameter however
 * many (a statement takes at most 65,535).
 */
export const elementsOf = (values: readonly string[]) =>
  sql`jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)`

/** `(select …)` of the given ids as uuids, for `x in ${anyOf(ids)}`: one parameter however many. */
export const anyOf = (ids: string[]) => sql`(select (${elementsOf(ids)})::uuid)`

/** Rows of a raw statement, whatever the driver's result shape (postgres.js: array; PGlite: {rows}). */
export async function rows<T>(db: Db | Tx, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] }
  return Array.isArray(result) ? result : result.rows
}
