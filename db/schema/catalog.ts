import { type SQL, sql } from 'drizzle-orm'
import {
  boolean,
  customType,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { at, createdAt, id, money, tenantId, updatedAt, version } from './columns'
import { tenants } from './tenants'

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

export const categories = pgTable(
  'categories',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: id(),
    parentId: uuid('parent_id'),
    name: text('name').notNull(),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: at('deleted_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.parentId], foreignColumns: [t.tenantId, t.id] }),
    index('categories_updated_idx').on(t.tenantId, t.updatedAt, t.id),
  ],
)

export const products = pgTable(
  'products',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: id(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    categoryId: uuid('category_id'),
    price: money('price').notNull(),
    cost: money('cost'),
    unit: text('unit').notNull().default('pcs'),
    /** Basis points; prices are tax-inclusive. */
    taxRate: integer('tax_rate').notNull().default(0),
    isActive: boolean('is_active').notNull().default(true),
    /** Russian full-text document over name and description; indexed with GiST (led by tenant_id) in SQL migrations. */
    search: tsvector('search').generatedAlwaysAs(
      (): SQL =>
        sql`to_tsvector('russian'::regconfig, coalesce(${products.name}, '') || ' ' || coalesce(${products.description}, ''))`,
    ),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: at('deleted_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.categoryId], foreignColumns: [categories.tenantId, categories.id] }),
    uniqueIndex('products_sku_key').on(t.tenantId, t.sku),
    index('products_category_idx').on(t.tenantId, t.categoryId),
    // Terminal catalog sync walks (updated_at, id) from its last checkpoint, deletions included.
    index('products_updated_idx').on(t.tenantId, t.updatedAt, t.id),
  ],
)

/** Many barcodes per product; a barcode resolves to at most one product of a tenant. */
export const productBarcodes = pgTable(
  'product_barcodes',
  {
    tenantId: tenantId().references(() => tenants.id),
    barcode: text('barcode').notNull(),
    productId: uuid('product_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.barcode] }),
    foreignKey({
      columns: [t.tenantId, t.productId],
      foreignColumns: [products.tenantId, products.id],
    }).onDelete('cascade'),
    index('product_barcodes_product_idx').on(t.tenantId, t.productId),
  ],
)
