import { sql } from 'drizzle-orm'
import { productBarcodes, products } from '../../../db/schema'
import type { ProductView } from './model'

// The one mapping from product rows to the JSON every catalog route answers with.

// Qualified by hand: in a one-table select drizzle drops the table name, and a bare "tenant_id"
// here would bind to b2's own column (no tenant filter, no index).
const barcodesOf = sql<string[]>`coalesce((
  select array_agg(b2.barcode order by b2.barcode) from ${productBarcodes} b2
  where b2.tenant_id = "products"."tenant_id" and b2.product_id = "products"."id"), '{}')`

export const productColumns = {
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
  deletedAt: products.deletedAt,
  barcodes: barcodesOf,
}

export type ProductRow = {
  id: string
  sku: string
  name: string
  description: string | null
  categoryId: string | null
  price: number
  cost: number | null
  unit: string
  taxRate: number
  isActive: boolean
  version: number
  /** A Date through drizzle's columns, PostgreSQL's text through a raw statement. */
  createdAt: Date | string
  updatedAt: Date | string
  deletedAt: Date | string | null
  barcodes: string[]
}

/** The same parse drizzle applies to timestamptz text, so both row shapes give identical JSON. */
const iso = (at: Date | string) => (typeof at === 'string' ? new Date(at) : at).toISOString()

/** Fixed key order, so the cached bytes and a fresh answer are identical. */
export function toProductView(row: ProductRow): ProductView {
  const view: ProductView = {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    barcodes: row.barcodes,
    categoryId: row.categoryId,
    price: Number(row.price),
    cost: row.cost === null ? null : Number(row.cost),
    unit: row.unit,
    taxRate: row.taxRate,
    isActive: row.isActive,
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  }
  if (row.deletedAt) view.deletedAt = iso(row.deletedAt)
  return view
}
