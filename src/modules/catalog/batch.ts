import { inArray, isNull, sql } from 'drizzle-orm'
import { categories, products } from '../../../db/schema'
import { elementsOf, rows } from '../../infra/db'
import { translateDbError } from '../../infra/resource'
import type { TenantDb } from '../../infra/tenant-db'
import { uniqueBarcodes } from './barcodes'
import type { BatchItem, BatchResultView } from './model'

// Catalog import: up to 1000 products upserted by sku in one transaction with a fixed number of
// statements — one multi-row INSERT … ON CONFLICT DO UPDATE … WHERE changed, and the barcode
// differences applied with one DELETE and one INSERT — whatever the batch size. Barcode lists
// travel as one JSON parameter each (1000 items × 50 barcodes would pass PostgreSQL's 65,535
// parameters of one statement), and each statement starts from the list and probes an index per
// element: the other way round, the planner's guess of 100 elements chose a nested loop over
// every barcode of the tenant for each element.

type Result = BatchResultView['results'][number]
type Existing = Awaited<ReturnType<typeof existingProducts>>[number]

const FIELDS = ['name', 'description', 'categoryId', 'price', 'cost', 'unit', 'taxRate', 'isActive'] as const

/** Whether the stored product already is this item (then it is not sent to the database at all). */
const sameProduct = (have: Existing, want: ReturnType<typeof productValues>) =>
  have.deletedAt === null &&
  FIELDS.every((f) => (f === 'price' || f === 'cost' ? numOrNull(have[f]) : have[f]) === want[f])
const numOrNull = (v: unknown) => (v === null ? null : Number(v))

const sameSet = (a: readonly string[], b: readonly string[]) => {
  if (a.length !== b.length) return false
  const s = new Set(a)
  return b.every((x) => s.has(x))
}

export async function upsertProducts(
  tdb: TenantDb,
  given: readonly BatchItem[],
): Promise<{ results: Result[]; touched: string[] }> {
  // PostgreSQL answers uuids in lower case: compared as text, an upper-case id would not be found.
  const items = given.map((item) =>
    item.categoryId ? { ...item, categoryId: item.categoryId.toLowerCase() } : item,
  )
  const errors = new Map<number, string>()
  const bySku = new Map<string, number>()
  items.forEach((item, i) => {
    const first = bySku.get(item.sku)
    if (first === undefined) bySku.set(item.sku, i)
    else errors.set(i, `sku ${item.sku} repeats item ${first} of this batch`)
  })
  const wanted = items.map((item) =>
    item.barcodes === undefined ? undefined : uniqueBarcodes(item.barcodes),
  )

  return tdb.transaction(async (tx) => {
    const skus = [...bySku.keys()]
    await lockSkus(tx, skus)
    await refuseMissingCategories(tx, items, errors)
    const existing = new Map<string, Existing>()
    for (const row of await existingProducts(tx, skus)) existing.set(row.sku, row)
    const allWanted = [...new Set(wanted.flatMap((w) => w ?? []))]
    const owners = new Map<string, string>()
    if (allWanted.length > 0) {
      const held = await rows<{ barcode: string; sku: string }>(
        tx.db,
        sql`select b.barcode, p.sku from ${elementsOf(allWanted)} as w(barcode)
          join product_barcodes b on b.tenant_id = ${tx.tenantId} and b.barcode = w.barcode
          join products p on p.tenant_id = b.tenant_id and p.id = b.product_id`,
      )
      for (const h of held) owners.set(h.barcode, h.sku)
    }
    refuseBarcodeConflicts(items, wanted, owners, bySku, errors)

    const valid = items.map((_, i) => i).filter((i) => !errors.has(i))
    // Items whose barcodes change must count as updated (version bump) even if no column does.
    const forced = new Set<string>()
    const toWrite = valid.filter((i) => {
      const item = items[i] as BatchItem
      const want = wanted[i]
      const have = existing.get(item.sku)
      if (!have) return true
      const barcodesChange = want !== undefined && !sameSet(have.barcodes, want)
      if (barcodesChange) forced.add(item.sku)
      // Re-imports are mostly unchanged: skipping those rows spares their locks and WAL.
      return barcodesChange || !sameProduct(have, productValues(item))
    })
    const written = new Map<string, { id: string; inserted: boolean }>()
    if (toWrite.length > 0) {
      try {
        const rows = await tx.db
          .insert(products)
          .values(toWrite.map((i) => tx.own(productValues(items[i] as BatchItem))))
          .onConflictDoUpdate({
            target: [products.tenantId, products.sku],
            set: {
              name: sql`excluded.name`,
              description: sql`excluded.description`,
              categoryId: sql`excluded.category_id`,
              price: sql`excluded.price`,
              cost: sql`excluded.cost`,
              unit: sql`excluded.unit`,
              taxRate: sql`excluded.tax_rate`,
              isActive: sql`excluded.is_active`,
              version: sql`${products.version} + 1`,
              updatedAt: sql`now()`,
              deletedAt: sql`null`,
            },
            setWhere: sql`(${products.name}, ${products.description}, ${products.categoryId}, ${products.price},
                ${products.cost}, ${products.unit}, ${products.taxRate}, ${products.isActive})
              is distinct from (excluded.name, excluded.description, excluded.category_id, excluded.price,
                excluded.cost, excluded.unit, excluded.tax_rate, excluded.is_active)
              or ${products.deletedAt} is not null
              or ${inArray(sql`excluded.sku`, [...forced])}`,
          })
          .returning({ id: products.id, sku: products.sku, inserted: sql<boolean>`(xmax = 0)` })
        for (const r of rows) written.set(r.sku, { id: r.id, inserted: r.inserted })
      } catch (error) {
        translateDbError(error, 'a product of the batch')
      }
    }

    const touched = await applyBarcodeChanges(tx, items, wanted, valid, written)
    const results = items.map((item, i): Result => {
      const error = errors.get(i)
      if (error !== undefined) return { sku: item.sku, status: 'error', error }
      const w = written.get(item.sku)
      if (w) return { sku: item.sku, id: w.id, status: w.inserted ? 'created' : 'updated' }
      const id = existing.get(item.sku)?.id
      return id ? { sku: item.sku, id, status: 'unchanged' } : { sku: item.sku, status: 'unchanged' }
    })
    return { results, touched }
  })
}

