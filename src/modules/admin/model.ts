import { t } from 'elysia'
import { BodyVersion } from '../../lib/http'
import { Integer, strict } from '../../lib/schemas'
import { SCOPES } from '../../lib/scopes'

export const NewTenant = t.Object(
  { name: t.String({ minLength: 1, maxLength: 200, examples: ['Корзинка — Чиланзар'] }) },
  strict,
)

export const CreatedTenant = t.Object({
  tenant: t.Object({ id: t.String({ format: 'uuid' }), name: t.String() }),
  apiKey: t.Optional(
    t.String({
      description:
        'Admin API key of the new tenant: shown only in the first answer and stored as a hash, so absent from a replay (Idempotent-Replayed: true)',
    }),
  ),
})

export const ScopeName = t.Union(
  SCOPES.map((s) => t.Literal(s)),
  { description: '`admin` implies every other scope' },
)

export const NewApiKey = t.Object(
  {
    name: t.Optional(t.String({ maxLength: 200 })),
    scopes: t.Array(ScopeName, { minItems: 1, uniqueItems: true }),
    storeId: t.Optional(t.String({ format: 'uuid' })),
    terminalId: t.Optional(
      t.String({ format: 'uuid', description: 'Binds the key to one register: it can sell only there' }),
    ),
    rateLimit: t.Optional(Integer({ minimum: 1, maximum: 100_000, description: 'Requests per second' })),
  },
  {
    ...strict,
    examples: [
      {
        name: 'Касса 2',
        scopes: ['catalog:read', 'sales:write', 'sales:read', 'stock:read'],
        terminalId: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
      },
    ],
  },
)

export const ApiKey = t.Object({
  id: t.String({ format: 'uuid' }),
  name: t.Union([t.String(), t.Null()]),
  scopes: t.Array(t.String()),
  storeId: t.Union([t.String({ format: 'uuid' }), t.Null()]),
  terminalId: t.Union([t.String({ format: 'uuid' }), t.Null()]),
  rateLimit: t.Union([Integer(), t.Null()]),
  createdAt: t.String({ format: 'date-time' }),
  revokedAt: t.Union([t.String({ format: 'date-time' }), t.Null()]),
})

export const CreatedApiKey = t.Composite([
  ApiKey,
  t.Object({
    key: t.Optional(
      t.String({
        description:
          'The key itself: shown only in the first answer and stored as a hash, so absent from a replay (Idempotent-Replayed: true)',
      }),
    ),
  }),
])

const WeightLayout = t.Object(
  {
    prefix: t.String({ pattern: '^2[0-9]$', description: 'EAN-13 prefix 20..29' }),
    itemDigits: Integer({ minimum: 1, maximum: 9 }),
    kind: t.Union([t.Literal('weight'), t.Literal('price')]),
    valueDigits: Integer({ minimum: 1, maximum: 9 }),
    decimals: Integer({ minimum: 0, maximum: 4 }),
  },
  {
    ...strict,
    description: 'prefix (2) + itemDigits + valueDigits + check digit (1) = 13',
  },
)

export const Settings = t.Object(
  {
    allowNegativeStock: t.Boolean(),
    allowPriceOverride: t.Boolean(),
    currency: t.String(),
    weightBarcodes: t.Array(WeightLayout),
    receiptNumberPrefix: t.String(),
    version: Integer(),
    updatedAt: t.String({ format: 'date-time' }),
  },
  {
    examples: [
      {
        allowNegativeStock: true,
        allowPriceOverride: false,
        currency: 'UZS',
        weightBarcodes: [{ prefix: '22', itemDigits: 5, kind: 'weight', valueDigits: 5, decimals: 3 }],
        receiptNumberPrefix: '',
        version: 1,
        updatedAt: '2026-11-01T08:00:00.000Z',
      },
    ],
  },
)

export const SettingsPatch = t.Object(
  {
    allowNegativeStock: t.Optional(t.Boolean()),
    allowPriceOverride: t.Optional(t.Boolean()),
    currency: t.Optional(t.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' })),
    weightBarcodes: t.Optional(t.Array(WeightLayout, { maxItems: 10 })),
    receiptNumberPrefix: t.Optional(t.String({ maxLength: 16 })),
    version: t.Optional(BodyVersion),
  },
  {
    ...strict,
    examples: [
      {
        allowNegativeStock: false,
        weightBarcodes: [{ prefix: '22', itemDigits: 5, kind: 'weight', valueDigits: 5, decimals: 3 }],
        version: 1,
      },
    ],
  },
)
