// Stock: levels per warehouse × product, the movement ledger, and manual movements (receive, adjust, transfer, count, writeoff).
import { Elysia } from 'elysia'
import type { Db } from '../../infra/db'
import { withIdempotency } from '../../infra/idempotency'
import { TenantDb } from '../../infra/tenant-db'
import { IdempotencyHeaders, problems } from '../../lib/schemas'
import type { Auth } from '../../plugins/auth'
import { listMovements } from './history'
import { levelAt, listLevels } from './levels'
import * as m from './model'
import { recordMovements } from './record'

export type StockDeps = { db: Db; auth: Auth }

const ROUTE = 'POST /api/v1/stock/movements'

export const stockModule = ({ db, auth }: StockDeps) => {
  const tenant = (a: { tenantId: string }) => new TenantDb(db, a.tenantId)
  return new Elysia({ name: 'stock', prefix: '/api/v1/stock', detail: { tags: ['Stock'] } })
    .use(auth.plugin)
    .get('', async ({ auth, query }) => listLevels(tenant(auth), auth, query), {
      auth: 'stock:read',
      query: m.LevelQuery,
      detail: {
        summary: 'Current stock levels by warehouse and product (cursor pages)',
        description:
          'A store-bound key sees only its store’s warehouses; an unknown or invisible warehouse/product is 404.',
      },
      response: { 200: m.LevelPage, ...problems(400, 401, 403, 404, 429) },
    })
    .get('/level', async ({ auth, query }) => levelAt(tenant(auth), auth, query), {
      auth: 'stock:read',
      query: m.LevelAtQuery,
      detail: {
        summary: 'The level of a product at a warehouse at a past moment (sum of movements up to it)',
        description: 'quantity = Σ signed movement quantities with occurredAt ≤ at; at defaults to now.',
      },
      response: { 200: m.LevelAt, ...problems(400, 401, 403, 404, 429) },
    })
    .get('/movements', async ({ auth, query }) => listMovements(tenant(auth), auth, query), {
      auth: 'stock:read',
      query: m.MovementQuery,
      detail: {
        summary: 'The stock ledger: signed movements, newest first (cursor over occurredAt, id)',
        description:
          'Sales, refunds with restock, receives, adjusts, transfers (out and in), counts and write-offs. ' +
          'The signed quantities of a product at a warehouse sum to its level; from (inclusive) and to (exclusive) bound occurredAt.',
      },
      response: { 200: m.MovementPage, ...problems(400, 401, 403, 404, 429) },
    })
    .post(
      '/movements',
      async ({ auth, body, headers, set, status }) => {
        const outcome = await withIdempotency(
          tenant(auth),
          { key: headers['idempotency-key'], route: ROUTE, request: body },
          async (tx) => ({ status: 201, body: await recordMovements(tx, auth, body) }),
        )
        if (outcome.replayed) set.headers['idempotent-replayed'] = 'true'
        return status(201, outcome.body)
      },
      {
        auth: 'stock:write',
        body: m.NewMovement,
        headers: IdempotencyHeaders,
        detail: {
          summary:
            'Record a stock document: receive, adjust, transfer, count or writeoff (all lines or nothing)',
          description:
            'receive adds (quantity > 0); writeoff takes out (quantity > 0, recorded negative); adjust adds a signed quantity (≠ 0); ' +
            'transfer moves quantity > 0 from warehouseId to toWarehouseId (required, different): a transfer_out and a transfer_in movement per line, in one transaction. ' +
            'count records what was counted at occurredAt: its movement is counted − (level at occurredAt), and movements dated after occurredAt still apply on top ' +
            '(new level = counted + Σ movements after occurredAt). ' +
            'When the tenant disallows negative stock, a line that takes stock out and would leave it below zero is 409 INSUFFICIENT_STOCK and nothing changes; ' +
            'counts are exempt (they record what is physically there). Unknown or another tenant’s warehouse or product: 404. occurredAt may not be in the future.',
        },
        response: { 201: m.MovementResult, ...problems(400, 401, 403, 404, 409, 422, 429) },
      },
    )
}
