import { eq, inArray, sql } from 'drizzle-orm'
import { productBarcodes } from '../../../db/schema'
import { type Db, literalRows, rows } from '../../infra/db'
import { translateDbError } from '../../infra/resource'
import type { TenantDb } from '../../infra/tenant-db'
import { conflict } from '../../lib/errors'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const BARCODE = /^[0-9A-Za-z-]{1,64}$/

/**
 * The serialized product a barcode resolves to within the tenant (the JSON toProductView gives), or
 * undefined; deleted products never resolve. One call of pos_product_json (db/migrations/0005), whose
 * plan each server connection keeps.
 *
 * The arguments are written into the statement as literals when they can only be a UUID and a
 * barcode of [0-9A-Za-z-] (every caller's case: both are validated before they get here): postgres.js
 * without prepared statements (PgBouncer's transaction mode) sends a statement with parameters in two
 * round trips, describe first and execute after, and one without in one (never pipelined behind
 * another: see withoutPipelining in src/infra/db.ts), and is handed to postgres.js without drizzle's
 * per-call work (literalRows). Cache off, 64 connections, small preset: 4,040 req/s with parameters
 * and fifteen columns, ~8,200 with literals and this one column. Anything else is passed as
 * parameters, through drizzle.
 */
export async function productJsonByBarcode(
  db: Db,
  tenantId: string,
  barcode: string,
): Promise<string | undefined> {
  type Row = { json: string | null }
  const [row] =
    UUID.test(tenantId) && BARCODE.test(barcode)
      ? await literalRows<Row>(db, `select pos_product_json('${tenantId}', '${barcode}') as json`)
      : await rows<Row>(db, sql`select pos_product_json(${tenantId}, ${barcode}) as json`)
  return row?.json ?? undefined
}

export const uniqueBarcodes = (barcodes: readonly string[] | undefined) => [...new Set(barcodes ?? [])]

export async function barcodesOfProduct(tdb: TenantDb, productId: string): Promise<string[]> {
  const rows = await tdb.db
    .select({ barcode: productBarcodes.barcode })
    .from(productBarcodes)
    .where(tdb.where(productBarcodes, eq(productBarcodes.productId, productId)))
  return rows.map((r) => r.barcode)
}

/**
 * Makes `wanted` the product's barcode set (inside the caller's transaction). A barcode held by
 * another product of the tenant is a 409 naming it.
 */
export async function replaceBarcodes(tdb: TenantDb, productId: string, current: string[], wanted: string[]) {
  const keep = new Set(wanted)
  const gone = current.filter((b) => !keep.has(b))
  const have = new Set(current)
  const added = wanted.filter((b) => !have.has(b))
  if (gone.length > 0)
    await tdb.db
      .delete(productBarcodes)
      .where(
        tdb.where(
          productBarcodes,
          eq(productBarcodes.productId, productId),
          inArray(productBarcodes.barcode, gone),
        ),
      )
  if (added.length === 0) return
  const taken = await tdb.db
    .select({ barcode: productBarcodes.barcode })
    .from(productBarcodes)
    .where(tdb.where(productBarcodes, inArray(productBarcodes.barcode, added)))
  if (taken[0]) throw conflict(`barcode ${taken[0].barcode} already belongs to another product`)
  try {
    await tdb.db.insert(productBarcodes).values(added.map((barcode) => tdb.own({ barcode, productId })))
  } catch (error) {
    translateDbError(error, 'barcode')
  }
}
