import { and, eq, sql } from 'drizzle-orm'
import { cashMovements, shifts, terminals } from '../../../db/schema'
import { rows } from '../../infra/db'
import { translateDbError } from '../../infra/resource'
import type { TenantDb } from '../../infra/tenant-db'
import { AppError, badRequest, notFound, sqlState } from '../../lib/errors'
import type { Principal } from '../../plugins/auth'
import { employeeRows, terminalRows } from '../org/service'
import type { CashMovementInput, NewShift } from './model'

type ShiftRow = typeof shifts.$inferSelect

export const shiftView = (s: ShiftRow) => ({
  id: s.id,
  storeId: s.storeId,
  terminalId: s.terminalId,
  employeeId: s.employeeId,
  status: s.status,
  openingCash: s.openingCash,
  countedCash: s.countedCash,
  openedAt: s.openedAt.toISOString(),
  closedAt: s.closedAt?.toISOString() ?? null,
  version: s.version,
})

/** What a bound key may see: its terminal's shifts, or its store's. */
const boundTo = (auth: Principal) =>
  auth.terminalId
    ? eq(shifts.terminalId, auth.terminalId)
    : auth.storeId
      ? eq(shifts.storeId, auth.storeId)
      : undefined

/**
 * A shift of the tenant; a bound key sees only its own terminal's (or store's) shifts. With
 * `lock`, the open shift that money is about to enter or leave, locked FOR SHARE until the
 * caller's transaction ends: closing takes the row FOR UPDATE, so a refund or cash movement either
 * lands before the Z report is drawn or finds the shift closed — never in a closed shift.
 */
