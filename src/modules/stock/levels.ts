import { sql } from 'drizzle-orm'
import { anyOf, rows } from '../../infra/db'
import { decodeCursor, encodeCursor, ID_PAIR_CURSOR, type Page } from '../../infra/resource'
import type { TenantDb } from '../../infra/tenant-db'
import type { Principal } from '../../plugins/auth'
import type { LevelQueryInput, LevelView } from './model'
import { formatMilli, fromNumeric } from './quantity'
import { checkProducts, checkWarehouses, warehouseFilter } from './references'

/** Current levels in (warehouse, product) order — the primary key's order, so pages are index range scans. */
export async function listLevels(
  tdb: TenantDb,
  auth: Principal,
  q: LevelQueryInput,
): Promise<Page<LevelView>> {
  const [warehouses] = await Promise.all([
    warehouseFilter(tdb, auth, q.warehouseId),
    q.productId ? checkProducts(tdb, [q.productId]) : undefined,
  ])
  if (warehouses?.length === 0) return { items: [], nextCursor: null }
  const after = q.cursor ? decodeCursor(q.cursor, ID_PAIR_CURSOR).split('|') : undefined
  const found = await rows<LevelView>(
    tdb.db,
    sql`select s.warehouse_id as "warehouseId", s.product_id as "productId", s.quantity::text as quantity
      from stock s
      where s.tenant_id = ${tdb.tenantId}
        ${warehouses ? sql`and s.warehouse_id in ${anyOf(warehouses)}` : sql``}
        ${q.productId ? sql`and s.product_id = ${q.productId}` : sql``}
        ${after ? sql`and (s.warehouse_id, s.product_id) > (${after[0]}::uuid, ${after[1]}::uuid)` : sql``}
      order by s.warehouse_id, s.product_id
      limit ${q.limit + 1}`,
  )
  const items = found.slice(0, q.limit).map((l) => ({ ...l, quantity: formatMilli(fromNumeric(l.quantity)) }))
  const last = items.at(-1)
  return {
    items,
    nextCursor: found.length > q.limit && last ? encodeCursor(`${last.warehouseId}|${last.productId}`) : null,
  }
}

/**
 * The level at a past moment, derived from the ledger: the sum of the movements with
 * occurred_at ≤ at (one index range per monthly partition on (tenant, product, occurred_at)).
 */
export async function levelAt(
  tdb: TenantDb,
  auth: Principal,
  q: { warehouseId: string; productId: string; at?: string },
) {
  await Promise.all([checkWarehouses(tdb, auth, [q.warehouseId]), checkProducts(tdb, [q.productId])])
  const at = q.at ? new Date(q.at) : new Date()
  const [row] = await rows<{ quantity: string | null }>(
    tdb.db,
    sql`select sum(m.quantity)::text as quantity from stock_movements m
      where m.tenant_id = ${tdb.tenantId} and m.product_id = ${q.productId} and m.warehouse_id = ${q.warehouseId}
        and m.occurred_at <= ${at.toISOString()}::timestamptz`,
  )
  return {
    warehouseId: q.warehouseId,
    productId: q.productId,
    at: at.toISOString(),
    quantity: formatMilli(fromNumeric(row?.quantity)),
  }
}
