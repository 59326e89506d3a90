import { eq, inArray, sql } from 'drizzle-orm'
import { productBarcodes } from '../../../db/schema'
import { type Db, rows } from '../../infra/db'
import { translateDbError } from '../../infra/resource'
import type { TenantDb } from '../../infra/tenant-db'
import { conflict } from '../../lib/errors'
import type { ProductView } from './model'
import { type ProductRow, toProductView } from './product-view'

/**
 * The product a barcode resolves to within the tenant, or undefined (deleted products never resolve).
 * One call of pos_product_by_barcode (db/migrations/0004), whose plan each server connection keeps.
 */
export async function findByBarcode(
  db: Db,
  tenantId: string,
  barcode: string,
): Promise<ProductView | undefined> {
  const [row] = await rows<ProductRow>(
    db,
    sql`select id, sku, name, description, category_id as "categoryId", price, cost, unit,
      tax_rate as "taxRate", is_active as "isActive", version, created_at as "createdAt",
      updated_at as "updatedAt", deleted_at as "deletedAt", barcodes
      from pos_product_by_barcode(${tenantId}, ${barcode})`,
  )
  return row ? toProductView(row) : undefined
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
