// What the benchmark scenarios need from a seeded data set: API keys (created fresh on every run,
// since only their hashes are stored), ids, and barcodes to rotate over.
import type postgres from 'postgres'
import type { Db } from '../../src/infra/db'
import type { Scope } from '../../src/lib/scopes'
import { createApiKey } from '../../src/modules/admin/service'
import {
  barcodeOf,
  productsOfTenant,
  SEARCH_TERMS,
  type SeedParams,
  tenantIdOf,
  unknownBarcodeOf,
  uuidOf,
} from './bench-data'

export type Terminal = {
  key: string
  storeId: string
  terminalId: string
  shiftId: string
  warehouseId: string
}

export type Fixture = {
  namespace: string
  params: SeedParams
  createdAt: string
  tenantIndex: number
  tenantId: string
  productCount: number
  adminKey: string
  terminals: Terminal[]
  /** Barcodes the lookup scenarios rotate over (all resolve). */
  barcodes: string[]
  /** Well-formed EAN-13 codes that resolve to nothing. */
  unknownBarcodes: string[]
  /** Products sold by the piece, with prices, for receipt bodies. */
  saleProducts: { productId: string; barcode: string; price: number }[]
  searchTerms: string[]
}

const HOT_BARCODES = 1_000
const MAX_TERMINAL_KEYS = 16
// The bench measures the service, not its per-key limiter: the key's own limit overrides the default.
const BENCH_RATE_LIMIT = 1_000_000

export async function buildFixture(db: Db, sql: postgres.Sql, p: SeedParams, ns: string): Promise<Fixture> {
  const t = 0
  const tenantId = tenantIdOf(ns, t)
  const productCount = productsOfTenant(p, t)
  const admin = await createApiKey(db, tenantId, {
    name: 'bench admin',
    scopes: ['admin'],
    rateLimit: BENCH_RATE_LIMIT,
  })
  const scopes: Scope[] = ['catalog:read', 'sales:write', 'sales:read']
  const terminals: Terminal[] = []
  const perTenant = p.storesPerTenant * p.terminalsPerStore
  for (let g = 0; g < Math.min(perTenant, MAX_TERMINAL_KEYS); g++) {
    const j = Math.floor(g / p.terminalsPerStore)
    const storeId = uuidOf(`${ns}:s:${t}:${j}`)
    const terminalId = uuidOf(`${ns}:k:${g}`)
    const key = await createApiKey(db, tenantId, {
      name: `bench terminal ${g + 1}`,
      scopes,
      storeId,
      terminalId,
      rateLimit: BENCH_RATE_LIMIT,
    })
    terminals.push({
      key: key.key,
      storeId,
      terminalId,
      shiftId: uuidOf(`${ns}:open:${g}`),
      warehouseId: uuidOf(`${ns}:w:${t}:${j}`),
    })
  }
  // A prime stride spreads the hot set over the whole catalog rather than its first rows.
  const hot = new Set<string>()
  for (let i = 0; hot.size < Math.min(HOT_BARCODES, productCount) && i < productCount * 2; i++) {
    hot.add(barcodeOf(t, (i * 7919) % productCount))
  }
  const rows = await sql.unsafe<{ id: string; barcode: string; price: string }[]>(
    `select p.id, b.barcode, p.price from products p
     join product_barcodes b on b.tenant_id = p.tenant_id and b.product_id = p.id
     where p.tenant_id = $1 and p.unit = 'pcs' and p.deleted_at is null
     order by p.sku limit 50`,
    [tenantId],
  )
  return {
    namespace: ns,
    params: p,
    createdAt: new Date().toISOString(),
    tenantIndex: t,
    tenantId,
    productCount,
    adminKey: admin.key,
    terminals,
    barcodes: [...hot],
    unknownBarcodes: Array.from({ length: 200 }, (_, i) => unknownBarcodeOf(i)),
    saleProducts: rows.map((r) => ({ productId: r.id, barcode: r.barcode, price: Number(r.price) })),
    searchTerms: SEARCH_TERMS,
  }
}
