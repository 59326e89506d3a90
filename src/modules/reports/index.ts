// Reports: sales by business day, product or payment method, read from the partitioned sales history.
import { Elysia } from 'elysia'
import type { Db } from '../../infra/db'
import { TenantDb } from '../../infra/tenant-db'
import { problems } from '../../lib/schemas'
import type { Auth } from '../../plugins/auth'
import * as m from './model'
import { salesReport } from './sales-report'

export type ReportsDeps = { db: Db; auth: Auth }

export const reportsModule = ({ db, auth }: ReportsDeps) =>
  new Elysia({ name: 'reports', prefix: '/api/v1/reports', detail: { tags: ['Reports'] } })
    .use(auth.plugin)
    .get('/sales', async ({ auth, query }) => salesReport(new TenantDb(db, auth.tenantId), auth, query), {
      auth: 'reports:read',
      query: m.SalesReportQuery,
      detail: {
        summary: 'Sales by business day, product or payment method (minor units)',
        description:
          'gross = Σ receipt totals after discounts; refunds = Σ refund totals, dated by the refund; net = gross − refunds; ' +
          'tax = receipt tax − refund tax. By product: line totals and refunded line amounts. By paymentMethod: cash net of change, ' +
          'refunds by the method they were paid back in; tax shared over a receipt’s methods in proportion to the amounts. ' +
          'Dates are business days in each store’s time zone (from and to inclusive); instants bound [from, to). ' +
          'receipts in product/method rows counts receipts containing the product/method, so rows may add up to more than totals.receipts.',
      },
      response: { 200: m.SalesReport, ...problems(400, 401, 403, 404, 429) },
    })
