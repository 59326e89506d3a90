import { t } from 'elysia'
import { BodyVersion } from '../../lib/http'
import { Integer, Money, Pagination, strict, Uuid } from '../../lib/schemas'

export const Barcode = t.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[0-9A-Za-z-]+$',
  description: 'Barcode as scanned: 1..64 characters of [0-9A-Za-z-]; check digits are not enforced',
  examples: ['4780000000013'],
})

const Sku = t.String({ minLength: 1, maxLength: 64, pattern: '^\\S(.*\\S)?$', examples: ['SKU-000001'] })
const Name = t.String({ minLength: 1, maxLength: 300, examples: ['Молоко 3.2% 1 л'] })
const Description = t.String({ maxLength: 4000 })
const Unit = t.String({
  minLength: 1,
  maxLength: 16,
  description: 'Unit of sale, e.g. pcs, kg, l',
  examples: ['pcs'],
})
const TaxRate = Integer({ minimum: 0, maximum: 10_000, description: 'Basis points: 1200 = 12 %' })
const Barcodes = t.Array(Barcode, {
  maxItems: 50,
  description: 'Every barcode that resolves to this product',
})

const milk = {
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
}

export const Product = t.Object(
  {
    id: Uuid,
    sku: t.String(),
    name: t.String(),
    description: t.Union([t.String(), t.Null()]),
    barcodes: t.Array(t.String()),
    categoryId: t.Union([Uuid, t.Null()]),
    price: Integer({ description: 'Tax-inclusive price in minor units' }),
    cost: t.Union([Integer(), t.Null()]),
    unit: t.String(),
    taxRate: Integer({ description: 'Basis points: 1200 = 12 %' }),
    isActive: t.Boolean(),
    version: Integer(),
    createdAt: t.String({ format: 'date-time' }),
    updatedAt: t.String({ format: 'date-time' }),
    deletedAt: t.Optional(
      t.String({
        format: 'date-time',
        description: 'Only in sync lists (updatedSince): the product was deleted at this time',
      }),
    ),
    embedded: t.Optional(
      t.Object(
        {
          weight: t.Optional(t.String({ description: 'Decimal weight, e.g. "1.250"', examples: ['1.250'] })),
          price: t.Optional(Integer({ description: 'Price in minor units' })),
        },
        { description: 'Weight or price read from a weight/price-embedded EAN-13' },
      ),
    ),
  },
  { examples: [milk] },
)
export type ProductView = typeof Product.static

export const NewProduct = t.Object(
  {
    sku: Sku,
    name: Name,
    price: Money('Tax-inclusive price, in minor units'),
    barcodes: t.Optional(Barcodes),
    categoryId: t.Optional(t.Union([Uuid, t.Null()])),
    cost: t.Optional(t.Union([Money('Purchase cost, in minor units'), t.Null()])),
    unit: t.Optional(Unit),
    taxRate: t.Optional(TaxRate),
    description: t.Optional(t.Union([Description, t.Null()])),
    isActive: t.Optional(t.Boolean()),
  },
  {
    ...strict,
    examples: [{ sku: 'SKU-000001', name: 'Молоко 3.2% 1 л', price: 1_250_000, barcodes: ['4780000000013'] }],
  },
)
export type NewProductInput = typeof NewProduct.static

export const ProductPatch = t.Object(
  {
    sku: t.Optional(Sku),
    name: t.Optional(Name),
    price: t.Optional(Money('Tax-inclusive price, in minor units')),
    barcodes: t.Optional(t.Array(Barcode, { maxItems: 50, description: 'Replaces the whole set' })),
    categoryId: t.Optional(t.Union([Uuid, t.Null()])),
    cost: t.Optional(t.Union([Money('Purchase cost, in minor units'), t.Null()])),
    unit: t.Optional(Unit),
    taxRate: t.Optional(TaxRate),
    description: t.Optional(t.Union([Description, t.Null()])),
    isActive: t.Optional(t.Boolean()),
    version: t.Optional(BodyVersion),
  },
  { ...strict, examples: [{ price: 1_300_000, version: 1 }] },
)
export type ProductPatchInput = typeof ProductPatch.static

