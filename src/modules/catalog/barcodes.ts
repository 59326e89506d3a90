import { and, eq, inArray, isNull } from 'drizzle-orm'
import { productBarcodes, products } from '../../../db/schema'
import type { Db } from '../../infra/db'
import { translateDbError } from '../../infra/resource'
import { TenantDb } from '../../infra/tenant-db'
import { conflict } from '../../lib/errors'
import type { ProductView } from './model'
import { type ProductRow, productColumns, toProductView } from './product-view'

export const barcodeQuery = (db: Db, tenantId: string, barcode: string) => {
  const tdb = new TenantDb(db, tenantId)
  return db
    .select(productColumns)
    .from(productBarcodes)
    .innerJoin(
      products,
      and(eq(products.tenantId, productBarcodes.tenantId), eq(products.id, productBarcodes.productId)),
    )
    .where(tdb.where(productBarcodes, eq(productBarcodes.barcode, barcode), isNull(products.deletedAt)))
    .limit(1)
}

/** The product a barcode resolves to within the tenant, or undefined (deleted products never resolve). */
export async function findByBarcode(
  db: Db,
  tenantId: string,
  barcode: string,
): Promise<ProductView | undefined> {
  const [row] = await barcodeQuery(db, tenantId, barcode)
  return row ? toProductView(row as ProductRow) : undefined
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
