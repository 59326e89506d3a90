import { sql } from 'drizzle-orm'
import {
  boolean,
  foreignKey,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { at, createdAt, id, money, quantity, tenantId, updatedAt, version } from './columns'
import { employees, stores, terminals } from './org'
import { tenants } from './tenants'

export const shifts = pgTable(
  'shifts',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: id(),
    storeId: uuid('store_id').notNull(),
    terminalId: uuid('terminal_id').notNull(),
    employeeId: uuid('employee_id'),
    status: text('status').$type<'open' | 'closed'>().notNull().default('open'),
    openingCash: money('opening_cash').notNull(),
    countedCash: money('counted_cash'),
    /** Z report snapshot taken when the shift closes. */
    report: jsonb('report'),
    openedAt: at('opened_at').notNull().defaultNow(),
    closedAt: at('closed_at'),
    version: version(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.storeId], foreignColumns: [stores.tenantId, stores.id] }),
    foreignKey({ columns: [t.tenantId, t.terminalId], foreignColumns: [terminals.tenantId, terminals.id] }),
    foreignKey({ columns: [t.tenantId, t.employeeId], foreignColumns: [employees.tenantId, employees.id] }),
    // At most one open shift per terminal, enforced by the database.
    uniqueIndex('shifts_open_terminal_key').on(t.tenantId, t.terminalId).where(sql`status = 'open'`),
    index('shifts_terminal_opened_idx').on(t.tenantId, t.terminalId, t.openedAt),
  ],
)

/** Cash put into or taken out of the drawer during a shift. */
export const cashMovements = pgTable(
  'cash_movements',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: id(),
    shiftId: uuid('shift_id').notNull(),
    type: text('type').$type<'in' | 'out'>().notNull(),
    amount: money('amount').notNull(),
    reason: text('reason'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.shiftId], foreignColumns: [shifts.tenantId, shifts.id] }),
    index('cash_movements_shift_idx').on(t.tenantId, t.shiftId),
  ],
)

/**
 * Registry of receipt ids. `receipts` is partitioned by time, so its primary key includes
 * occurred_at and cannot make an id unique on its own; this table does, makes a replayed
 * offline receipt a conflict rather than a second sale, and tells which partition holds it.
 */
export const receiptIds = pgTable(
  'receipt_ids',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: uuid('id').notNull(),
    occurredAt: at('occurred_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
)

export const refunds = pgTable(
  'refunds',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: id(),
    receiptId: uuid('receipt_id').notNull(),
    shiftId: uuid('shift_id'),
    storeId: uuid('store_id').notNull(),
    total: money('total').notNull(),
    tax: money('tax').notNull(),
    restock: boolean('restock').notNull().default(false),
    reason: text('reason'),
    occurredAt: at('occurred_at').notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.receiptId], foreignColumns: [receiptIds.tenantId, receiptIds.id] }),
    foreignKey({ columns: [t.tenantId, t.shiftId], foreignColumns: [shifts.tenantId, shifts.id] }),
    index('refunds_receipt_idx').on(t.tenantId, t.receiptId),
    index('refunds_store_occurred_idx').on(t.tenantId, t.storeId, t.occurredAt),
    index('refunds_shift_idx').on(t.tenantId, t.shiftId),
  ],
)

export const refundItems = pgTable(
  'refund_items',
  {
    tenantId: tenantId().references(() => tenants.id),
    refundId: uuid('refund_id').notNull(),
    receiptItemId: uuid('receipt_item_id').notNull(),
    productId: uuid('product_id').notNull(),
    quantity: quantity('quantity').notNull(),
    amount: money('amount').notNull(),
    tax: money('tax').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.refundId, t.receiptItemId] }),
    foreignKey({ columns: [t.tenantId, t.refundId], foreignColumns: [refunds.tenantId, refunds.id] }),
    index('refund_items_receipt_item_idx').on(t.tenantId, t.receiptItemId),
  ],
)
