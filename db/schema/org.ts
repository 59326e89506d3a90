import {
  bigint,
  boolean,
  foreignKey,
  index,
  type PgTableExtraConfigValue,
  pgTable,
  primaryKey,
  text,
  uuid,
} from 'drizzle-orm/pg-core'
import { at, createdAt, id, tenantId, updatedAt, version } from './columns'
import { tenants } from './tenants'

// Foreign keys between tenant-owned tables are composite (tenant_id, id): the database itself
// refuses a row that points at another tenant's object.

export const warehouses = pgTable(
  'warehouses',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: id(),
    name: text('name').notNull(),
    storeId: uuid('store_id'),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t): PgTableExtraConfigValue[] => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // Evaluated lazily, so the forward reference to stores is fine.
    foreignKey({ columns: [t.tenantId, t.storeId], foreignColumns: [stores.tenantId, stores.id] }),
    index('warehouses_store_idx').on(t.tenantId, t.storeId),
  ],
)

export const stores = pgTable(
  'stores',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: id(),
    name: text('name').notNull(),
    /** IANA time zone; business days of reports are days in this zone. */
    timezone: text('timezone').notNull(),
    address: text('address'),
    /** Sales at this store draw stock from this warehouse. */
    warehouseId: uuid('warehouse_id').notNull(),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.warehouseId],
      foreignColumns: [warehouses.tenantId, warehouses.id],
    }),
  ],
)

export const terminals = pgTable(
  'terminals',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: id(),
    storeId: uuid('store_id').notNull(),
    name: text('name').notNull(),
    /** Last receipt number issued; incremented under the row lock so numbers are gapless. */
    receiptSeq: bigint('receipt_seq', { mode: 'number' }).notNull().default(0),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.storeId], foreignColumns: [stores.tenantId, stores.id] }),
    index('terminals_store_idx').on(t.tenantId, t.storeId),
  ],
)

export const employees = pgTable(
  'employees',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: id(),
    storeId: uuid('store_id'),
    name: text('name').notNull(),
    role: text('role').notNull().default('cashier'),
    phone: text('phone'),
    isActive: boolean('is_active').notNull().default(true),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: at('deleted_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.storeId], foreignColumns: [stores.tenantId, stores.id] }),
    index('employees_store_idx').on(t.tenantId, t.storeId),
  ],
)

export const customers = pgTable(
  'customers',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: id(),
    name: text('name').notNull(),
    /** E.164, normalised on write so lookups by phone are exact index probes. */
    phone: text('phone'),
    email: text('email'),
    note: text('note'),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: at('deleted_at'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('customers_phone_idx').on(t.tenantId, t.phone)],
)