export async function getShift(
  tdb: TenantDb,
  auth: Principal,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<ShiftRow> {
  const query = tdb.db
    .select()
    .from(shifts)
    .where(tdb.where(shifts, eq(shifts.id, id), boundTo(auth)))
  const [row] = opts.lock ? await query.for('share') : await query
  if (!row) throw notFound('shift')
  if (opts.lock && row.status !== 'open') throw new AppError(409, 'SHIFT_NOT_OPEN', 'The shift is closed')
  return row
}

export async function openShift(tdb: TenantDb, auth: Principal, body: typeof NewShift.static) {
  const terminalId = body.terminalId ?? auth.terminalId
  if (!terminalId) throw badRequest('terminalId is required', [{ path: 'terminalId', message: 'required' }])
  if (auth.terminalId && terminalId !== auth.terminalId)
    throw new AppError(403, 'FORBIDDEN', 'This key works only at its own terminal')
  const terminal = await terminalRows.get(tdb, terminalId)
  // A store-bound key opens shifts at its own store's terminals; others look missing.
  if (auth.storeId && terminal.storeId !== auth.storeId) throw notFound('terminal')
  if (body.employeeId) await employeeRows.get(tdb, body.employeeId)
  try {
    const [row] = await tdb.db
      .insert(shifts)
      .values(
        tdb.own({
          storeId: terminal.storeId,
          terminalId,
          employeeId: body.employeeId ?? null,
          openingCash: body.openingCash,
        }),
      )
      .returning()
    return row as ShiftRow
  } catch (error) {
    if (sqlState(error) === '23505')
      throw new AppError(409, 'CONFLICT', 'This terminal already has an open shift')
    translateDbError(error, 'shift')
  }
}

type Sums = Record<string, number | string | null>
const num = (v: unknown) => Number(v ?? 0)
const methods = () => ({ cash: 0, card: 0, transfer: 0 })

/** X report (open shift) or Z report (at closing): every figure from the shift's own rows. */
export async function shiftReport(
  tdb: TenantDb,
  shift: ShiftRow,
  kind: 'X' | 'Z',
  countedCash: number | null = null,
) {
  const t = tdb.tenantId
  const [sales] = await rows<Sums>(
    tdb.db,
    sql`select count(*) as receipts, sum(subtotal) as gross, sum(discount) as discounts, sum(total) as sales,
        sum(tax) as tax, sum(change) as change
      from receipts where tenant_id = ${t} and shift_id = ${shift.id}`,
  )
  const paid = await rows<{ method: 'cash' | 'card' | 'transfer'; sales: string; refunds: string }>(
    tdb.db,
    sql`select method, coalesce(sum(amount) filter (where refund_id is null), 0) as sales,
        coalesce(sum(amount) filter (where refund_id is not null), 0) as refunds
      from payments where tenant_id = ${t} and shift_id = ${shift.id} group by method`,
  )
  const [refunds] = await rows<Sums>(
    tdb.db,
    sql`select count(*) as count, sum(total) as total, sum(tax) as tax
      from refunds where tenant_id = ${t} and shift_id = ${shift.id}`,
  )
  const [cash] = await rows<Sums>(
    tdb.db,
    sql`select sum(amount) filter (where type = 'in') as "in", sum(amount) filter (where type = 'out') as "out"
      from cash_movements where tenant_id = ${t} and shift_id = ${shift.id}`,
  )
  const payments = { sales: methods(), refunds: methods() }
  for (const p of paid) {
    payments.sales[p.method] = num(p.sales)
    payments.refunds[p.method] = num(p.refunds)
  }
  // Change is given from the drawer: cash sales are counted net of it.
  payments.sales.cash -= num(sales?.change)
  const cashIn = num(cash?.in)
  const cashOut = num(cash?.out)
  const expectedCash = shift.openingCash + payments.sales.cash - payments.refunds.cash + cashIn - cashOut
  return {
    shift: shiftView(shift),
    kind,
    receipts: num(sales?.receipts),
    gross: num(sales?.gross),
    discounts: num(sales?.discounts),
    sales: num(sales?.sales),
    tax: num(sales?.tax) - num(refunds?.tax),
    refunds: { count: num(refunds?.count), total: num(refunds?.total), tax: num(refunds?.tax) },
    payments,
    cashIn,
    cashOut,
    expectedCash,
    countedCash,
    difference: countedCash === null ? null : countedCash - expectedCash,
  }
}

/**
 * Closes the shift with the counted cash and returns the Z report, stored with the shift. The
 * terminal row is locked first — the lock every sale at this terminal takes — so no sale can land
 * in the shift after its report is drawn.
 */
export async function closeShift(tdb: TenantDb, auth: Principal, id: string, countedCash: number) {
  return tdb.transaction(async (tx) => {
    const shift = await getShift(tx, auth, id)
    await tx.db
      .select({ id: terminals.id })
      .from(terminals)
      .where(tx.where(terminals, eq(terminals.id, shift.terminalId)))
      .for('update')
    const [current] = await tx.db
      .select()
      .from(shifts)
      .where(tx.where(shifts, eq(shifts.id, id)))
      .for('update')
    if (current?.status !== 'open') {
      // A register retrying a close whose answer it lost gets the same Z report back.
      const z = current?.report as Awaited<ReturnType<typeof shiftReport>> | null | undefined
      if (z && current?.countedCash === countedCash)
        return { ...z, shift: { ...z.shift, version: current.version } }
      throw new AppError(409, 'SHIFT_NOT_OPEN', 'The shift is already closed')
    }
    const closedAt = new Date()
    const report = await shiftReport(
      tx,
      { ...current, status: 'closed', closedAt, countedCash, version: current.version + 1 },
      'Z',
      countedCash,
    )
    await tx.db
      .update(shifts)
      .set({
        status: 'closed',
        countedCash,
        closedAt,
        report,
        version: sql`${shifts.version} + 1`,
        updatedAt: closedAt,
      })
      .where(tx.where(shifts, eq(shifts.id, id)))
    return report
  })
}

export async function addCashMovement(
  tdb: TenantDb,
  auth: Principal,
  id: string,
  body: typeof CashMovementInput.static,
) {
  const [row] = await tdb.transaction(async (tx) => {
    await getShift(tx, auth, id, { lock: true })
    return tx.db
      .insert(cashMovements)
      .values(tx.own({ shiftId: id, type: body.type, amount: body.amount, reason: body.reason ?? null }))
      .returning()
  })
  const m = row as typeof cashMovements.$inferSelect
  return {
    id: m.id,
    shiftId: m.shiftId,
    type: m.type,
    amount: m.amount,
    reason: m.reason,
    createdAt: m.createdAt.toISOString(),
  }
}

/** The open shift of a terminal, if any. */
export async function openShiftOf(tdb: TenantDb, terminalId: string) {
  const [row] = await tdb.db
    .select({ id: shifts.id })
    .from(shifts)
    .where(tdb.where(shifts, and(eq(shifts.terminalId, terminalId), eq(shifts.status, 'open'))))
  return row?.id
}
