import { sql } from 'drizzle-orm'
import { type Db, rows } from '../../infra/db'
import { replayOf, requestHash } from '../../infra/idempotency'
import { idempotentReplays, receiptsAmount, receiptsCreated } from '../../infra/metrics'
import { decodeTimeCursor, encodeCursor } from '../../infra/resource'
import { TenantDb } from '../../infra/tenant-db'
import { AppError, notFound } from '../../lib/errors'
import { occurredAt } from '../../lib/occurred-at'
import { hasScope } from '../../lib/scopes'
import type { Principal } from '../../plugins/auth'
import { employeeRows } from '../org/service'
import { posError, toSalesProblem } from './db-errors'
import { type LineCatalog, priceLines } from './lines'
import type { NewReceiptInput, ReceiptView } from './model'
import { formatQuantity, lineAmounts, settle } from './pricing'

export type ReceiptDeps = { db: Db; catalog: LineCatalog; lockTimeoutMs?: number }
export type CreateOutcome = { status: 201; body: ReceiptView; replayed: boolean }

const RECEIPT_ROUTE = 'POST /api/v1/receipts'

/**
 * Records a sale exactly once. Lines are priced here (catalog reads, no locks); the write — key,
 * number, receipt, lines, payments, stock and movements — is one call of pos_create_receipt, a
 * single round trip and a single atomic statement. A receipt id that already exists (an offline
 * register re-sending) answers the stored receipt instead of selling twice.
 */
export async function createReceipt(
  deps: ReceiptDeps,
  auth: Principal,
  input: NewReceiptInput,
  idempotencyKey: string | undefined,
): Promise<CreateOutcome> {
  try {
    return await recordReceipt(deps, auth, input, idempotencyKey)
  } catch (error) {
    // A retry must replay its first answer even if the catalog changed since (a new price would
    // now fail the total), and a reused key with another body is 422 whatever the body's faults.
    if (!(error instanceof AppError)) throw error
    const stored =
      idempotencyKey === undefined
        ? undefined
        : await storedAnswer(deps.db, auth.tenantId, idempotencyKey, requestHash(RECEIPT_ROUTE, input))
    if (stored) return stored
    // The same for a receipt id already recorded (a register re-sending an offline sale after a
    // price change or a product's deletion): it was sold, and is answered as it was stored.
    const existing =
      input.id === undefined
        ? undefined
        : await getReceipt(deps.db, auth, input.id, { withRefunds: false }).catch(() => undefined)
    if (existing) return { status: 201, body: existing, replayed: true }
    throw error
  }
}

async function storedAnswer(
  db: Db,
  tenantId: string,
  key: string,
  hash: string,
): Promise<CreateOutcome | undefined> {
  const [row] = await rows<{ requestHash: string; responseStatus: number; responseBody: ReceiptView }>(
    db,
    sql`select request_hash as "requestHash", response_status as "responseStatus", response_body as "responseBody"
      from idempotency_keys where tenant_id = ${tenantId} and key = ${key}`,
  )
  const replay = replayOf<ReceiptView>(row, hash, RECEIPT_ROUTE)
  return replay && { status: 201, body: replay.body, replayed: true }
}

async function recordReceipt(
  deps: ReceiptDeps,
  auth: Principal,
  input: NewReceiptInput,
  idempotencyKey: string | undefined,
): Promise<CreateOutcome> {
  const { db } = deps
  const occurred = occurredAt(input.occurredAt, 'now')
  const [lines] = await Promise.all([
    priceLines(db, auth.tenantId, input.items, deps.catalog, async () => {
      if (hasScope(auth.scopes, 'admin')) return true
      const [s] = await rows<{ allow: boolean }>(
        db,
        sql`select allow_price_override as allow from settings where tenant_id = ${auth.tenantId}`,
      )
      return s?.allow === true
    }),
    // The cashier must be one of the tenant's; one deleted since an offline sale still signs it.
    input.employeeId &&
      employeeRows.get(new TenantDb(db, auth.tenantId), input.employeeId, { includeDeleted: true }),
  ])
  const amounts = lines.map((line, i) => lineAmounts(line, `items/${i}`))
  const totals = settle(amounts, input.payments, input.total)
  const id = input.id ?? crypto.randomUUID()
  const items = lines.map((line, i) => ({
    id: crypto.randomUUID(),
    lineNo: i + 1,
    productId: line.productId,
    barcode: line.barcode,
    name: line.name,
    quantity: formatQuantity(line.quantityMilli),
    price: line.price,
    discount: (amounts[i] as { discount: number }).discount,
    total: (amounts[i] as { total: number }).total,
    taxRate: line.taxRate,
    tax: (amounts[i] as { tax: number }).tax,
  }))
  const payments = input.payments.map((p) => ({
    id: crypto.randomUUID(),
    method: p.method,
    amount: p.amount,
  }))
  const createdAt = new Date().toISOString()
  const response = {
    id,
    status: 'completed',
    shiftId: input.shiftId,
    customerId: input.customerId ?? null,
    items,
    payments,
    ...totals,
    createdAt,
    occurredAt: occurred.toISOString(),
  }
  const call = {
    tenantId: auth.tenantId,
    idempotencyKey: idempotencyKey ?? null,
    route: RECEIPT_ROUTE,
    requestHash: requestHash(RECEIPT_ROUTE, input),
    lockTimeout: `${deps.lockTimeoutMs ?? 2000}ms`,
    receipt: {
      id,
      occurredAt: response.occurredAt,
      createdAt,
      shiftId: input.shiftId,
      storeId: input.storeId ?? null,
      terminalId: input.terminalId ?? null,
      boundStoreId: auth.storeId,
      boundTerminalId: auth.terminalId,
      customerId: input.customerId ?? null,
      employeeId: input.employeeId ?? null,
      ...totals,
    },
    items,
    payments,
    response,
  }
  try {
    const [row] = await rows<{ r: { outcome: string; status: number; body: ReceiptView } }>(
      db,
      sql`select pos_create_receipt(${JSON.stringify(call)}::jsonb) as r`,
    )
    const r = row?.r as { outcome: string; status: number; body: ReceiptView }
    if (r.outcome === 'replayed') idempotentReplays.inc({ route: RECEIPT_ROUTE })
    else {
      receiptsCreated.inc()
      receiptsAmount.inc(r.body.total)
    }
    return { status: r.status as 201, body: r.body, replayed: r.outcome === 'replayed' }
  } catch (error) {
    if (posError(error)?.code === 'DUPLICATE_RECEIPT') {
      const existing = await getReceipt(db, auth, id, { withRefunds: false })
      return { status: 201, body: existing, replayed: true }
    }
    toSalesProblem(error)
  }
}

