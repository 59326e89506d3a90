import { sql } from 'drizzle-orm'
import { index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core'
import { at, createdAt, id, level, tenantId } from './columns'

export type MovementType =
  | 'sale'
  | 'refund'
  | 'receive'
  | 'adjust'
  | 'transfer_out'
  | 'transfer_in'
  | 'count'
  | 'writeoff'

/**
 * Signed stock changes, range-partitioned by month on occurred_at (created by the hand-written
 * migration 0001_partitions.sql; see sales-history.ts). The signed quantities of a product at a
 * warehouse sum to its level in `stock`.
 */
export const stockMovements = pgTable(
  'stock_movements',
  {
    tenantId: tenantId(),
    id: id(),
    occurredAt: at('occurred_at').notNull(),
    warehouseId: uuid('warehouse_id').notNull(),
    productId: uuid('product_id').notNull(),
    type: text('type').$type<MovementType>().notNull(),
    quantity: level('quantity').notNull(),
    reason: text('reason'),
    reference: text('reference'),
    receiptId: uuid('receipt_id'),
    refundId: uuid('refund_id'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id, t.occurredAt] }),
    index('stock_movements_product_occurred_idx').on(t.tenantId, t.productId, t.occurredAt),
    index('stock_movements_warehouse_occurred_idx').on(t.tenantId, t.warehouseId, t.occurredAt),
    // The counts after a moment, for the trigger that lets a count absorb older movements (0009).
    index('stock_movements_count_idx')
      .on(t.tenantId, t.warehouseId, t.productId, t.occurredAt)
      .where(sql`${t.type} = 'count'`),
  ],
)
