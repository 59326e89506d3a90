import { index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core'
import { at, createdAt, id, money, quantity, tenantId } from './columns'

// Range-partitioned by month on occurred_at. drizzle-kit cannot express PARTITION BY, so these
// tables are created by the hand-written migration 0001_partitions.sql and kept out of
// drizzle.config.ts; the definitions here give queries their types and must match that file.

export const receipts = pgTable(
  'receipts',
  {
    tenantId: tenantId(),
    id: id(),
    occurredAt: at('occurred_at').notNull(),
    number: integer('number').notNull(),
    storeId: uuid('store_id').notNull(),
    terminalId: uuid('terminal_id').notNull(),
    shiftId: uuid('shift_id').notNull(),
    customerId: uuid('customer_id'),
    employeeId: uuid('employee_id'),
    status: text('status').$type<'completed'>().notNull().default('completed'),
    subtotal: money('subtotal').notNull(),
    discount: money('discount').notNull(),
    tax: money('tax').notNull(),
    total: money('total').notNull(),
    paid: money('paid').notNull(),
    change: money('change').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id, t.occurredAt] }),
    index('receipts_store_occurred_idx').on(t.tenantId, t.storeId, t.occurredAt),
    index('receipts_terminal_occurred_idx').on(t.tenantId, t.terminalId, t.occurredAt),
    index('receipts_shift_idx').on(t.tenantId, t.shiftId),
    index('receipts_terminal_number_idx').on(t.tenantId, t.terminalId, t.number),
  ],
)

export const receiptItems = pgTable(
  'receipt_items',
  {
    tenantId: tenantId(),
    id: id(),
    occurredAt: at('occurred_at').notNull(),
    receiptId: uuid('receipt_id').notNull(),
    lineNo: integer('line_no').notNull(),
    productId: uuid('product_id').notNull(),
    barcode: text('barcode'),
    name: text('name').notNull(),
    quantity: quantity('quantity').notNull(),
    price: money('price').notNull(),
    discount: money('discount').notNull(),
    total: money('total').notNull(),
    taxRate: integer('tax_rate').notNull(),
    tax: money('tax').notNull(),
    /** Running total of refunded quantity; a refund locks the row, so it never exceeds quantity. */
    refundedQuantity: quantity('refunded_quantity').notNull().default('0'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id, t.occurredAt] }),
    index('receipt_items_receipt_idx').on(t.tenantId, t.receiptId),
    index('receipt_items_product_occurred_idx').on(t.tenantId, t.productId, t.occurredAt),
  ],
)

/** Money movements of sales (refund_id null) and refunds, dated when the money moved. */
export const payments = pgTable(
  'payments',
  {
    tenantId: tenantId(),
    id: id(),
    occurredAt: at('occurred_at').notNull(),
    receiptId: uuid('receipt_id').notNull(),
    refundId: uuid('refund_id'),
    shiftId: uuid('shift_id'),
    storeId: uuid('store_id').notNull(),
    method: text('method').$type<'cash' | 'card' | 'transfer'>().notNull(),
    amount: money('amount').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id, t.occurredAt] }),
    index('payments_receipt_idx').on(t.tenantId, t.receiptId),
    index('payments_store_occurred_idx').on(t.tenantId, t.storeId, t.occurredAt),
    index('payments_shift_idx').on(t.tenantId, t.shiftId),
  ],
)
