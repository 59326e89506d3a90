import { t } from 'elysia'
import { Integer, Money, strict } from '../../lib/schemas'

const Id = t.String({ format: 'uuid' })
const NullableId = t.Union([Id, t.Null()])
const Quantity = t.Union(
  [t.String({ pattern: '^[0-9]{1,9}(\\.[0-9]{1,3})?$' }), t.Number({ exclusiveMinimum: 0 })],
  {
    description: 'Up to 3 decimals (goods sold by weight), as a decimal string or a number',
    examples: ['1.250', 2],
  },
)
const Instant = t.String({ format: 'date-time' })
const Method = t.Union([t.Literal('cash'), t.Literal('card'), t.Literal('transfer')])

export const PaymentInput = t.Object({ method: Method, amount: Money('Minor units tendered') }, strict)

// --- shifts ---------------------------------------------------------------------------------

export const NewShift = t.Object(
  {
    terminalId: t.Optional(Id),
    employeeId: t.Optional(Id),
    openingCash: Money('Cash in the drawer at opening'),
  },
  {
    ...strict,
    description: 'terminalId may be left out with a terminal-bound key',
    examples: [{ openingCash: 500_000 }],
  },
)

export const Shift = t.Object({
  id: Id,
  storeId: Id,
  terminalId: Id,
  employeeId: NullableId,
  status: t.Union([t.Literal('open'), t.Literal('closed')]),
  openingCash: Integer(),
  countedCash: t.Union([Integer(), t.Null()]),
  openedAt: Instant,
  closedAt: t.Union([Instant, t.Null()]),
  version: Integer(),
})

export const CloseShift = t.Object(
  { countedCash: Money('Cash counted in the drawer') },
  { ...strict, examples: [{ countedCash: 3_100_000 }] },
)
export const CashMovementInput = t.Object(
  {
    type: t.Union([t.Literal('in'), t.Literal('out')]),
    amount: Money('Minor units'),
    reason: t.Optional(t.String({ maxLength: 500 })),
  },
  { ...strict, examples: [{ type: 'out', amount: 1_000_000, reason: 'инкассация' }] },
)
export const CashMovement = t.Object({
  id: Id,
  shiftId: Id,
  type: t.String(),
  amount: Integer(),
  reason: t.Union([t.String(), t.Null()]),
  createdAt: Instant,
})

const ByMethod = t.Object({ cash: Integer(), card: Integer(), transfer: Integer() })
export const ShiftReport = t.Object(
  {
    shift: Shift,
    kind: t.Union([t.Literal('X'), t.Literal('Z')]),
    receipts: Integer({ description: 'Sales receipts' }),
    gross: Integer({ description: 'Sum of line amounts before discounts' }),
    discounts: Integer(),
    sales: Integer({ description: 'Sum of receipt totals' }),
    tax: Integer({ description: 'Tax in sales, minus tax refunded' }),
    refunds: t.Object({ count: Integer(), total: Integer(), tax: Integer() }),
    payments: t.Object({ sales: ByMethod, refunds: ByMethod }, { description: 'Cash net of change' }),
    cashIn: Integer(),
    cashOut: Integer(),
    expectedCash: Integer({ description: 'opening + cash sales − cash refunds + cash in − cash out' }),
    countedCash: t.Union([Integer(), t.Null()]),
    difference: t.Union([Integer(), t.Null()], { description: 'counted − expected' }),
  },
  { description: 'X report while the shift is open; Z report at closing' },
)

// --- receipts -------------------------------------------------------------------------------

const LineInput = t.Object(
  {
    productId: t.Optional(Id),
    barcode: t.Optional(t.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z-]+$' })),
    quantity: t.Optional(Quantity),
    price: t.Optional(Money('Unit price; must equal the catalog price unless price overrides are allowed')),
    discount: t.Optional(Money('Absolute line discount, 0..line amount')),
  },
  {
    ...strict,
    description: 'productId or barcode (weight/price-embedded EAN-13 included); quantity defaults to 1',
  },
)

export const NewReceipt = t.Object(
  {
    id: t.Optional(
      t.String({ format: 'uuid', description: 'Client id (offline registers); an existing id is a replay' }),
    ),
    shiftId: Id,
    storeId: t.Optional(Id),
    terminalId: t.Optional(Id),
    occurredAt: t.Optional(
      t.String({
        format: 'date-time',
        description:
          'When the sale happened (offline); defaults to now. After 2000; a moment more than 5 minutes ahead of the server clock (a register whose clock runs fast) is recorded as the server’s now',
      }),
    ),
    customerId: t.Optional(Id),
    employeeId: t.Optional(Id),
    items: t.Array(LineInput, { minItems: 1, maxItems: 500 }),
    payments: t.Array(PaymentInput, { minItems: 1, maxItems: 20 }),
    total: t.Optional(Money('Client-computed total; a different server total is 422 TOTAL_MISMATCH')),
  },
  {
    ...strict,
    examples: [
      {
        shiftId: '6c0e5b2a-3f1d-4e8a-9b7c-2d4e6f8a0b1c',
        items: [{ barcode: '4780000000014', quantity: 2 }],
        payments: [{ method: 'cash', amount: 3_000_000 }],
      },
    ],
  },
)
export type NewReceiptInput = typeof NewReceipt.static

