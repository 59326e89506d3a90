import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { receiptIds, shifts, stores, terminals, warehouses } from '../../db/schema'
import { startTestApp, type TestApp } from '../testing/harness'
import { ensurePartitions, runMigrations } from './migrate'

let t: TestApp
let tenantId: string

beforeAll(async () => {
  t = await startTestApp()
  tenantId = (await t.newTenant()).tenant.id
})
afterAll(() => t.close())

const monthsFromNow = (months: number) => {
  const d = new Date()
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 15, 12))
}

async function insertReceipt(occurredAt: Date) {
  const db = t.db
  const [wh] = await db.insert(warehouses).values({ tenantId, name: 'W' }).returning()
  if (!wh) throw new Error('no warehouse')
  const [store] = await db
    .insert(stores)
    .values({ tenantId, name: 'S', timezone: 'UTC', warehouseId: wh.id })
    .returning()
  if (!store) throw new Error('no store')
  const [terminal] = await db.insert(terminals).values({ tenantId, storeId: store.id, name: 'T' }).returning()
  if (!terminal) throw new Error('no terminal')
  const [shift] = await db
    .insert(shifts)
    .values({ tenantId, storeId: store.id, terminalId: terminal.id, openingCash: 0 })
    .returning()
  if (!shift) throw new Error('no shift')
  const id = crypto.randomUUID()
  await db.insert(receiptIds).values({ tenantId, id, occurredAt })
  await t.database.rows(sql`insert into receipts (tenant_id, id, occurred_at, number, store_id, terminal_id, shift_id,
      subtotal, discount, tax, total, paid, change)
    values (${tenantId}, ${id}, ${occurredAt.toISOString()}, 1, ${store.id}, ${terminal.id}, ${shift.id}, 0, 0, 0, 0, 0, 0)`)
  const [row] = await t.database.rows<{ partition: string }>(
    sql`select tableoid::regclass::text as partition from receipts where tenant_id = ${tenantId} and id = ${id}`,
  )
  return row?.partition
}

describe('migrations', () => {
  test('apply again without error and change nothing', async () => {
    await runMigrations(t.database, t.config.databaseDirectUrl)
    await runMigrations(t.database, t.config.databaseDirectUrl)
    expect(await ensurePartitions(t.database)).toBe(0)
  })

  test('keep monthly partitions from last month to three months ahead', async () => {
    const rows = await t.database.rows<{ name: string }>(
      sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = 'receipts'::regclass order by 1`,
    )
    const names = rows.map((r) => r.name)
    for (let m = -1; m <= 3; m++) {
      const d = monthsFromNow(m)
      expect(names).toContain(
        `receipts_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`,
      )
    }
    expect(names).toContain('receipts_default')
  })

  test('a receipt two months ahead lands in its month, one five years ahead in the default partition', async () => {
    const two = monthsFromNow(2)
    expect(await insertReceipt(two)).toBe(
      `receipts_p${two.getUTCFullYear()}${String(two.getUTCMonth() + 1).padStart(2, '0')}`,
    )
    expect(await insertReceipt(monthsFromNow(60))).toBe('receipts_default')
  })

  test('maintenance moves rows out of the default partition when their month is created', async () => {
    // The first month ahead without a partition: a database kept from an earlier run has some.
    const existing = new Set(
      (
        await t.database.rows<{ name: string }>(
          sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
              where i.inhparent = 'receipts'::regclass`,
        )
      ).map((r) => r.name),
    )
    const partitionOf = (d: Date) =>
      `receipts_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`
    let ahead = 4
    while (existing.has(partitionOf(monthsFromNow(ahead)))) ahead++
    const far = monthsFromNow(ahead)
    expect(await insertReceipt(far)).toBe('receipts_default')
    expect(await ensurePartitions(t.database, ahead)).toBeGreaterThan(0)
    const [row] = await t.database.rows<{ n: number }>(
      sql`select count(*)::int as n from ${sql.raw(partitionOf(far))} where tenant_id = ${tenantId}`,
    )
    expect(row?.n).toBe(1)
  })
})

describe('schema rules', () => {
  test('every index on a tenant-owned table begins with tenant_id', async () => {
    const rows = await t.database.rows<{ table: string; index: string; first: string; unique: boolean }>(sql`
      select c.relname as table, i.relname as index, a.attname as first, x.indisunique as unique
      from pg_index x
      join pg_class c on c.oid = x.indrelid
      join pg_class i on i.oid = x.indexrelid
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
      left join pg_attribute a on a.attrelid = c.oid and a.attnum = x.indkey[0]
      where exists (select 1 from pg_attribute t where t.attrelid = c.oid and t.attname = 'tenant_id' and not t.attisdropped)`)
    expect(rows.length).toBeGreaterThan(40)
    // The one exception: a platform Idempotency-Key (creating a tenant) has no tenant to begin with.
    const offenders = rows.filter(
      (r) => r.first !== 'tenant_id' && r.index !== 'idempotency_keys_platform_idx',
    )
    expect(offenders).toEqual([])
    expect(rows.some((r) => r.unique)).toBe(true)
  })

  test('money columns are bigint, quantities numeric(12,3) and stock levels and movements numeric(18,3)', async () => {
    const rows = await t.database.rows<{ column: string; type: string }>(sql`
      select table_name || '.' || column_name as column, data_type || coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '') as type
      from information_schema.columns
      where table_schema = 'public' and column_name in ('price', 'total', 'amount', 'quantity', 'subtotal', 'tax')
        and table_name not like '%\\_p2%' and table_name not like '%\\_default'`)
    for (const r of rows) {
      if (r.column === 'stock.quantity' || r.column === 'stock_movements.quantity')
        expect(r).toEqual({ column: r.column, type: 'numeric(18,3)' })
      else if (r.column.endsWith('.quantity')) expect(r).toEqual({ column: r.column, type: 'numeric(12,3)' })
      else expect(r).toEqual({ column: r.column, type: 'bigint(64,0)' })
    }
    expect(rows.length).toBeGreaterThan(10)
  })
})
