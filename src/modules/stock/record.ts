import { sql } from 'drizzle-orm'
import { anyOf, rows } from '../../infra/db'
import type { TenantDb } from '../../infra/tenant-db'
import { AppError, badRequest } from '../../lib/errors'
import { occurredAt } from '../../lib/occurred-at'
import type { Principal } from '../../plugins/auth'
import type { LevelView, MovementView, NewMovementInput } from './model'
import { formatMilli, fromNumeric, parseSigned } from './quantity'
import { checkProducts, checkWarehouses } from './references'

// Manual stock movements: receive, adjust, writeoff, transfer and count. Each call is one
// transaction (the caller's): stock rows are upserted in (warehouse, product) order — the order
// the sale path uses too — so concurrent writers never deadlock, and any refusal rolls back
// every line and both sides of a transfer.
//
// Negative stock: when the tenant's allow_negative_stock is false, every line that takes stock
// out (writeoff, transfer_out, a negative adjust) and would leave the level below zero is
// 409 INSUFFICIENT_STOCK. receive and positive adjusts only add. A count is exempt: it records
// what physically is there, and refusing it would keep the books wrong.

type Delta = { warehouseId: string; productId: string; quantity: bigint; type: MovementView['type'] }
type Row = { warehouseId: string; productId: string; quantity: string }

/** The signed change of each line at each warehouse, after the per-type sign rules. */
function deltas(input: NewMovementInput): Delta[] {
  if (input.type === 'transfer') {
    if (!input.toWarehouseId)
      throw badRequest('a transfer needs toWarehouseId', [{ path: 'toWarehouseId', message: 'required' }])
    if (input.toWarehouseId === input.warehouseId)
      throw badRequest('a transfer needs two different warehouses', [
        { path: 'toWarehouseId', message: 'equals warehouseId' },
      ])
  } else if (input.toWarehouseId !== undefined)
    throw badRequest('toWarehouseId is only for transfers', [
      { path: 'toWarehouseId', message: 'not allowed' },
    ])
  const seen = new Set<string>()
  return input.lines.flatMap((line, i) => {
    const path = `lines/${i}/quantity`
    const q = parseSigned(line.quantity, path)
    const rule = (ok: boolean, message: string) => {
      if (!ok) throw badRequest(`${path} ${message}`, [{ path, message }])
    }
    const at = (quantity: bigint, type: Delta['type'], warehouseId = input.warehouseId): Delta => ({
      warehouseId,
      productId: line.productId,
      quantity,
      type,
    })
    switch (input.type) {
      case 'receive':
        rule(q > 0n, 'must be greater than zero')
        return [at(q, 'receive')]
      case 'writeoff':
        rule(q > 0n, 'must be greater than zero (it is taken out)')
        return [at(-q, 'writeoff')]
      case 'adjust':
        rule(q !== 0n, 'must not be zero')
        return [at(q, 'adjust')]
      case 'transfer':
        rule(q > 0n, 'must be greater than zero')
        return [at(-q, 'transfer_out'), at(q, 'transfer_in', input.toWarehouseId)]
      default: // count
        rule(q >= 0n, 'must not be negative')
        if (seen.has(line.productId))
          throw badRequest('a product may be counted once per request', [
            { path: `lines/${i}/productId`, message: 'duplicate' },
          ])
        seen.add(line.productId)
        return [at(q, 'count')]
    }
  })
}

const byKey = (
  a: { warehouseId: string; productId: string },
  b: { warehouseId: string; productId: string },
) =>
  a.warehouseId < b.warehouseId
    ? -1
    : a.warehouseId > b.warehouseId
      ? 1
      : a.productId < b.productId
        ? -1
        : a.productId > b.productId
          ? 1
          : 0

async function allowNegative(tdb: TenantDb): Promise<boolean> {
  const [s] = await rows<{ allow: boolean }>(
    tdb.db,
    sql`select allow_negative_stock as allow from settings where tenant_id = ${tdb.tenantId}`,
  )
  return s?.allow ?? true
}

