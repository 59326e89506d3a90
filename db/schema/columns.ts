import { bigint, integer, numeric, timestamp, uuid } from 'drizzle-orm/pg-core'

// Column helpers shared by every aggregate: ids, tenant ownership, money, quantities, audit times.
export const id = () => uuid('id').notNull().defaultRandom()
export const tenantId = () => uuid('tenant_id').notNull()
/** Money in integer minor units (tiyin); bigint so a large receipt never overflows 2^31. */
export const money = (name: string) => bigint(name, { mode: 'number' })
/** Quantities keep three decimals for goods sold by weight; read back as exact decimal strings. */
export const quantity = (name: string) => numeric(name, { precision: 12, scale: 3 })
/**
 * A stock level, or a movement of one: a running sum of many quantities (and a count's correction
 * of it), so wider than one line's quantity — a level must never overflow on the next sale.
 */
export const level = (name: string) => numeric(name, { precision: 18, scale: 3 })
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
export const version = () => integer('version').notNull().default(1)
export const createdAt = () => at('created_at').notNull().defaultNow()
export const updatedAt = () => at('updated_at').notNull().defaultNow()