type ReceiptRow = Omit<ReceiptView, 'createdAt' | 'occurredAt'> & {
  createdAt: string | Date
  occurredAt: string | Date
}

const iso = (v: string | Date) => (v instanceof Date ? v : new Date(v)).toISOString()

const receiptColumns = sql`r.id, r.number, r.status, r.store_id as "storeId", r.terminal_id as "terminalId",
  r.shift_id as "shiftId", r.customer_id as "customerId", r.subtotal::float8 as subtotal,
  r.discount::float8 as discount, r.tax::float8 as tax, r.total::float8 as total, r.paid::float8 as paid,
  r.change::float8 as change, r.created_at as "createdAt", r.occurred_at as "occurredAt"`

/**
 * One receipt with its lines and payments in one round trip: receipt_ids locates the partition,
 * and the lines and payments are aggregated in the same statement.
 */
export async function getReceipt(
  db: Db,
  auth: Principal,
  id: string,
  opts: { withRefunds?: boolean } = {},
): Promise<ReceiptView> {
  const [row] = await rows<ReceiptRow & { items: ReceiptView['items']; payments: ReceiptView['payments'] }>(
    db,
    sql`select ${receiptColumns},
      (select coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'lineNo', i.line_no, 'productId', i.product_id,
          'barcode', i.barcode, 'name', i.name, 'quantity', i.quantity::text, 'price', i.price,
          'discount', i.discount, 'total', i.total, 'taxRate', i.tax_rate, 'tax', i.tax,
          'refundedQuantity', i.refunded_quantity::text) order by i.line_no), '[]'::jsonb)
        from receipt_items i
        where i.tenant_id = r.tenant_id and i.receipt_id = r.id and i.occurred_at = r.occurred_at) as items,
      (select coalesce(jsonb_agg(jsonb_build_object('id', p.id, 'method', p.method, 'amount', p.amount)), '[]'::jsonb)
        from payments p
        where p.tenant_id = r.tenant_id and p.receipt_id = r.id and p.occurred_at = r.occurred_at
          and p.refund_id is null) as payments
    from receipt_ids x
    join receipts r on r.tenant_id = x.tenant_id and r.id = x.id and r.occurred_at = x.occurred_at
    where x.tenant_id = ${auth.tenantId} and x.id = ${id}
      and (${auth.storeId}::uuid is null or r.store_id = ${auth.storeId}::uuid)`,
  )
  if (!row) throw notFound('receipt')
  const items = opts.withRefunds === false ? row.items.map(({ refundedQuantity: _, ...i }) => i) : row.items
  return { ...row, items, createdAt: iso(row.createdAt), occurredAt: iso(row.occurredAt) }
}

export type ReceiptQuery = {
  limit: number
  cursor?: string
  storeId?: string
  terminalId?: string
  from?: string
  to?: string
}

export const receiptListQuery = (tenantId: string, q: ReceiptQuery, after?: { at: string; id: string }) =>
  sql`select ${receiptColumns} from receipts r
    where r.tenant_id = ${tenantId}
      ${q.storeId ? sql`and r.store_id = ${q.storeId}` : sql``}
      ${q.terminalId ? sql`and r.terminal_id = ${q.terminalId}` : sql``}
      ${q.from ? sql`and r.occurred_at >= ${q.from}::timestamptz` : sql``}
      ${q.to ? sql`and r.occurred_at < ${q.to}::timestamptz` : sql``}
      ${after ? sql`and (r.occurred_at, r.id) < (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
    order by r.occurred_at desc, r.id desc
    limit ${q.limit + 1}`

/** Newest first, by store/terminal and time range; a store-bound key sees only its store. */
export async function listReceipts(db: Db, auth: Principal, q: ReceiptQuery) {
  if (auth.storeId && q.storeId && q.storeId !== auth.storeId) return { items: [], nextCursor: null }
  const query = { ...q, storeId: q.storeId ?? auth.storeId ?? undefined }
  const after = q.cursor ? decodeTimeCursor(q.cursor) : undefined
  const found = await rows<ReceiptRow>(db, receiptListQuery(auth.tenantId, query, after))
  const page = found
    .slice(0, q.limit)
    .map((r) => ({ ...r, createdAt: iso(r.createdAt), occurredAt: iso(r.occurredAt) }))
  const last = page.at(-1)
  return {
    items: page,
    nextCursor: found.length > q.limit && last ? encodeCursor(`${last.occurredAt}|${last.id}`) : null,
  }
}
