import { t } from 'elysia'
import { Integer } from '../../lib/schemas'

/** A date (YYYY-MM-DD: a whole business day in the store's time zone) or an instant (RFC 3339). */
const Moment = (description: string, example: string) =>
  t.String({
    pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:?\\d{2}))?$',
    description,
    examples: [example],
  })

export const SalesReportQuery = t.Object({
  storeId: t.Optional(
    t.String({
      format: 'uuid',
      description:
        'One store; without it every store of the tenant, each in its own time zone. A store-bound key reports its own store only',
    }),
  ),
  from: Moment('Start: a date (inclusive, from its local midnight) or an instant (inclusive)', '2026-11-01'),
  to: Moment(
    'End: a date (inclusive, up to the next local midnight) or an instant (exclusive)',
    '2026-11-30',
  ),
  groupBy: t.Optional(
    t.Union([t.Literal('day'), t.Literal('product'), t.Literal('paymentMethod')], { default: 'day' }),
  ),
})
export type SalesReportQueryInput = typeof SalesReportQuery.static

const Amount = (description: string) => Integer({ description })
const Figures = {
  receipts: Integer({ description: 'Receipts sold (for product/method rows: receipts containing it)' }),
  gross: Amount('Sales after discounts, minor units'),
  refunds: Amount('Refunded, dated when the refund was made'),
  net: Amount('gross − refunds'),
  tax: Amount('Tax in sales − tax refunded'),
}

export const SalesReportRow = t.Object({
  day: t.Optional(
    t.String({ description: 'Business day in the store’s time zone', examples: ['2026-11-01'] }),
  ),
  productId: t.Optional(t.String({ format: 'uuid' })),
  method: t.Optional(t.Union([t.Literal('cash'), t.Literal('card'), t.Literal('transfer')])),
  ...Figures,
})
export type SalesReportRowView = typeof SalesReportRow.static

export const SalesReport = t.Object(
  {
    rows: t.Array(SalesReportRow),
    totals: t.Object(Figures, { description: 'The same for the whole period; equal whatever the grouping' }),
  },
  {
    examples: [
      {
        rows: [
          { day: '2026-11-01', receipts: 2, gross: 25_000, refunds: 5_000, net: 20_000, tax: 2_143 },
          { day: '2026-11-02', receipts: 1, gross: 10_000, refunds: 0, net: 10_000, tax: 1_071 },
        ],
        totals: { receipts: 3, gross: 35_000, refunds: 5_000, net: 30_000, tax: 3_214 },
      },
    ],
  },
)
export type SalesReportView = typeof SalesReport.static
