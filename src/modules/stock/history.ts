import { sql } from 'drizzle-orm'
import { anyOf, rows } from '../../infra/db'
import { decodeTimeCursor, encodeCursor, type Page } from '../../infra/resource'
import type { TenantDb } from '../../infra/tenant-db'
import type { Principal } from '../../plugins/auth'
import type { MovementQueryInput, MovementView } from './model'
import { formatMilli, fromNumeric } from './quantity'
import { checkProducts, warehouseFilter } from './references'

type MovementRow = Omit<MovementView, 'occurredAt'> & { occurredAt: string | Date }

/**
 * The statement behind the movement list, newest first over (occurred_at, id). Bounds on
 * occurred_at are plain parameters, so the planner prunes the monthly partitions, and the
 * product or warehouse filter picks the (tenant, product|warehouse, occurred_at) index.
 */
export function movementQuery(
  tenantId: string,
  q: MovementQueryInput,
  warehouses: string[] | null,
  after?: { at: string; id: string },
) {
  const single = warehouses?.length === 1 ? warehouses[0] : undefined
  return sql`select m.id, m.type, m.warehouse_id as "warehouseId", m.product_id as "productId",
      m.quantity::text as quantity, m.reason, m.reference, m.occurred_at as "occurredAt", m.receipt_id as "receiptId"
    from stock_movements m
    where m.tenant_id = ${tenantId}
      ${single ? sql`and m.warehouse_id = ${single}` : warehouses ? sql`and m.warehouse_id in ${anyOf(warehouses)}` : sql``}
      ${q.productId ? sql`and m.product_id = ${q.productId}` : sql``}
      ${q.from ? sql`and m.occurred_at >= ${q.from}::timestamptz` : sql``}
      ${q.to ? sql`and m.occurred_at < ${q.to}::timestamptz` : sql``}
      ${after ? sql`and (m.occurred_at, m.id) < (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
    order by m.occurred_at desc, m.id desc
    limit ${q.limit + 1}`
}

export async function listMovements(
  tdb: TenantDb,
  auth: Principal,
  q: MovementQueryInput,
): Promise<Page<MovementView>> {
  const [warehouses] = await Promise.all([
    warehouseFilter(tdb, auth, q.warehouseId),
    q.productId ? checkProducts(tdb, [q.productId]) : undefined,
  ])
  if (warehouses?.length === 0) return { items: [], nextCursor: null }
  const after = q.cursor ? decodeTimeCursor(q.cursor) : undefined
  const found = await rows<MovementRow>(tdb.db, movementQuery(tdb.tenantId, q, warehouses, after))
  const items = found.slice(0, q.limit).map((m) => ({
    ...m,
    quantity: formatMilli(fromNumeric(m.quantity)),
    occurredAt: new Date(m.occurredAt).toISOString(),
  }))
  const last = items.at(-1)
  return {
    items,
    nextCursor: found.length > q.limit && last ? encodeCursor(`${last.occurredAt}|${last.id}`) : null,
  }
}
