import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../src/infra/db'
import {
  categories,
  employees,
  productBarcodes,
  products,
  settings,
  stock,
  stockMovements,
  stores,
  terminals,
  type WeightBarcodeLayout,
  warehouses,
} from '../schema'
import { CATALOG, WEIGHT_GOODS } from './names'

/** EAN-13 of «Молоко 3.2% 1 л», present in every demo catalog. */
export const DEMO_MILK_BARCODE = '4780000000014'
const DEMO_MILK_NAME = 'Молоко 3.2% 1 л'
const CHUNK = 500

/** The EAN-13 check digit of the first twelve digits. */
export function ean13CheckDigit(first12: string): string {
  if (!/^\d{12}$/.test(first12)) throw new Error(`ean13CheckDigit: twelve digits expected, got '${first12}'`)
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 ? 3 : 1)
  return String((10 - (sum % 10)) % 10)
}

/** mulberry32: a tiny seeded PRNG with uniform output in [0, 1). */
function mulberry32(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

type DemoProduct = {
  sku: string
  name: string
  category: number
  price: number
  cost: number
  unit: 'pcs' | 'kg'
  taxRate: number
  barcodes: string[]
  quantity: string
}

/** The catalog as plain data; depends only on count and seed. */
function generateProducts(count: number, seed: number): DemoProduct[] {
  const rng = mulberry32(seed)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)] as T
  const specs = CATALOG.flatMap((c, category) => c.specs.map((spec) => ({ category, spec })))
  const usedNames = new Set([DEMO_MILK_NAME])
  const usedBarcodes = new Set([DEMO_MILK_BARCODE])
  const ean13 = () => {
    for (;;) {
      const first12 = `478${String(Math.floor(rng() * 1e9)).padStart(9, '0')}`
      const code = first12 + ean13CheckDigit(first12)
      if (usedBarcodes.has(code)) continue
      usedBarcodes.add(code)
      return code
    }
  }
  const packaged = () => {
    for (let tries = 0; ; tries++) {
      const { category, spec } = pick(specs)
      const [size, factor] = pick(spec.sizes)
      const name = [spec.base, pick(spec.brands), pick(spec.variants), size].filter(Boolean).join(' ')
      const [min, max] = spec.price
      // A repeated name is accepted only once the word lists run out (very large catalogs).
      if (usedNames.has(name) && tries < 50) continue
      usedNames.add(name)
      return { name, category, sum: (min + rng() * (max - min)) * factor }
    }
  }
  const categoryOf = (name: string) =>
    Math.max(
      0,
      CATALOG.findIndex((c) => c.category === name),
    )
  return Array.from({ length: count }, (_, i) => {
    const weighed = WEIGHT_GOODS[i - 1]
    const item =
      i === 0
        ? { name: DEMO_MILK_NAME, category: 0, sum: 12_000 }
        : weighed
          ? { name: weighed.name, category: categoryOf(weighed.category), sum: weighed.price }
          : packaged()
    const price = Math.min(200_000, Math.max(2_000, Math.round(item.sum / 100) * 100)) * 100
    const barcodes = i === 0 ? [DEMO_MILK_BARCODE] : [ean13()]
    if (weighed) barcodes.push(`22${String(i).padStart(5, '0')}`)
    else if (i > 0 && rng() < 0.1) barcodes.push(ean13())
    return {
      sku: `SKU-${String(i + 1).padStart(6, '0')}`,
      name: item.name,
      category: item.category,
      price,
      cost: Math.round((price * (0.7 + rng() * 0.15)) / 100) * 100,
      unit: weighed ? 'kg' : 'pcs',
      taxRate: i > 0 && rng() < 0.05 ? 0 : 1200,
      barcodes,
      quantity: `${100 + Math.floor(rng() * 901)}.000`,
    }
  })
}

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK))
}

/**
 * A demo store for an existing tenant: warehouse, store «Магазин №1», register, cashier, ten
 * categories and `products` products (default 300) with barcodes and stock, plus the tenant's
 * weight-barcode layout `22 IIIII WWWWW C`. Names, SKUs, barcodes and prices depend only on `seed`.
 */
