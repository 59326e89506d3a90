import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { and, asc, eq } from 'drizzle-orm'
import { type Database, openDatabase } from '../../src/infra/db'
import { runMigrations } from '../../src/infra/migrate'
import { productBarcodes, products, settings, stock, stores, tenants, warehouses } from '../schema'
import { DEMO_MILK_BARCODE, ean13CheckDigit, seedDemoCatalog } from './demo'

let tmp: string
let database: Database

async function seededTenant(opts?: { products?: number; seed?: number }, withSettings = false) {
  const [tenant] = await database.db.insert(tenants).values({ name: 'Demo' }).returning()
  if (!tenant) throw new Error('no tenant')
  if (withSettings) await database.db.insert(settings).values({ tenantId: tenant.id })
  return { tenantId: tenant.id, demo: await seedDemoCatalog(database.db, tenant.id, opts) }
}

/** sku → name, price, cost, unit, tax and sorted barcodes of a tenant's catalog. */
async function catalogOf(tenantId: string) {
  const rows = await database.db
    .select({
      sku: products.sku,
      name: products.name,
      price: products.price,
      cost: products.cost,
      unit: products.unit,
      taxRate: products.taxRate,
      barcode: productBarcodes.barcode,
    })
    .from(products)
    .innerJoin(
      productBarcodes,
      and(eq(productBarcodes.tenantId, products.tenantId), eq(productBarcodes.productId, products.id)),
    )
    .where(eq(products.tenantId, tenantId))
    .orderBy(asc(products.sku), asc(productBarcodes.barcode))
  const map = new Map<string, Omit<(typeof rows)[number], 'barcode'> & { barcodes: string[] }>()
  for (const { barcode, ...p } of rows) {
    const entry = map.get(p.sku) ?? { ...p, barcodes: [] }
    entry.barcodes.push(barcode)
    map.set(p.sku, entry)
  }
  return map
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pos-seed-'))
  database = await openDatabase({ dataDir: tmp, poolSize: 1 })
  await runMigrations(database)
}, 60_000)

afterAll(async () => {
  await database?.close()
  rmSync(tmp, { recursive: true, force: true })
})

describe('ean13CheckDigit', () => {
  test('matches known codes', () => {
    expect(ean13CheckDigit('400638133393')).toBe('1')
    expect(ean13CheckDigit('590123412345')).toBe('7')
    expect(DEMO_MILK_BARCODE).toBe(`478000000001${ean13CheckDigit('478000000001')}`)
    expect(() => ean13CheckDigit('12345')).toThrow()
  })
})

describe('seedDemoCatalog', () => {
  let first: Awaited<ReturnType<typeof seededTenant>>
  let catalog: Awaited<ReturnType<typeof catalogOf>>

  beforeAll(async () => {
    first = await seededTenant()
    catalog = await catalogOf(first.tenantId)
  }, 60_000)

  test('creates a store with its warehouse, a register, a cashier and categories', async () => {
    const { tenantId, demo } = first
    expect(demo.categoryIds.length).toBeGreaterThanOrEqual(8)
    const [store] = await database.db.select().from(stores).where(eq(stores.tenantId, tenantId))
    expect(store).toMatchObject({ id: demo.storeId, name: 'Магазин №1', timezone: 'Asia/Tashkent' })
    expect(store?.warehouseId).toBe(demo.warehouseId)
    const [warehouse] = await database.db.select().from(warehouses).where(eq(warehouses.tenantId, tenantId))
    expect(warehouse?.storeId).toBe(demo.storeId)
    const [row] = await database.db.select().from(settings).where(eq(settings.tenantId, tenantId))
    expect(row?.weightBarcodes).toEqual([
      { prefix: '22', itemDigits: 5, kind: 'weight', valueDigits: 5, decimals: 3 },
    ])
  })

  test('inserts 300 products with realistic prices and costs', () => {
    expect(first.demo.productCount).toBe(300)
    expect(catalog.size).toBe(300)
    for (const p of catalog.values()) {
      expect(p.price).toBeGreaterThanOrEqual(200_000)
      expect(p.price).toBeLessThanOrEqual(20_000_000)
      expect(p.cost ?? 0).toBeGreaterThanOrEqual(p.price * 0.69)
      expect(p.cost ?? 0).toBeLessThanOrEqual(p.price * 0.86)
      expect([0, 1200]).toContain(p.taxRate)
    }
    expect(catalog.get('SKU-000001')?.name).toBe('Молоко 3.2% 1 л')
  })

  test('gives valid, unique barcodes, and weight goods a 22 IIIII code', () => {
    const all = [...catalog.values()].flatMap((p) => p.barcodes)
    expect(new Set(all).size).toBe(all.length)
    const ean = all.filter((b) => b.length === 13)
    for (const b of ean) expect(b.slice(12)).toBe(ean13CheckDigit(b.slice(0, 12)))
    const weight = [...catalog.values()].filter((p) => p.barcodes.some((b) => /^22\d{5}$/.test(b)))
    expect(weight.length).toBe(5)
    for (const p of weight) expect(p.unit).toBe('kg')
    expect(ean.length + weight.length).toBe(all.length)
    for (const p of catalog.values())
      expect(p.barcodes.filter((b) => b.length === 13).length).toBeGreaterThanOrEqual(1)
  })

  test('resolves the milk product by DEMO_MILK_BARCODE', async () => {
    const [row] = await database.db
      .select({ name: products.name, unit: products.unit })
      .from(productBarcodes)
      .innerJoin(
        products,
        and(eq(products.tenantId, productBarcodes.tenantId), eq(products.id, productBarcodes.productId)),
      )
      .where(
        and(eq(productBarcodes.tenantId, first.tenantId), eq(productBarcodes.barcode, DEMO_MILK_BARCODE)),
      )
    expect(row).toEqual({ name: 'Молоко 3.2% 1 л', unit: 'pcs' })
  })

  test('stocks every product at the warehouse', async () => {
    const rows = await database.db
      .select({ productId: stock.productId, quantity: stock.quantity })
      .from(stock)
      .where(and(eq(stock.tenantId, first.tenantId), eq(stock.warehouseId, first.demo.warehouseId)))
    expect(new Set(rows.map((r) => r.productId)).size).toBe(300)
    for (const { quantity } of rows) {
      expect(quantity).toMatch(/^\d+\.000$/)
      expect(Number(quantity)).toBeGreaterThanOrEqual(100)
      expect(Number(quantity)).toBeLessThanOrEqual(1000)
    }
  })

  test('is deterministic for a seed, differs between seeds, updates existing settings', async () => {
    const again = await seededTenant({}, true)
    expect(await catalogOf(again.tenantId)).toEqual(catalog)
    const [row] = await database.db.select().from(settings).where(eq(settings.tenantId, again.tenantId))
    expect(row).toMatchObject({ version: 2, weightBarcodes: [expect.objectContaining({ prefix: '22' })] })
    const other = await seededTenant({ products: 50, seed: 2 })
    const otherCatalog = await catalogOf(other.tenantId)
    expect(otherCatalog.size).toBe(50)
    expect(otherCatalog.get('SKU-000010')).not.toEqual(catalog.get('SKU-000010'))
  })
})
