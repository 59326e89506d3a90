// Sales: shifts (X/Z reports, cash in/out), receipts (exactly once, offline sync) and refunds.
import { Elysia, t } from 'elysia'
import type { Db } from '../../infra/db'
import { withIdempotency, withIdempotencyClaim } from '../../infra/idempotency'
import { refundsAmount, refundsCreated } from '../../infra/metrics'
import { TenantDb } from '../../infra/tenant-db'
import { etag } from '../../lib/http'
import { IdempotencyHeaders, IdParams, problems } from '../../lib/schemas'
import type { Auth } from '../../plugins/auth'
import type { LineCatalog } from './lines'
import * as m from './model'
import { createOfflineBatch } from './offline'
import { createReceipt, getReceipt, listReceipts } from './receipts'
import { createRefund } from './refunds'
import { addCashMovement, closeShift, getShift, openShift, shiftReport, shiftView } from './shifts'

export type SalesDeps = { db: Db; auth: Auth; catalog: LineCatalog }

const RequiredIdempotency = t.Object({
  'idempotency-key': t.String({
    minLength: 1,
    maxLength: 255,
    description:
      'Required: a retry with the same key and body replays the first answer (Idempotent-Replayed: true)',
  }),
})

export const salesModule = ({ db, auth, catalog }: SalesDeps) => {
  const tenant = (a: { tenantId: string }) => new TenantDb(db, a.tenantId)
  const deps = { db, catalog }
  return new Elysia({ name: 'sales', prefix: '/api/v1' })
    .use(auth.plugin)
    .guard({ detail: { tags: ['Shifts'] } }, (app) =>
      app
        .post(
          '/shifts',
          async ({ auth, body, headers, set, status }) => {
            const outcome = await withIdempotency(
              tenant(auth),
              { key: headers['idempotency-key'], route: 'POST /api/v1/shifts', request: body },
              async (tx) => ({ status: 201, body: shiftView(await openShift(tx, auth, body)) }),
            )
            if (outcome.replayed) set.headers['idempotent-replayed'] = 'true'
            return status(201, outcome.body)
          },
          {
            auth: 'sales:write',
            body: m.NewShift,
            headers: IdempotencyHeaders,
            detail: { summary: 'Open a shift at a terminal (one open shift per terminal: 409 otherwise)' },
            response: { 201: m.Shift, ...problems(400, 401, 403, 404, 409, 422, 429) },
          },
        )
        .get(
          '/shifts/:id',
          async ({ auth, params, set }) => {
            const shift = shiftView(await getShift(tenant(auth), auth, params.id))
            set.headers.etag = etag(shift.version)
            return shift
          },
          {
            auth: 'sales:read',
            params: IdParams,
            detail: { summary: 'Get a shift', description: 'Sets ETag to the quoted version.' },
            response: { 200: m.Shift, ...problems(400, 401, 403, 404, 429) },
          },
        )
        .get(
          '/shifts/:id/report',
          async ({ auth, params }) => {
            const shift = await getShift(tenant(auth), auth, params.id)
            const stored = shift.report as typeof m.ShiftReport.static | null
            return stored ?? shiftReport(tenant(auth), shift, 'X')
          },
          {
            // The register prints it at the till (sales:write); the back office reads it (sales:read).
            auth: ['sales:write', 'sales:read'],
            params: IdParams,
            detail: { summary: 'X report of an open shift (the stored Z report once closed)' },
            response: { 200: m.ShiftReport, ...problems(400, 401, 403, 404, 429) },
          },
        )
        .post(
          '/shifts/:id/close',
          async ({ auth, params, body }) => closeShift(tenant(auth), auth, params.id, body.countedCash),
          {
            auth: 'sales:write',
            params: IdParams,
            body: m.CloseShift,
            detail: {
              summary: 'Close a shift with the counted cash → Z report',
              description:
                'A retry with the same countedCash (an answer lost on the way) answers the same Z report; another figure for a closed shift is 409 SHIFT_NOT_OPEN.',
            },
            response: { 200: m.ShiftReport, ...problems(400, 401, 403, 404, 409, 429) },
          },
        )
        .post(
          '/shifts/:id/cash',
          async ({ auth, params, body, headers, set, status }) => {
            // A retried cash-out must not take the money out of the books twice.
            const outcome = await withIdempotency(
              tenant(auth),
              {
                key: headers['idempotency-key'],
                route: 'POST /api/v1/shifts/:id/cash',
                request: { shiftId: params.id, ...body },
              },
              async (tx) => ({ status: 201, body: await addCashMovement(tx, auth, params.id, body) }),
            )
            if (outcome.replayed) set.headers['idempotent-replayed'] = 'true'
            return status(201, outcome.body)
          },
          {
            auth: 'sales:write',
            params: IdParams,
            body: m.CashMovementInput,
            headers: IdempotencyHeaders,
            detail: { summary: 'Put cash into or take it out of the drawer during a shift' },
            response: { 201: m.CashMovement, ...problems(400, 401, 403, 404, 409, 422, 429) },
          },
        ),
    )
    .guard({ detail: { tags: ['Receipts'] } }, (app) =>
      app
        .post(
          '/receipts',
          async ({ auth, body, headers, set, status }) => {
            const outcome = await createReceipt(deps, auth, body, headers['idempotency-key'])
            if (outcome.replayed) set.headers['idempotent-replayed'] = 'true'
            return status(outcome.status, outcome.body)
          },
          {
            auth: 'sales:write',
            body: m.NewReceipt,
            headers: RequiredIdempotency,
            detail: {
              summary: 'Record a sale (exactly once: Idempotency-Key required)',
              description:
                'The server prices every line from the catalog (a different line price is 422 PRICE_MISMATCH unless the tenant allows overrides or the key is admin), ' +
                'subtracts line discounts, computes tax per line (tax-inclusive, half up) and the total (a different client total is 422 TOTAL_MISMATCH). ' +
                'Card and transfer payments may not exceed the total; cash may, and returns change. The receipt, its lines, payments, the stock decrement and one stock movement per line ' +
                'are written in one transaction. 409 SHIFT_NOT_OPEN, 409 INSUFFICIENT_STOCK (when negative stock is not allowed). A receipt id already recorded is a replay, not a second sale: 201 with the stored receipt and `Idempotent-Replayed: true`, ' +
                'even if its products changed price or were deleted since. A weight or price label decides its line: a quantity other than ' +
                'the label’s weight, or other than 1 on a price label, is 400.',
            },
            response: { 201: m.Receipt, ...problems(400, 401, 403, 404, 409, 422, 429) },
          },
        )
        .post(
          '/receipts/offline-batch',
          async ({ auth, body, headers, set }) => {
            const outcome = await withIdempotencyClaim(
              tenant(auth),
              {
                key: headers['idempotency-key'],
                route: 'POST /api/v1/receipts/offline-batch',
                request: body,
              },
              async () => ({ status: 200, body: await createOfflineBatch(deps, auth, body.receipts) }),
            )
            if (outcome.replayed) set.headers['idempotent-replayed'] = 'true'
            return outcome.body
          },
          {
            auth: 'sales:write',
            body: m.OfflineBatch,
            headers: IdempotencyHeaders,
            detail: {
              summary: 'Upload up to 500 receipts captured offline (each with its client id and occurredAt)',
              description:
                'Per-receipt results in input order; a receipt already recorded is "duplicate" and creates nothing. ' +
                'With an Idempotency-Key, a retry of the same batch replays the first answer (`Idempotent-Replayed: true`); 409 while the first is still being recorded.',
            },
            response: { 200: m.OfflineBatchResult, ...problems(400, 401, 403, 409, 422, 429) },
          },
        )
        .get('/receipts', async ({ auth, query }) => listReceipts(db, auth, query), {
          auth: 'sales:read',
          query: m.ReceiptListQuery,
          detail: { summary: 'List receipts by store/terminal and time range, newest first (cursor pages)' },
          response: {
            200: t.Object({ items: t.Array(m.ReceiptSummary), nextCursor: t.Union([t.String(), t.Null()]) }),
            ...problems(400, 401, 403, 429),
          },
        })
        .get(
          '/receipts/:id',
          async ({ auth, params, set }) => {
            const receipt = await getReceipt(db, auth, params.id)
            // A receipt has no version (only refunds change it): its ETag follows its content.
            set.headers.etag = `W/"${Bun.hash(JSON.stringify(receipt)).toString(36)}"`
            return receipt
          },
          {
            auth: 'sales:read',
            params: IdParams,
            detail: {
              summary: 'Get a receipt with its lines (refunded quantities included) and payments',
              description: 'Sets a weak ETag that changes when the receipt does (a refund).',
            },
            response: { 200: m.Receipt, ...problems(400, 401, 403, 404, 429) },
          },
        )
        .post(
          '/receipts/:id/refunds',
          async ({ auth, params, body, headers, set, status }) => {
            const outcome = await withIdempotency(
              tenant(auth),
              {
                key: headers['idempotency-key'],
                route: 'POST /api/v1/receipts/:id/refunds',
                request: { receiptId: params.id, ...body },
              },
              async (tx) => ({ status: 201, body: await createRefund(tx, auth, params.id, body) }),
            )
            if (outcome.replayed) set.headers['idempotent-replayed'] = 'true'
            else {
              refundsCreated.inc()
              refundsAmount.inc(outcome.body.total)
            }
            return status(201, outcome.body)
          },
          {
            auth: 'sales:write',
            params: IdParams,
            body: m.NewRefund,
            headers: IdempotencyHeaders,
            detail: {
              summary: 'Refund lines of a receipt (partial, several per receipt, never more than sold)',
              description:
                'payments default to one payment of the refund total in the receipt’s main method; when given they must add up to it. ' +
                'restock returns the goods to the warehouse the sale took them from. A shift named (or, for a register key, its open ' +
                'shift) pays the refund and must belong to the receipt’s store: 422 STORE_MISMATCH otherwise.',
            },
            response: { 201: m.Refund, ...problems(400, 401, 403, 404, 409, 422, 429) },
          },
        ),
    )
}
