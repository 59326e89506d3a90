import { and, eq, isNull, sql } from 'drizzle-orm'
import { productBarcodes, products } from '../../../db/schema'
import type { Db } from '../../infra/db'
import type { ProductView } from './model'

const barcodesOf = sql<string[]>`coalesce((
  select array_agg(b2.barcode order by b2.barcode) from ${productBarcodes} b2
  where b2.tenant_id = ${products.tenantId} and b2.product_id = ${products.id}), '{}')`

const productColumns = {
  id: products.id,
  sku: products.sku,
  name: products.name,
  description: products.description,
  categoryId: products.categoryId,
  price: products.price,
  cost: products.cost,
  unit: products.unit,
  taxRate: products.taxRate,
  isActive: products.isActive,
  version: products.version,
  createdAt: products.createdAt,
  updatedAt: products.updatedAt,
  barcodes: barcodesOf,
}

type ProductRow = { [K in keyof typeof productColumns]: unknown } & { createdAt: Date; updatedAt: Date }

export const toProductView = (row: ProductRow): ProductView => ({
  ...(row as unknown as ProductView),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
})

export const barcodeQuery = (db: Db, tenantId: string, barcode: string) =>
  db
    .select(productColumns)
    .from(productBarcodes)
    .innerJoin(
      products,
      and(eq(products.tenantId, productBarcodes.tenantId), eq(products.id, productBarcodes.productId)),
    )
    .where(
      and(
        eq(productBarcodes.tenantId, tenantId),
        eq(productBarcodes.barcode, barcode),
        isNull(products.deletedAt),
      ),
    )
    .limit(1)

/** The product a barcode resolves to within the tenant, or undefined (deleted products never resolve). */
export async function findByBarcode(
  db: Db,
  tenantId: string,
  barcode: string,
): Promise<ProductView | undefined> {
  const [row] = await barcodeQuery(db, tenantId, barcode)
  return row ? toProductView(row as ProductRow) : undefined
}
