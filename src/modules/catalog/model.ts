import { t } from 'elysia'

export const Barcode = t.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[0-9A-Za-z-]+$',
  description: 'Barcode as scanned: 1..64 characters of [0-9A-Za-z-]; check digits are not enforced',
  examples: ['4780000000013'],
})

export const Product = t.Object(
  {
    id: t.String({ format: 'uuid' }),
    sku: t.String(),
    name: t.String(),
    description: t.Union([t.String(), t.Null()]),
    barcodes: t.Array(t.String()),
    categoryId: t.Union([t.String({ format: 'uuid' }), t.Null()]),
    price: t.Integer({ description: 'Tax-inclusive price in minor units' }),
    cost: t.Union([t.Integer(), t.Null()]),
    unit: t.String(),
    taxRate: t.Integer({ description: 'Basis points: 1200 = 12 %' }),
    isActive: t.Boolean(),
    version: t.Integer(),
    createdAt: t.String({ format: 'date-time' }),
    updatedAt: t.String({ format: 'date-time' }),
    embedded: t.Optional(
      t.Object(
        { weight: t.Optional(t.String()), price: t.Optional(t.Integer()) },
        {
          description: 'Weight or price read from a weight/price-embedded EAN-13',
        },
      ),
    ),
  },
  {
    examples: [
      {
        id: '0b5c1c8e-8f57-4d7c-9a43-2d4a8f0b7c11',
        sku: 'SKU-000001',
        name: 'Молоко 3.2% 1 л',
        description: null,
        barcodes: ['4780000000013'],
        categoryId: null,
        price: 1_250_000,
        cost: 980_000,
        unit: 'pcs',
        taxRate: 1200,
        isActive: true,
        version: 1,
        createdAt: '2026-11-01T08:00:00.000Z',
        updatedAt: '2026-11-01T08:00:00.000Z',
      },
    ],
  },
)

export type ProductView = typeof Product.static