/**
 * Adds signed deltas to the levels in one multi-row upsert, in (warehouse, product) order.
 * Returns the resulting levels.
 */
async function applyDeltas(tdb: TenantDb, changes: Map<string, Delta>): Promise<Row[]> {
  const sorted = [...changes.values()].sort(byKey)
  const json = JSON.stringify(
    sorted.map((d) => ({ w: d.warehouseId, p: d.productId, q: formatMilli(d.quantity) })),
  )
  return rows<Row>(
    tdb.db,
    sql`insert into stock as s (tenant_id, warehouse_id, product_id, quantity)
      select ${tdb.tenantId}::uuid, x.w, x.p, x.q
      from jsonb_to_recordset(${json}::jsonb) as x(w uuid, p uuid, q numeric)
      order by x.w, x.p
      on conflict (tenant_id, warehouse_id, product_id)
      do update set quantity = s.quantity + excluded.quantity, updated_at = now()
      returning s.warehouse_id as "warehouseId", s.product_id as "productId", s.quantity::text as quantity`,
  )
}

/** The current levels of the same warehouse × product pairs. */
function levelsNow(tdb: TenantDb, of: Row[]): Promise<Row[]> {
  const pairs = JSON.stringify(of.map((l) => ({ w: l.warehouseId, p: l.productId })))
  return rows<Row>(
    tdb.db,
    sql`select s.warehouse_id as "warehouseId", s.product_id as "productId", s.quantity::text as quantity
      from stock s join jsonb_to_recordset(${pairs}::jsonb) as x(w uuid, p uuid)
        on s.warehouse_id = x.w and s.product_id = x.p
      where s.tenant_id = ${tdb.tenantId}`,
  )
}

/**
 * A count records what was counted at `at`: its movement is counted − (level at `at`), so that
 * movements dated after `at` (sales rung up while the shelf was being counted, or since) still
 * apply on top: new level = counted + Σ movements after `at`. The level at `at` is taken as
 * current level − Σ movements after `at` (equal to Σ movements up to `at` when the ledger is
 * complete, and also right for levels loaded without movements). The stock rows are locked
 * first, in product order, so no sale can change them between reading and writing.
 */
async function applyCount(
  tdb: TenantDb,
  counts: Delta[],
  at: Date,
): Promise<{ levels: Row[]; diffs: Map<string, bigint> }> {
  const t = tdb.tenantId
  const warehouseId = (counts[0] as Delta).warehouseId
  const ids = counts.map((c) => c.productId).sort()
  const idJson = JSON.stringify(ids)
  const locked = await rows<Row>(
    tdb.db,
    sql`insert into stock as s (tenant_id, warehouse_id, product_id, quantity)
      select ${t}::uuid, ${warehouseId}::uuid, j.v::uuid, 0
      from jsonb_array_elements_text(${idJson}::jsonb) as j(v)
      order by j.v::uuid
      on conflict (tenant_id, warehouse_id, product_id) do update set quantity = s.quantity
      returning s.warehouse_id as "warehouseId", s.product_id as "productId", s.quantity::text as quantity`,
  )
  // A new statement sees every movement committed before the locks were granted.
  const later = await rows<{ productId: string; quantity: string }>(
    tdb.db,
    sql`select m.product_id as "productId", sum(m.quantity)::text as quantity
      from stock_movements m
      where m.tenant_id = ${t} and m.warehouse_id = ${warehouseId}
        and m.product_id in ${anyOf(ids)}
        and m.occurred_at > ${at.toISOString()}::timestamptz
      group by m.product_id`,
  )
  const current = new Map(locked.map((r) => [r.productId, fromNumeric(r.quantity)]))
  const after = new Map(later.map((r) => [r.productId, fromNumeric(r.quantity)]))
  const diffs = new Map<string, bigint>()
  const updates = counts.map((c) => {
    const since = after.get(c.productId) ?? 0n
    diffs.set(c.productId, c.quantity - ((current.get(c.productId) ?? 0n) - since))
    return { p: c.productId, q: formatMilli(c.quantity + since) }
  })
  const levels = await rows<Row>(
    tdb.db,
    sql`update stock s set quantity = x.q, updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as x(p uuid, q numeric)
      where s.tenant_id = ${t} and s.warehouse_id = ${warehouseId} and s.product_id = x.p
      returning s.warehouse_id as "warehouseId", s.product_id as "productId", s.quantity::text as quantity`,
  )
  return { levels, diffs }
}

