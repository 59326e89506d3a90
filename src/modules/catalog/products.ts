import { and, asc, eq, gt, gte, isNull, sql } from 'drizzle-orm'
import { productBarcodes, products } from '../../../db/schema'
import { decodeCursor, encodeCursor, type Page, translateDbError, UUID } from '../../infra/resource'
import type { TenantDb } from '../../infra/tenant-db'
import { AppError, badRequest, notFound } from '../../lib/errors'
import { barcodesOfProduct, replaceBarcodes, uniqueBarcodes } from './barcodes'
import { assertLiveCategory } from './categories'
import type { NewProductInput, ProductPatchInput, ProductView } from './model'
import { type ProductRow, productColumns, toProductView } from './product-view'
import { nameFilter } from './search'

/** A change and the barcodes whose cached answers it voids (old and new ones alike). */
export type ProductChange = { view: ProductView; touched: string[] }

const live = isNull(products.deletedAt)
/** (updated_at as PostgreSQL prints it, id): a date out of range is the database's 400. */
const SYNC_CURSOR = new RegExp(
  `^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?[+-]\\d{2}(:\\d{2})?\\|${UUID}$`,
)

export async function getProduct(tdb: TenantDb, id: string): Promise<ProductView> {
  const [row] = await tdb.db
    .select(productColumns)
    .from(products)
    .where(tdb.where(products, eq(products.id, id), live))
    .limit(1)
  if (!row) throw notFound('product')
  return toProductView(row as ProductRow)
}

export type ProductListOptions = {
  limit: number
  cursor?: string
  categoryId?: string
  q?: string
  updatedSince?: string
}

/**
 * Without updatedSince: live products in id order. With it (terminal sync): every product changed
 * since then, deleted ones included, in (updatedAt, id) order with a cursor over both.
 */
export async function listProducts(tdb: TenantDb, opts: ProductListOptions): Promise<Page<ProductView>> {
  const filters = [
    opts.categoryId ? eq(products.categoryId, opts.categoryId) : undefined,
    opts.q ? nameFilter(opts.q) : undefined,
  ]
  if (opts.updatedSince === undefined) {
    const after = opts.cursor ? gt(products.id, decodeCursor(opts.cursor)) : undefined
    const found = (await tdb.db
      .select(productColumns)
      .from(products)
      .where(tdb.where(products, live, after, ...filters))
      .orderBy(asc(products.id))
      .limit(opts.limit + 1)) as ProductRow[]
    const items = found.slice(0, opts.limit)
    const last = items.at(-1)
    return {
      items: items.map(toProductView),
      nextCursor: found.length > opts.limit && last ? encodeCursor(last.id) : null,
    }
  }
  const since = new Date(opts.updatedSince)
  if (Number.isNaN(since.getTime())) throw badRequest('updatedSince is not a date-time')
  let after: ReturnType<typeof sql> | undefined
  if (opts.cursor) {
    const [at, id] = decodeCursor(opts.cursor, SYNC_CURSOR).split('|')
    // The cursor keeps PostgreSQL's microseconds: a millisecond copy would repeat or skip rows.
    after = sql`(${products.updatedAt}, ${products.id}) > (${at}::timestamptz, ${id}::uuid)`
  }
  const found = await tdb.db
    .select({ ...productColumns, at: sql<string>`${products.updatedAt}::text` })
    .from(products)
    .where(tdb.where(products, gte(products.updatedAt, since), after, ...filters))
    .orderBy(asc(products.updatedAt), asc(products.id))
    .limit(opts.limit + 1)
  const items = found.slice(0, opts.limit)
  const last = items.at(-1)
  return {
    items: items.map((row) => toProductView(row as ProductRow)),
    nextCursor: found.length > opts.limit && last ? encodeCursor(`${last.at}|${last.id}`) : null,
  }
}

function productValues(input: Omit<NewProductInput, 'barcodes'>) {
  return {
    sku: input.sku,
    name: input.name,
    price: input.price,
    description: input.description ?? null,
    categoryId: input.categoryId ?? null,
    cost: input.cost ?? null,
    unit: input.unit ?? 'pcs',
    taxRate: input.taxRate ?? 0,
    isActive: input.isActive ?? true,
  }
}

/** Inserts the product and its barcodes (inside the caller's transaction). */
export async function insertProduct(tdb: TenantDb, input: NewProductInput): Promise<ProductChange> {
  if (input.categoryId) await assertLiveCategory(tdb, input.categoryId)
  let id: string
  try {
    const [row] = await tdb.db
      .insert(products)
      .values(tdb.own(productValues(input)))
      .returning({ id: products.id })
    id = (row as { id: string }).id
  } catch (error) {
    translateDbError(error, `product with sku ${input.sku}`)
  }
  const barcodes = uniqueBarcodes(input.barcodes)
  await replaceBarcodes(tdb, id, [], barcodes)
  return { view: await getProduct(tdb, id), touched: barcodes }
}

/** Applies a partial change when the stored version matches `expectedVersion` (if given). */
export async function patchProduct(
  tdb: TenantDb,
  id: string,
  patch: Omit<ProductPatchInput, 'version'>,
  expectedVersion?: number,
): Promise<ProductChange> {
  const { barcodes, ...fields } = patch
  if (fields.categoryId) await assertLiveCategory(tdb, fields.categoryId)
  const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
  let updated: { id: string }[]
  try {
    updated = await tdb.db
      .update(products)
      .set({ ...set, version: sql`${products.version} + 1`, updatedAt: sql`now()` })
      .where(
        tdb.where(
          products,
          eq(products.id, id),
          live,
          expectedVersion === undefined ? undefined : eq(products.version, expectedVersion),
        ),
      )
      .returning({ id: products.id })
  } catch (error) {
    translateDbError(error, fields.sku ? `product with sku ${fields.sku}` : 'product')
  }
  if (updated.length === 0) {
    const current = await getProduct(tdb, id)
    throw new AppError(
      409,
      'VERSION_MISMATCH',
      `product is at version ${current.version}, not ${expectedVersion}; reload it and retry`,
    )
  }
  const before = await barcodesOfProduct(tdb, id)
  const wanted = barcodes === undefined ? before : uniqueBarcodes(barcodes)
  if (barcodes !== undefined) await replaceBarcodes(tdb, id, before, wanted)
  return { view: await getProduct(tdb, id), touched: [...new Set([...before, ...wanted])] }
}

/**
 * Soft delete: the row stays for sync (deletedAt), its barcodes are removed so they stop resolving
 * and can be given to another product. Answers the barcodes it freed.
 */
export async function softDeleteProduct(
  tdb: TenantDb,
  id: string,
  expectedVersion?: number,
): Promise<string[]> {
  const deleted = await tdb.db
    .update(products)
    .set({ deletedAt: sql`now()`, version: sql`${products.version} + 1`, updatedAt: sql`now()` })
    .where(
      tdb.where(
        products,
        eq(products.id, id),
        live,
        expectedVersion === undefined ? undefined : eq(products.version, expectedVersion),
      ),
    )
    .returning({ id: products.id })
  if (deleted.length === 0) {
    const current = await getProduct(tdb, id)
    throw new AppError(
      409,
      'VERSION_MISMATCH',
      `product is at version ${current.version}, not ${expectedVersion}`,
    )
  }
  const freed = await tdb.db
    .delete(productBarcodes)
    .where(tdb.where(productBarcodes, and(eq(productBarcodes.productId, id))))
    .returning({ barcode: productBarcodes.barcode })
  return freed.map((r) => r.barcode)
}
