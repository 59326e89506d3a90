import { sql } from 'drizzle-orm'
import { refundItems, refunds } from '../../../db/schema'
import { anyOf, rows } from '../../infra/db'
import type { TenantDb } from '../../infra/tenant-db'
import { AppError, notFound } from '../../lib/errors'
import type { Principal } from '../../plugins/auth'
import type { NewRefund } from './model'
import { formatQuantity, parseQuantity } from './pricing'
import { getShift, openShiftOf } from './shifts'

type Line = {
  id: string
  productId: string
  quantity: string
  refunded: string
  total: number | string
  tax: number | string
}

/** numeric(12,3) as text always has three decimals: "2.500" → 2500n. */
const milli = (q: string) => BigInt(q.replace('.', ''))
/** a × b / c rounded half up, exact. */
const share = (a: bigint, b: bigint, c: bigint) => (a * b * 2n + c) / (c * 2n)

/**
 * Refunds lines of a receipt, in one transaction: the lines are locked (in id order), so
 * concurrent refunds can never return more than was sold. Amounts are cumulative: after a refund,
 * a line has returned its sold amount × refunded / sold quantity (rounded half up) in all, so the
 * parts add up to exactly the line amount and tax once it is refunded in full.
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
    // Restocked goods go back where the sale took them from (the store may have moved to another
    // warehouse since); a receipt without a stock movement falls back to the store's warehouse.
    sql`select r.occurred_at::text as "occurredAt", r.store_id as "storeId",
        coalesce((select m.warehouse_id from receipt_items i
            join stock_movements m on m.tenant_id = i.tenant_id and m.product_id = i.product_id
              and m.occurred_at = r.occurred_at and m.receipt_id = r.id and m.type = 'sale'
          where i.tenant_id = r.tenant_id and i.receipt_id = r.id and i.occurred_at = r.occurred_at
          limit 1), s.warehouse_id) as "warehouseId",
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
        i.total, i.tax
      from receipt_items i
      where i.tenant_id = ${t} and i.receipt_id = ${receiptId} and i.occurred_at = ${receipt.occurredAt}::timestamptz
        and i.id in ${anyOf(ids)}
      order by i.id
      for update`,
  )
  if (lines.length !== ids.length) throw notFound('receipt item')
  // What earlier refunds returned, read only now that the lines are locked: a statement of its
  // own sees refunds that committed while this one waited for the lock (the locking statement's
  // snapshot would not, and would pay their share twice).
  const before = await rows<{ id: string; amount: string; tax: string }>(
    tdb.db,
    sql`select receipt_item_id as id, sum(amount)::text as amount, sum(tax)::text as tax from refund_items
      where tenant_id = ${t} and receipt_item_id in ${anyOf(ids)}
      group by receipt_item_id`,
  )
  const returned = new Map(before.map((r) => [r.id, { amount: BigInt(r.amount), tax: BigInt(r.tax) }]))

  const refundId = crypto.randomUUID()
  const occurredAt = new Date()
  const out = lines.map((line) => {
    const qty = wanted.get(line.id) as bigint
    const sold = milli(line.quantity)
    const refunded = milli(line.refunded)
    const left = sold - refunded
    if (qty > left)
      throw new AppError(
        422,
        'REFUND_EXCEEDS_SALE',
        `Only ${formatQuantity(left)} of line ${line.id} is left to refund`,
      )
    const done = returned.get(line.id) ?? { amount: 0n, tax: 0n }
    // The line's share for everything refunded so far, this refund included, less what was paid.
    const part = (whole: bigint, paid: bigint) => {
      const owed = share(whole, refunded + qty, sold) - paid
      return owed > 0n ? owed : 0n
    }
    const amount = part(BigInt(line.total), done.amount)
    // Amount and tax round on their own: a part never carries more tax than money (the rest
    // follows with a later part), except the last, which settles the line exactly.
    const tax = part(BigInt(line.tax), done.tax)
    return {
      receiptItemId: line.id,
      productId: line.productId,
      quantityMilli: qty,
      quantity: formatQuantity(qty),
      amount: Number(amount),
      tax: Number(qty === left || tax <= amount ? tax : amount),
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

  // A register pays refunds from its open shift; a back-office key may name one or none.
  const shiftId =
    body.shiftId ?? (auth.terminalId ? await openShiftOf(tdb, auth.terminalId) : undefined) ?? null
  if (shiftId) {
    const shift = await getShift(tdb, auth, shiftId, { lock: true })
    if (shift.storeId !== receipt.storeId)
      throw new AppError(422, 'STORE_MISMATCH', "A refund is paid from a shift of the receipt's own store")
  } else if (auth.terminalId)
    throw new AppError(409, 'SHIFT_NOT_OPEN', 'This terminal has no open shift to pay the refund from')

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