const ReceiptItem = t.Object({
  id: Id,
  lineNo: Integer(),
  productId: Id,
  barcode: t.Union([t.String(), t.Null()]),
  name: t.String(),
  quantity: t.String(),
  price: Integer(),
  discount: Integer(),
  total: Integer(),
  taxRate: Integer(),
  tax: Integer(),
  refundedQuantity: t.Optional(t.String()),
})

const ReceiptPayment = t.Object({ id: Id, method: t.String(), amount: Integer() })

export const Receipt = t.Object(
  {
    id: Id,
    number: Integer({ description: 'Sequential per terminal, without gaps' }),
    status: t.Literal('completed'),
    storeId: Id,
    terminalId: Id,
    shiftId: Id,
    customerId: NullableId,
    items: t.Array(ReceiptItem),
    payments: t.Array(ReceiptPayment),
    subtotal: Integer(),
    discount: Integer(),
    tax: Integer(),
    total: Integer(),
    paid: Integer(),
    change: Integer(),
    createdAt: Instant,
    occurredAt: Instant,
  },
  {
    examples: [
      {
        id: '7d3f1c7a-3b8e-4c55-9d1e-2f0a6b4c8e11',
        number: 42,
        status: 'completed',
        storeId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
        terminalId: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
        shiftId: '3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a',
        customerId: null,
        items: [
          {
            id: '8e4f2d8b-4c9f-4d66-8e2f-3a1b7c5d9f22',
            lineNo: 1,
            productId: '0b5c1c8e-8f57-4d7c-9a43-2d4a8f0b7c11',
            barcode: '4780000000014',
            name: 'Молоко 3.2% 1 л',
            quantity: '2.000',
            price: 1_250_000,
            discount: 0,
            total: 2_500_000,
            taxRate: 1200,
            tax: 267_857,
          },
        ],
        payments: [{ id: '9f5a3e9c-5d0a-4e77-9f3a-4b2c8d6e0a33', method: 'cash', amount: 3_000_000 }],
        subtotal: 2_500_000,
        discount: 0,
        tax: 267_857,
        total: 2_500_000,
        paid: 3_000_000,
        change: 500_000,
        createdAt: '2026-11-25T09:15:02.000Z',
        occurredAt: '2026-11-25T09:15:02.000Z',
      },
    ],
  },
)
export type ReceiptView = typeof Receipt.static

export const ReceiptSummary = t.Omit(Receipt, ['items', 'payments'])

export const ReceiptListQuery = t.Object({
  limit: t.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: t.Optional(t.String({ maxLength: 200 })),
  storeId: t.Optional(Id),
  terminalId: t.Optional(Id),
  from: t.Optional(t.String({ format: 'date-time', description: 'Inclusive lower bound of occurredAt' })),
  to: t.Optional(t.String({ format: 'date-time', description: 'Exclusive upper bound of occurredAt' })),
})

export const OfflineBatch = t.Object(
  {
    receipts: t.Array(
      t.Composite(
        [
          t.Omit(NewReceipt, ['id', 'occurredAt']),
          t.Object({ id: Id, occurredAt: t.String({ format: 'date-time' }) }),
        ],
        strict,
      ),
      { minItems: 1, maxItems: 500 },
    ),
  },
  {
    ...strict,
    examples: [
      {
        receipts: [
          {
            id: '2f6b1c9e-8d4a-4b7f-a1e3-5c7d9e0f1a2b',
            occurredAt: '2026-11-27T07:42:10+05:00',
            shiftId: '6c0e5b2a-3f1d-4e8a-9b7c-2d4e6f8a0b1c',
            items: [{ barcode: '4780000000014', quantity: 1 }],
            payments: [{ method: 'card', amount: 1_250_000 }],
          },
        ],
      },
    ],
  },
)

export const OfflineBatchResult = t.Object({
  results: t.Array(
    t.Object({
      id: Id,
      status: t.Union([t.Literal('created'), t.Literal('duplicate'), t.Literal('error')]),
      number: t.Optional(Integer()),
      error: t.Optional(t.Object({ code: t.String(), detail: t.String() })),
    }),
  ),
})

// --- refunds --------------------------------------------------------------------------------

export const NewRefund = t.Object(
  {
    items: t.Array(t.Object({ receiptItemId: Id, quantity: Quantity }, strict), {
      minItems: 1,
      maxItems: 500,
    }),
    payments: t.Optional(t.Array(PaymentInput, { minItems: 1, maxItems: 20 })),
    restock: t.Boolean({ description: 'Return the goods to the store warehouse (a refund stock movement)' }),
    shiftId: t.Optional(
      t.String({
        format: 'uuid',
        description: 'Open shift paying the refund; defaults to the terminal key’s open shift',
      }),
    ),
    reason: t.Optional(t.String({ maxLength: 500 })),
  },
  {
    ...strict,
    examples: [
      {
        items: [{ receiptItemId: '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b', quantity: 1 }],
        restock: true,
        reason: 'returned unopened',
      },
    ],
  },
)

export const Refund = t.Object({
  id: Id,
  receiptId: Id,
  shiftId: NullableId,
  total: Integer(),
  tax: Integer(),
  restock: t.Boolean(),
  items: t.Array(
    t.Object({
      receiptItemId: Id,
      productId: Id,
      quantity: t.String(),
      amount: Integer(),
      tax: Integer(),
    }),
  ),
  payments: t.Array(t.Object({ method: t.String(), amount: Integer() })),
  occurredAt: Instant,
})
