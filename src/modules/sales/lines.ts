import { sql } from 'drizzle-orm'
import { anyOf, type Db, rows } from '../../infra/db'
import { AppError } from '../../lib/errors'
import type { NewReceiptInput } from './model'
import { type PricedLine, parseQuantity } from './pricing'

/** What sales needs of the catalog: a barcode's product as served to registers (cached). */
export type LineCatalog = {
  /** The product's UTF-8 JSON, as the catalog cache holds it. */
  lookup(tenantId: string, code: string): Uint8Array | undefined | Promise<Uint8Array | undefined>
}

const utf8 = new TextDecoder()

type CatalogProduct = {
  id: string
  name: string
  price: number
  taxRate: number
  embedded?: { weight?: string; price?: number }
}

const lineError = (
  status: 400 | 404 | 422,
  code: 'VALIDATION_FAILED' | 'NOT_FOUND' | 'PRICE_MISMATCH',
  path: string,
  message: string,
) => new AppError(status, code, `${path}: ${message}`, { errors: [{ path, message }] })

async function productsById(db: Db, tenantId: string, ids: string[]): Promise<Map<string, CatalogProduct>> {
  if (ids.length === 0) return new Map()
  const found = await rows<CatalogProduct>(
    db,
    sql`select p.id, p.name, p.price::float8 as price, p.tax_rate as "taxRate" from products p
      where p.tenant_id = ${tenantId} and p.deleted_at is null
        and p.id in ${anyOf(ids)}`,
  )
  return new Map(found.map((p) => [p.id, p]))
}

/**
 * Prices every line from the catalog: barcodes through the catalog cache (the same answer a
 * register's scan gets, weight and price labels included), product ids in one query. A line price
 * that differs from the catalog is refused unless `mayOverride`.
 */
export async function priceLines(
  db: Db,
  tenantId: string,
  items: NewReceiptInput['items'],
  catalog: LineCatalog,
  mayOverride: () => Promise<boolean>,
): Promise<PricedLine[]> {
  for (const [i, item] of items.entries())
    if ((item.productId === undefined) === (item.barcode === undefined))
      throw lineError(400, 'VALIDATION_FAILED', `items/${i}`, 'give either productId or barcode')
  const ids = [...new Set(items.flatMap((i) => (i.productId ? [i.productId] : [])))]
  const [byId, byCode] = await Promise.all([
    productsById(db, tenantId, ids),
    Promise.all(
      items.map(async (i) => {
        if (!i.barcode) return undefined
        const json = await catalog.lookup(tenantId, i.barcode)
        return json === undefined ? undefined : (JSON.parse(utf8.decode(json)) as CatalogProduct)
      }),
    ),
  ])
  let override: boolean | undefined
  const priced: PricedLine[] = []
  for (const [i, item] of items.entries()) {
    const path = `items/${i}`
    const product = item.productId ? byId.get(item.productId) : byCode[i]
    if (!product) throw lineError(404, 'NOT_FOUND', path, 'product not found')
    const embedded = product.embedded
    // A label decides what it sells: its weight, or one item at its price. A quantity that says
    // otherwise is refused rather than silently winning (a label of 1.250 kg sold as 5 kg) or
    // losing (three items charged at one label's price); identical packages are scanned each.
    const labelled = embedded?.weight ?? (embedded?.price !== undefined ? '1' : undefined)
    const quantityMilli = parseQuantity(item.quantity ?? labelled ?? 1, `${path}/quantity`)
    if (labelled !== undefined && quantityMilli !== parseQuantity(labelled, `${path}/barcode`))
      throw lineError(
        400,
        'VALIDATION_FAILED',
        `${path}/quantity`,
        embedded?.weight === undefined
          ? 'a price label sells one item; leave quantity out or send 1'
          : `the label carries ${embedded.weight}; leave quantity out or send that weight`,
      )
    let price = embedded?.price ?? product.price
    if (item.price !== undefined && item.price !== price) {
      override ??= await mayOverride()
      if (!override)
        throw lineError(
          422,
          'PRICE_MISMATCH',
          `${path}/price`,
          `the catalog price is ${price}; this key may not override it`,
        )
      price = item.price
    }
    priced.push({
      productId: product.id,
      name: product.name,
      barcode: item.barcode ?? null,
      quantityMilli,
      price,
      discount: item.discount ?? 0,
      taxRate: product.taxRate,
    })
  }
  return priced
}