function productValues(item: BatchItem) {
  return {
    sku: item.sku,
    name: item.name,
    price: item.price,
    description: item.description ?? null,
    categoryId: item.categoryId ?? null,
    cost: item.cost ?? null,
    unit: item.unit ?? 'pcs',
    taxRate: item.taxRate ?? 0,
    isActive: item.isActive ?? true,
  }
}

async function refuseMissingCategories(
  tdb: TenantDb,
  items: readonly BatchItem[],
  errors: Map<number, string>,
) {
  const ids = [
    ...new Set(items.flatMap((item, i) => (item.categoryId && !errors.has(i) ? [item.categoryId] : []))),
  ]
  if (ids.length === 0) return
  const found = await tdb.db
    .select({ id: categories.id })
    .from(categories)
    .where(tdb.where(categories, inArray(categories.id, ids), isNull(categories.deletedAt)))
    .for('share')
  const live = new Set(found.map((c) => c.id))
  items.forEach((item, i) => {
    if (item.categoryId && !live.has(item.categoryId) && !errors.has(i))
      errors.set(i, `categoryId: category ${item.categoryId} not found`)
  })
}

/**
 * Products of these skus (deleted ones too: an upsert restores them) with their barcodes, read per
 * product through the (tenant, product) index: as a join, a tenant too new for the table's
 * statistics got a nested loop over all its barcodes for each product (16 s for 1000 × 25).
 */
async function existingProducts(tdb: TenantDb, skus: string[]) {
  return tdb.db
    .select({
      id: products.id,
      sku: products.sku,
      name: products.name,
      description: products.description,
      categoryId: products.categoryId,
      price: products.price,
      cost: products.cost,
      unit: products.unit,
      taxRate: products.taxRate,
      isActive: products.isActive,
      deletedAt: products.deletedAt,
      // Qualified by hand: drizzle names a one-table select's columns bare, which inside the
      // subquery would be product_barcodes' own.
      barcodes: sql<string[]>`array(select b.barcode from product_barcodes b
        where b.tenant_id = products.tenant_id and b.product_id = products.id)`,
    })
    .from(products)
    .where(tdb.where(products, inArray(products.sku, skus)))
}