export async function seedDemoCatalog(
  db: Db,
  tenantId: string,
  opts: { products?: number; seed?: number } = {},
): Promise<{
  storeId: string
  terminalId: string
  warehouseId: string
  employeeId: string
  categoryIds: string[]
  productCount: number
}> {
  const items = generateProducts(opts.products ?? 300, opts.seed ?? 1)
  const weightBarcodes: WeightBarcodeLayout[] = [
    { prefix: '22', itemDigits: 5, kind: 'weight', valueDigits: 5, decimals: 3 },
  ]
  return db.transaction(async (tx) => {
    const [warehouse] = await tx
      .insert(warehouses)
      .values({ tenantId, name: 'Основной склад' })
      .returning({ id: warehouses.id })
    if (!warehouse) throw new Error('seedDemoCatalog: warehouse insert returned nothing')
    const [store] = await tx
      .insert(stores)
      .values({
        tenantId,
        name: 'Магазин №1',
        timezone: 'Asia/Tashkent',
        address: 'г. Ташкент, ул. Амира Темура, 1',
        warehouseId: warehouse.id,
      })
      .returning({ id: stores.id })
    if (!store) throw new Error('seedDemoCatalog: store insert returned nothing')
    await tx
      .update(warehouses)
      .set({ storeId: store.id })
      .where(and(eq(warehouses.tenantId, tenantId), eq(warehouses.id, warehouse.id)))
    const [terminal] = await tx
      .insert(terminals)
      .values({ tenantId, storeId: store.id, name: 'Касса 1' })
      .returning({ id: terminals.id })
    const [employee] = await tx
      .insert(employees)
      .values({
        tenantId,
        storeId: store.id,
        name: 'Дилноза Каримова',
        role: 'cashier',
        phone: '+998901234567',
      })
      .returning({ id: employees.id })
    if (!terminal || !employee)
      throw new Error('seedDemoCatalog: terminal or employee insert returned nothing')

    const categoryIds = CATALOG.map(() => crypto.randomUUID())
    await tx
      .insert(categories)
      .values(CATALOG.map((c, i) => ({ tenantId, id: categoryIds[i], name: c.category })))

    const rows = items.map((p) => ({ ...p, id: crypto.randomUUID() }))
    await insertChunked(rows, (chunk) =>
      tx.insert(products).values(
        chunk.map((p) => ({
          tenantId,
          id: p.id,
          sku: p.sku,
          name: p.name,
          categoryId: categoryIds[p.category],
          price: p.price,
          cost: p.cost,
          unit: p.unit,
          taxRate: p.taxRate,
        })),
      ),
    )
    const barcodes = rows.flatMap((p) =>
      p.barcodes.map((barcode) => ({ tenantId, barcode, productId: p.id })),
    )
    await insertChunked(barcodes, (chunk) => tx.insert(productBarcodes).values(chunk))
    const levels = rows.map((p) => ({
      tenantId,
      warehouseId: warehouse.id,
      productId: p.id,
      quantity: p.quantity,
    }))
    await insertChunked(levels, (chunk) => tx.insert(stock).values(chunk))
    // The opening balance is a movement too, so the ledger always sums to the level.
    const opening = levels.map((l) => ({
      ...l,
      type: 'receive' as const,
      reason: 'opening balance',
      occurredAt: new Date(),
    }))
    await insertChunked(opening, (chunk) => tx.insert(stockMovements).values(chunk))

    await tx
      .insert(settings)
      .values({ tenantId, weightBarcodes })
      .onConflictDoUpdate({
        target: settings.tenantId,
        set: { weightBarcodes, version: sql`${settings.version} + 1`, updatedAt: new Date() },
      })

    return {
      storeId: store.id,
      terminalId: terminal.id,
      warehouseId: warehouse.id,
      employeeId: employee.id,
      categoryIds,
      productCount: rows.length,
    }
  })
}
