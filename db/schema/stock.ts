import { foreignKey, index, pgTable, primaryKey, uuid } from 'drizzle-orm/pg-core'
import { products } from './catalog'
import { level, tenantId, updatedAt } from './columns'
import { warehouses } from './org'
import { tenants } from './tenants'

/** Current level per warehouse × product; every change also writes a stock movement. */
export const stock = pgTable(
  'stock',
  {
    tenantId: tenantId().references(() => tenants.id),
    warehouseId: uuid('warehouse_id').notNull(),
    productId: uuid('product_id').notNull(),
    quantity: level('quantity').notNull().default('0'),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.warehouseId, t.productId] }),
    foreignKey({
      columns: [t.tenantId, t.warehouseId],
      foreignColumns: [warehouses.tenantId, warehouses.id],
    }),
    foreignKey({ columns: [t.tenantId, t.productId], foreignColumns: [products.tenantId, products.id] }),
    index('stock_product_idx').on(t.tenantId, t.productId),
  ],
)