/**
 * A barcode may go to an item when nobody holds it, its own product holds it, or its holder is a
 * valid item of this batch that gives it up. Repeated until stable, since refusing one item can
 * keep a barcode where another item wanted it.
 */
function refuseBarcodeConflicts(
  items: readonly BatchItem[],
  wanted: (string[] | undefined)[],
  owners: Map<string, string>,
  bySku: Map<string, number>,
  errors: Map<number, string>,
) {
  const claimedBy = new Map<string, number>()
  wanted.forEach((want, i) => {
    if (!want || errors.has(i)) return
    for (const barcode of want) {
      const other = claimedBy.get(barcode)
      if (other !== undefined) {
        errors.set(i, `barcode ${barcode} is also given to item ${other} of this batch`)
        return
      }
    }
    for (const barcode of want) claimedBy.set(barcode, i)
  })
  for (let changed = true; changed; ) {
    changed = false
    wanted.forEach((want, i) => {
      if (!want || errors.has(i)) return
      const sku = (items[i] as BatchItem).sku
      for (const barcode of want) {
        const owner = owners.get(barcode)
        if (owner === undefined || owner === sku) continue
        const j = bySku.get(owner)
        const released =
          j !== undefined && !errors.has(j) && wanted[j] !== undefined && !wanted[j]?.includes(barcode)
        if (!released) {
          errors.set(i, `barcode ${barcode} belongs to product ${owner}`)
          changed = true
          return
        }
      }
    })
  }
}

/**
 * Takes the batch's skus for this transaction (advisory locks, in one order): two imports of the
 * same skus at once would otherwise both decide from the state before either, and the second
 * would call a product it just lost the race to create "unchanged", or keep the first's barcodes
 * next to its own.
 */
async function lockSkus(tdb: TenantDb, skus: string[]) {
  await rows(
    tdb.db,
    sql`select pg_advisory_xact_lock(h) from (
      select distinct hashtextextended(${tdb.tenantId} || ':' || sku, 0) as h
      from ${elementsOf(skus)} as sku order by h) as locks`,
  )
}

/**
 * Removes, then adds, barcode rows so each written item holds exactly its wanted set. What a
 * product holds is read again here, under the row lock the upsert took: a PATCH of its barcodes
 * may have committed since the batch first looked.
 */
async function applyBarcodeChanges(
  tdb: TenantDb,
  items: readonly BatchItem[],
  wanted: (string[] | undefined)[],
  valid: number[],
  written: Map<string, { id: string }>,
): Promise<string[]> {
  const ids = [...written.values()].map((w) => w.id)
  if (ids.length === 0) return []
  const held = new Map<string, string[]>()
  for (const row of await rows<{ productId: string; barcodes: string[] }>(
    tdb.db,
    sql`select b.product_id as "productId", array_agg(b.barcode) as barcodes
      from ${elementsOf(ids)} as w(id)
      join product_barcodes b on b.tenant_id = ${tdb.tenantId} and b.product_id = w.id::uuid
      group by b.product_id`,
  ))
    held.set(row.productId, row.barcodes)
  const removals: { p: string; b: string }[] = []
  const additions: { p: string; b: string }[] = []
  const touched: string[] = []
  for (const i of valid) {
    const w = written.get((items[i] as BatchItem).sku)
    if (!w) continue
    const have = held.get(w.id) ?? []
    const want = wanted[i] ?? have
    touched.push(...have, ...want)
    const keep = new Set(want)
    for (const b of have) if (!keep.has(b)) removals.push({ p: w.id, b })
    const had = new Set(have)
    for (const b of want) if (!had.has(b)) additions.push({ p: w.id, b })
  }
  if (removals.length > 0)
    await rows(
      tdb.db,
      sql`delete from product_barcodes b using jsonb_to_recordset(${JSON.stringify(removals)}::jsonb) as x(p uuid, b text)
        where b.tenant_id = ${tdb.tenantId} and b.barcode = x.b and b.product_id = x.p`,
    )
  if (additions.length > 0) {
    try {
      await rows(
        tdb.db,
        sql`insert into product_barcodes (tenant_id, barcode, product_id)
          select ${tdb.tenantId}, x.b, x.p from jsonb_to_recordset(${JSON.stringify(additions)}::jsonb) as x(p uuid, b text)`,
      )
    } catch (error) {
      translateDbError(error, 'a barcode of the batch')
    }
  }
  return touched
}
