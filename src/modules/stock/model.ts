import { t } from 'elysia'
import { Pagination, strict } from '../../lib/schemas'

const Id = t.String({ format: 'uuid' })
const Instant = t.String({ format: 'date-time' })
const QuantityText = t.String({ description: 'Decimal string with three decimals', examples: ['12.500'] })

/** A signed quantity in the request: up to 3 decimals, as a string or a number. */
const SignedQuantity = t.Union(
  [
    t.String({ pattern: '^-?[0-9]{1,9}(\\.[0-9]{1,3})?$' }),
    t.Number({ minimum: -999_999_999, maximum: 999_999_999 }),
  ],
  {
    description:
      'Up to 3 decimals. receive/writeoff/transfer: > 0; adjust: signed, ≠ 0; count: the counted quantity, ≥ 0',
    examples: ['12.500', 3],
  },
)

export const MovementType = t.Union([
  t.Literal('sale'),
  t.Literal('refund'),
  t.Literal('receive'),
  t.Literal('adjust'),
  t.Literal('transfer_out'),
  t.Literal('transfer_in'),
  t.Literal('count'),
  t.Literal('writeoff'),
])

export const NewMovement = t.Object(
  {
    type: t.Union([
      t.Literal('receive'),
      t.Literal('adjust'),
      t.Literal('transfer'),
      t.Literal('count'),
      t.Literal('writeoff'),
    ]),
    warehouseId: Id,
    toWarehouseId: t.Optional(Id),
    lines: t.Array(t.Object({ productId: Id, quantity: SignedQuantity }, strict), {
      minItems: 1,
      maxItems: 500,
    }),
    reason: t.Optional(t.String({ maxLength: 500 })),
    reference: t.Optional(t.String({ maxLength: 200, description: 'Document number, supplier invoice, …' })),
    occurredAt: t.Optional(
      t.String({
        format: 'date-time',
        description: 'When it happened (defaults to now; not in the future). For a count: the moment counted',
      }),
    ),
  },
  {
    ...strict,
    examples: [
      {
        type: 'receive',
        warehouseId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        lines: [{ productId: '0b7e4c1a-2d3f-4a5b-8c6d-7e8f9a0b1c2d', quantity: '24' }],
        reference: 'INV-2026-0113',
      },
    ],
  },
)
export type NewMovementInput = typeof NewMovement.static

export const Level = t.Object(
  { warehouseId: Id, productId: Id, quantity: QuantityText },
  {
    examples: [
      {
        warehouseId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        productId: '0b7e4c1a-2d3f-4a5b-8c6d-7e8f9a0b1c2d',
        quantity: '12.500',
      },
    ],
  },
)
export type LevelView = typeof Level.static

export const Movement = t.Object(
  {
    id: Id,
    type: MovementType,
    warehouseId: Id,
    productId: Id,
    quantity: t.String({ description: 'Signed change at this warehouse', examples: ['-2.000'] }),
    reason: t.Union([t.String(), t.Null()]),
    reference: t.Union([t.String(), t.Null()]),
    occurredAt: Instant,
    receiptId: t.Union([Id, t.Null()]),
  },
  {
    examples: [
      {
        id: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a',
        type: 'sale',
        warehouseId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        productId: '0b7e4c1a-2d3f-4a5b-8c6d-7e8f9a0b1c2d',
        quantity: '-2.000',
        reason: null,
        reference: null,
        occurredAt: '2026-11-01T08:00:00.000Z',
        receiptId: '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b',
      },
    ],
  },
)
export type MovementView = typeof Movement.static

export const MovementResult = t.Object(
  { movements: t.Array(Movement), levels: t.Array(Level, { description: 'Levels after the movement' }) },
  { description: 'The movements written and the resulting levels' },
)

const Page = (item: typeof Level | typeof Movement) =>
  t.Object({ items: t.Array(item), nextCursor: t.Union([t.String(), t.Null()]) })
export const LevelPage = Page(Level)
export const MovementPage = Page(Movement)

export const LevelQuery = t.Object({ warehouseId: t.Optional(Id), productId: t.Optional(Id), ...Pagination })
export type LevelQueryInput = typeof LevelQuery.static

export const MovementQuery = t.Object({
  warehouseId: t.Optional(Id),
  productId: t.Optional(Id),
  from: t.Optional(t.String({ format: 'date-time', description: 'occurredAt ≥ from' })),
  to: t.Optional(t.String({ format: 'date-time', description: 'occurredAt < to' })),
  ...Pagination,
})
export type MovementQueryInput = typeof MovementQuery.static

export const LevelAtQuery = t.Object({
  warehouseId: Id,
  productId: Id,
  at: t.Optional(t.String({ format: 'date-time', description: 'Defaults to now' })),
})

export const LevelAt = t.Object(
  {
    warehouseId: Id,
    productId: Id,
    at: Instant,
    quantity: t.String({ description: 'Sum of the movements with occurredAt ≤ at' }),
  },
  {
    examples: [
      {
        warehouseId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        productId: '0b7e4c1a-2d3f-4a5b-8c6d-7e8f9a0b1c2d',
        at: '2026-11-01T00:00:00.000Z',
        quantity: '7.000',
      },
    ],
  },
)
