import { sql } from 'drizzle-orm'
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { at, createdAt, id, tenantId, updatedAt, version } from './columns'

/** The one route whose Idempotency-Key is not scoped to a tenant (see idempotency_keys). */
export const PLATFORM_TENANT_ROUTE = 'POST /api/v1/admin/tenants'

export const tenants = pgTable('tenants', {
  id: id().primaryKey(),
  name: text('name').notNull(),
  version: version(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

/**
 * API keys are stored only as SHA-256 hashes. The token itself carries the tenant and key id
 * (see the auth module), so lookup is by primary key and no unique index escapes the tenant.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    tenantId: tenantId().references(() => tenants.id),
    id: id(),
    name: text('name'),
    secretHash: text('secret_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    storeId: uuid('store_id'),
    terminalId: uuid('terminal_id'),
    /** Requests per second allowed for this key; null means the configured default. */
    rateLimit: integer('rate_limit'),
    createdAt: createdAt(),
    revokedAt: at('revoked_at'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
)

export type WeightBarcodeLayout = {
  prefix: string
  itemDigits: number
  kind: 'weight' | 'price'
  valueDigits: number
  decimals: number
}

export const settings = pgTable('settings', {
  tenantId: tenantId()
    .primaryKey()
    .references(() => tenants.id),
  allowNegativeStock: boolean('allow_negative_stock').notNull().default(true),
  /** When false a line price that differs from the catalog is refused unless the key may override. */
  allowPriceOverride: boolean('allow_price_override').notNull().default(false),
  currency: text('currency').notNull().default('UZS'),
  weightBarcodes: jsonb('weight_barcodes').$type<WeightBarcodeLayout[]>().notNull().default(sql`'[]'::jsonb`),
  receiptNumberPrefix: text('receipt_number_prefix').notNull().default(''),
  version: version(),
  updatedAt: updatedAt(),
})

/**
 * Idempotency records live in PostgreSQL and are written in the same transaction as the effect
 * they protect, so an acknowledged response and its effect are durable together.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tenantId: tenantId().references(() => tenants.id),
    key: text('key').notNull(),
    /** Route template the key was first used on; the same key on another route is a reuse. */
    route: text('route').notNull(),
    requestHash: text('request_hash').notNull(),
    responseStatus: integer('response_status').notNull(),
    responseBody: jsonb('response_body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.key] }),
    index('idempotency_keys_created_idx').on(t.tenantId, t.createdAt),
    // Creating a tenant has no tenant yet to scope its key: the row is kept under the tenant it
    // created, and the key is unique among those of that route.
    uniqueIndex('idempotency_keys_platform_idx')
      .on(t.key)
      .where(sql`${t.route} = ${sql.raw(`'${PLATFORM_TENANT_ROUTE}'`)}`),
  ],
)