export const ProductListQuery = t.Object({
  ...Pagination,
  categoryId: t.Optional(Uuid),
  q: t.Optional(t.String({ minLength: 1, maxLength: 200, description: 'Words or a part of the name' })),
  updatedSince: t.Optional(
    t.String({
      format: 'date-time',
      description:
        'Catalog sync: products changed at or after this instant, deleted ones included (with deletedAt), ' +
        'ordered by (updatedAt, id). Re-ask with a small overlap (e.g. a minute before your last updatedAt): ' +
        'a change that commits late can carry an earlier time.',
    }),
  ),
})

export const ProductPage = t.Object({ items: t.Array(Product), nextCursor: t.Union([t.String(), t.Null()]) })

export const SearchBody = t.Union(
  [
    t.Object({ barcode: Barcode }, { ...strict, title: 'By barcode' }),
    t.Object(
      {
        q: t.String({ minLength: 1, maxLength: 200, description: 'Name words, a prefix, or with a typo' }),
        limit: t.Optional(Integer({ minimum: 1, maximum: 100, default: 20 })),
      },
      { ...strict, title: 'By name' },
    ),
  ],
  { examples: [{ barcode: '4780000000013' }, { q: 'молок', limit: 10 }] },
)

export const SearchResult = t.Object(
  { items: t.Array(Product) },
  { description: 'Best matches first', examples: [{ items: [milk] }] },
)

export type SearchResultView = typeof SearchResult.static

export const BatchBody = t.Object(
  {
    items: t.Array(NewProduct, {
      minItems: 1,
      maxItems: 1000,
      description:
        'Products keyed by sku: each becomes exactly this record (missing optional fields take their defaults), ' +
        'except barcodes, which are kept when omitted and replaced when given. A deleted product is restored.',
    }),
  },
  strict,
)
export type BatchItem = typeof NewProduct.static

export const BatchResult = t.Object(
  {
    results: t.Array(
      t.Object({
        sku: t.String(),
        id: t.Optional(Uuid),
        status: t.Union([
          t.Literal('created'),
          t.Literal('updated'),
          t.Literal('unchanged'),
          t.Literal('error'),
        ]),
        error: t.Optional(t.String()),
      }),
      { description: 'One per input item, in input order' },
    ),
  },
  {
    examples: [
      {
        results: [
          { sku: 'SKU-000001', id: milk.id, status: 'updated' },
          { sku: 'SKU-000002', status: 'error', error: 'barcode 4780000000013 belongs to SKU-000001' },
        ],
      },
    ],
  },
)
export type BatchResultView = typeof BatchResult.static

export const Category = t.Object(
  {
    id: Uuid,
    parentId: t.Union([Uuid, t.Null()]),
    name: t.String(),
    version: Integer(),
    createdAt: t.String({ format: 'date-time' }),
    updatedAt: t.String({ format: 'date-time' }),
  },
  {
    examples: [
      {
        id: '7d1f9a1e-3c55-4a47-8f0e-5b0d7e2c9a10',
        parentId: null,
        name: 'Молочные продукты',
        version: 1,
        createdAt: '2026-11-01T08:00:00.000Z',
        updatedAt: '2026-11-01T08:00:00.000Z',
      },
    ],
  },
)
export type CategoryView = typeof Category.static

const CategoryName = t.String({ minLength: 1, maxLength: 200, examples: ['Молочные продукты'] })
export const NewCategory = t.Object(
  { name: CategoryName, parentId: t.Optional(t.Union([Uuid, t.Null()])) },
  { ...strict, examples: [{ name: 'Молочные продукты' }] },
)
export const CategoryPatch = t.Object(
  {
    name: t.Optional(CategoryName),
    parentId: t.Optional(t.Union([Uuid, t.Null()])),
    version: t.Optional(BodyVersion),
  },
  { ...strict, examples: [{ name: 'Молоко и сливки', version: 1 }] },
)
export const CategoryListQuery = t.Object({ ...Pagination })
export const CategoryPage = t.Object({
  items: t.Array(Category),
  nextCursor: t.Union([t.String(), t.Null()]),
})

export const CacheStatsView = t.Object(
  {
    lru: t.Object({ size: Integer(), hits: Integer(), misses: Integer() }),
    redis: t.Object({ connected: t.Boolean(), hits: Integer(), misses: Integer() }),
    hitRate: t.Number({ minimum: 0, maximum: 1 }),
  },
  {
    description: "This instance's catalog cache counters since start",
    examples: [
      {
        lru: { size: 1200, hits: 98_000, misses: 1500 },
        redis: { connected: true, hits: 1300, misses: 200 },
        hitRate: 0.998,
      },
    ],
  },
)
