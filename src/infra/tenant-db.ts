import { and, eq, type SQL } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Db, Tx } from './db'

export type TenantTable = PgTable & { tenantId: PgColumn }

/**
 * A database handle bound to one tenant: the one place tenant scoping lives. Services build their
 * filters with `where(table, …)` and their rows with `own(values)`, so no query can leave out
 * tenant_id; the tenant id itself only ever comes from the API key.
 */
export class TenantDb {
  constructor(
    readonly db: Db | Tx,
    readonly tenantId: string,
  ) {}

  /** `tenant_id = <tenant> AND …conditions` for the given table. */
  where(table: TenantTable, ...conditions: (SQL | undefined)[]): SQL {
    return and(eq(table.tenantId, this.tenantId), ...conditions) as SQL
  }

  /** The values with tenant_id set to this tenant (whatever the caller passed). */
  own<T extends object>(values: T): T & { tenantId: string } {
    return { ...values, tenantId: this.tenantId }
  }

  transaction<R>(fn: (tx: TenantDb) => Promise<R>): Promise<R> {
    return (this.db as Db).transaction((tx) => fn(new TenantDb(tx as unknown as Tx, this.tenantId)))
  }
}
