import { sql } from 'drizzle-orm'
import type { WeightBarcodeLayout } from '../../../db/schema'
import { type Db, rows } from '../../infra/db'
import { AppError } from '../../lib/errors'
import type { NewReceiptInput } from './model'
import { type PricedLine, parseQuantity } from './pricing'

export type Embedded = { weight?: string; price?: number }
export type LineCatalog = {
  weightLayouts(tenantId: string): Promise<readonly WeightBarcodeLayout[]>
  matchEmbedded(code: string, layouts: readonly WeightBarcodeLayout[]): { base: string; embedded: Embedded } | undefined
}

type ProductRow = { code: string | null; id: string; name: string; price: number | string; taxRate: number }

const lineError = (status: 400 | 404 | 422, code: 'VALIDATION_FAILED' | 'NOT_FOUND' | 'PRICE_MISMATCH', path: string, message: string) =>
  new AppError(status, code, `${path}: ${message}`, { errors: [{ path, message }] })

/**
 * Prices every line from the catalog in one query (by product id and by barcode, weight/price
 * labels included). A line price that differs from the catalog is refused unless `mayOverride`.
 */
export async function priceLines(
  db: Db,
  tenantId: string,
  items: NewReceiptInput['items'],
  catalog: LineCatalog,
  mayOverride: () => Promise<boolean>,
): Promise<PricedLine[]> {
  const needsLayouts = items.some((i) => i.barcode && /^2\d{12}$/.test(i.barcode))
  const layouts = needsLayouts ? await catalog.weightLayouts(tenantId) : []
  const codes = new Set<string>()
  const ids = new Set<string>()
  const labels = items.map((item, i) => {
    if (item.productId && item.barcode)
      throw lineError(400, 'VALIDATION_FAILED', `items/${i}`, 'give productId or barcode, not both')
    if (item.productId) {
      ids.add(item.productId)
      return undefined
    }
    if (!item.barcode) throw lineError(400, 'VALIDATION_FAILED', `items/${i}`, 'productId or barcode is required')
    codes.add(item.barcode)
    const match = catalog.matchEmbedded(item.barcode, layouts)
    if (match) codes.add(match.base)
    return match
  })
  const found = await rows<ProductRow>(
    db,
    sql`select b.barcode as code, p.id, p.name, p.price, p.tax_rate as "taxRate"
      from product_barcodes b join products p on p.tenant_id = b.tenant_id and p.id = b.product_id
      where b.tenant_id = ${tenantId} and p.deleted_at is null
        and b.barcode in (select jsonb_array_elements_text(${JSON.stringify([...codes])}::jsonb))
      union all
      select null, p.id, p.name, p.price, p.tax_rate from products p
      where p.tenant_id = ${tenantId} and p.deleted_at is null
        and p.id in (select (jsonb_array_elements_text(${JSON.stringify([...ids])}::jsonb))::uuid)`,
  )
  const byCode = new Map<string, ProductRow>()
  const byId = new Map<string, ProductRow>()
  for (const row of found) {
    if (row.code === null) byId.set(row.id, row)
    else byCode.set(row.code, row)
  }
  let override: boolean | undefined
  const priced: PricedLine[] = []
  for (const [i, item] of items.entries()) {
    const path = `items/${i}`
    const label = labels[i]
    const exact = item.barcode ? byCode.get(item.barcode) : byId.get(item.productId as string)
    const product = exact ?? (label ? byCode.get(label.base) : undefined)
    if (!product) throw lineError(404, 'NOT_FOUND', path, 'product not found')
    const embedded = exact ? undefined : label?.embedded
    let quantityMilli = parseQuantity(item.quantity ?? embedded?.weight ?? 1, `${path}/quantity`)
    let price = Number(product.price)
    if (embedded?.price !== undefined) {
      // A price label carries the amount to pay for this item.
      price = embedded.price
      quantityMilli = 1000n
    }
    if (item.price !== undefined && item.price !== price) {
      override ??= await mayOverride()
      if (!override)
        throw lineError(422, 'PRICE_MISMATCH', `${path}/price`, `the catalog price is ${price}; this key may not override it`)
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