/** Records one stock document (all its lines, both sides of a transfer) in the caller's transaction. */
export async function recordMovements(
  tdb: TenantDb,
  auth: Principal,
  input: NewMovementInput,
): Promise<{ movements: MovementView[]; levels: LevelView[] }> {
  // A count is what is on the shelf now or was earlier, never later: one dated within the clock skew
  // allowed ahead of the server is taken as now (the trigger of migration 0009 relies on it).
  const at =
    input.type === 'count'
      ? new Date(Math.min(occurredAt(input.occurredAt).getTime(), Date.now()))
      : occurredAt(input.occurredAt)
  const lines = deltas(input)
  await Promise.all([
    checkWarehouses(tdb, auth, [input.warehouseId, ...(input.toWarehouseId ? [input.toWarehouseId] : [])]),
    checkProducts(
      tdb,
      input.lines.map((l) => l.productId),
    ),
  ])

  let levels: Row[]
  let movements: Delta[]
  let taken: Map<string, Delta> | undefined
  if (input.type === 'count') {
    const counted = await applyCount(tdb, lines, at)
    levels = counted.levels
    movements = lines.map((l) => ({ ...l, quantity: counted.diffs.get(l.productId) ?? 0n }))
  } else {
    const changes = new Map<string, Delta>()
    for (const d of lines) {
      const key = `${d.warehouseId}|${d.productId}`
      const prev = changes.get(key)
      changes.set(key, prev ? { ...prev, quantity: prev.quantity + d.quantity } : d)
    }
    levels = await applyDeltas(tdb, changes)
    taken = changes
    movements = lines
  }

  const written = movements.map((m) => ({ ...m, id: crypto.randomUUID() }))
  const json = JSON.stringify(
    written.map((m) => ({
      id: m.id,
      w: m.warehouseId,
      p: m.productId,
      type: m.type,
      q: formatMilli(m.quantity),
    })),
  )
  await tdb.db.execute(sql`insert into stock_movements
      (tenant_id, id, occurred_at, warehouse_id, product_id, type, quantity, reason, reference)
    select ${tdb.tenantId}::uuid, x.id, ${at.toISOString()}::timestamptz, x.w, x.p, x.type, x.q, ${input.reason ?? null}, ${input.reference ?? null}
    from jsonb_to_recordset(${json}::jsonb) as x(id uuid, w uuid, p uuid, type text, q numeric)`)
  // A movement dated before a count recorded since is absorbed by it (migration 0009): the level is
  // what the count left, read again (only for movements dated in the past).
  if (at.getTime() < Date.now() - 1_000) levels = await levelsNow(tdb, levels)
  const short = levels.find(
    (l) =>
      (taken?.get(`${l.warehouseId}|${l.productId}`)?.quantity ?? 0n) < 0n && fromNumeric(l.quantity) < 0n,
  )
  if (short && !(await allowNegative(tdb)))
    throw new AppError(
      409,
      'INSUFFICIENT_STOCK',
      `Not enough stock of product ${short.productId} at warehouse ${short.warehouseId}; nothing was changed`,
    )

  return {
    movements: written.map((m) => ({
      id: m.id,
      type: m.type,
      warehouseId: m.warehouseId,
      productId: m.productId,
      quantity: formatMilli(m.quantity),
      reason: input.reason ?? null,
      reference: input.reference ?? null,
      occurredAt: at.toISOString(),
      receiptId: null,
    })),
    levels: levels.sort(byKey).map((l) => ({ ...l, quantity: formatMilli(fromNumeric(l.quantity)) })),
  }
}
