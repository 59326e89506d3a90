import { sql } from 'drizzle-orm'
import { refundItems, refunds } from '../../../db/schema'
import { rows } from '../../infra/db'
import type { TenantDb } from '../../infra/tenant-db'
import { AppError, notFound } from '../../lib/errors'
import type { Principal } from '../../plugins/auth'
import type { NewRefund } from './model'
import { formatQuantity, parseQuantity } from './pricing'
import { openShiftOf } from './shifts'

type Line = {
  id: string
  productId: string
  quantity: string
  refunded: string
  total: number | string
  tax: number | string
  refundedAmount: number | string
  refundedTax: number | string
}

/** numeric(12,3) as text always has three decimals: "2.500" → 2500n. */
const milli = (q: string) => BigInt(q.replace('.', ''))
/** a × b / c rounded half up, exact. */
const share = (a: bigint, b: bigint, c: bigint) => (a * b * 2n + c) / (c * 2n)

/**
 * Refunds lines of a receipt, in one transaction: the lines are locked (in id order), so
 * concurrent refunds can never return more than was sold. A line refunded in full returns exactly
 * what is left of its amount and tax; a part returns its share, rounded half up.
 */
export async function createRefund(
  tdb: TenantDb,
  auth: Principal,
  receiptId: string,
  body: typeof NewRefund.static,
) {
  const t = tdb.tenantId
  const [receipt] = await rows<{ occurredAt: string; storeId: string; warehouseId: string; method: string }>(
    tdb.db,
    sql`select r.occurred_at::text as "occurredAt", r.store_id as "storeId", s.warehouse_id as "warehouseId",
        (select p.method from payments p where p.tenant_id = r.tenant_id and p.receipt_id = r.id
           and p.occurred_at = r.occurred_at and p.refund_id is null order by p.amount desc limit 1) as method
      from receipt_ids x
      join receipts r on r.tenant_id = x.tenant_id and r.id = x.id and r.occurred_at = x.occurred_at
      join stores s on s.tenant_id = r.tenant_id and s.id = r.store_id
      where x.tenant_id = ${t} and x.id = ${receiptId}
        and (${auth.storeId}::uuid is null or r.store_id = ${auth.storeId}::uuid)`,
  )
  if (!receipt) throw notFound('receipt')

  const wanted = new Map<string, bigint>()
  for (const [i, item] of body.items.entries())
    wanted.set(
      item.receiptItemId,
      (wanted.get(item.receiptItemId) ?? 0n) + parseQuantity(item.quantity, `items/${i}/quantity`),
    )
  const ids = [...wanted.keys()].sort()
  const lines = await rows<Line>(
    tdb.db,
    sql`select i.id, i.product_id as "productId", i.quantity::text as quantity, i.refunded_quantity::text as refunded,
        i.total, i.tax,
        coalesce((select sum(ri.amount) from refund_items ri where ri.tenant_id = i.tenant_id and ri.receipt_item_id = i.id), 0) as "refundedAmount",
        coalesce((select sum(ri.tax) from refund_items ri where ri.tenant_id = i.tenant_id and ri.receipt_item_id = i.id), 0) as "refundedTax"
      from receipt_items i
      where i.tenant_id = ${t} and i.receipt_id = ${receiptId} and i.occurred_at = ${receipt.occurredAt}::timestamptz
        and i.id in (select (jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))::uuid)
      order by i.id
      for update`,
  )
  if (lines.length !== ids.length) throw notFound('receipt item')

  const refundId = crypto.randomUUID()
  const occurredAt = new Date()
  const out = lines.map((line) => {
    const qty = wanted.get(line.id) as bigint
    const sold = milli(line.quantity)
    const left = sold - milli(line.refunded)
    if (qty > left)
      throw new AppError(
        422,
        'REFUND_EXCEEDS_SALE',
        `Only ${formatQuantity(left)} of line ${line.id} is left to refund`,
      )
    const total = BigInt(line.total)
    const tax = BigInt(line.tax)
    const full = qty === left
    return {
      receiptItemId: line.id,
      productId: line.productId,
      quantityMilli: qty,
      quantity: formatQuantity(qty),
      amount: Number(full ? total - BigInt(line.refundedAmount) : share(total, qty, sold)),
      tax: Number(full ? tax - BigInt(line.refundedTax) : share(tax, qty, sold)),
    }
  })
  const total = out.reduce((s, l) => s + l.amount, 0)
  const tax = out.reduce((s, l) => s + l.tax, 0)
  const payments = body.payments ?? [{ method: (receipt.method ?? 'cash') as 'cash', amount: total }]
  const paid = payments.reduce((s, p) => s + p.amount, 0)
  if (paid !== total)
    throw new AppError(
      422,
      'PAYMENT_MISMATCH',
      `Refund payments (${paid}) must equal the refund total ${total}`,
    )

  const shiftId =
    body.shiftId ?? (auth.terminalId ? await openShiftOf(tdb, auth.terminalId) : undefined) ?? null
  if (shiftId) {
    const [open] = await rows<{ ok: boolean }>(
      tdb.db,
      sql`select true as ok from shifts where tenant_id = ${t} and id = ${shiftId} and status = 'open'`,
    )
    if (!open) throw new AppError(409, 'SHIFT_NOT_OPEN', 'The shift paying the refund is not open')
  }

  await tdb.db.insert(refunds).values(
    tdb.own({
      id: refundId,
      receiptId,
      shiftId,
      storeId: receipt.storeId,
      total,
      tax,
      restock: body.restock,
      reason: body.reason ?? null,
      occurredAt,
    }),
  )
  await tdb.db.insert(refundItems).values(
    out.map((l) =>
      tdb.own({
        refundId,
        receiptItemId: l.receiptItemId,
        productId: l.productId,
        quantity: l.quantity,
        amount: l.amount,
        tax: l.tax,
      }),
    ),
  )
  const lineJson = JSON.stringify(
    out.map((l) => ({ id: l.receiptItemId, productId: l.productId, quantity: l.quantity })),
  )
  await tdb.db.execute(sql`update receipt_items i set refunded_quantity = i.refunded_quantity + x.quantity
    from jsonb_to_recordset(${lineJson}::jsonb) as x(id uuid, "productId" uuid, quantity numeric)
    where i.tenant_id = ${t} and i.receipt_id = ${receiptId} and i.occurred_at = ${receipt.occurredAt}::timestamptz and i.id = x.id`)
  const paymentJson = JSON.stringify(payments.map((p) => ({ id: crypto.randomUUID(), ...p })))
  await tdb.db.execute(sql`insert into payments (tenant_id, id, occurred_at, receipt_id, refund_id, shift_id, store_id, method, amount)
    select ${t}, x.id, ${occurredAt.toISOString()}::timestamptz, ${receiptId}, ${refundId}, ${shiftId}::uuid, ${receipt.storeId}, x.method, x.amount
    from jsonb_to_recordset(${paymentJson}::jsonb) as x(id uuid, method text, amount bigint)`)
  if (body.restock) {
    await tdb.db.execute(sql`with delta as (
        select x."productId" as product_id, sum(x.quantity) as quantity
        from jsonb_to_recordset(${lineJson}::jsonb) as x("productId" uuid, quantity numeric)
        group by 1 order by 1)
      insert into stock as s (tenant_id, warehouse_id, product_id, quantity)
      select ${t}, ${receipt.warehouseId}, d.product_id, d.quantity from delta d order by d.product_id
      on conflict (tenant_id, warehouse_id, product_id)
      do update set quantity = s.quantity + excluded.quantity, updated_at = now()`)
    await tdb.db.execute(sql`insert into stock_movements (tenant_id, occurred_at, warehouse_id, product_id, type, quantity, receipt_id, refund_id)
      select ${t}, ${occurredAt.toISOString()}::timestamptz, ${receipt.warehouseId}, x."productId", 'refund', x.quantity, ${receiptId}, ${refundId}
      from jsonb_to_recordset(${lineJson}::jsonb) as x("productId" uuid, quantity numeric)`)
  }
  return {
    id: refundId,
    receiptId,
    shiftId,
    total,
    tax,
    restock: body.restock,
    items: out.map(({ quantityMilli: _, ...l }) => l),
    payments,
    occurredAt: occurredAt.toISOString(),
  }
}
