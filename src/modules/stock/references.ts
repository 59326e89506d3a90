import { eq, inArray } from 'drizzle-orm'
import { products, stores, warehouses } from '../../../db/schema'
import type { TenantDb } from '../../infra/tenant-db'
import { notFound } from '../../lib/errors'
import type { Principal } from '../../plugins/auth'

// What a caller may name: warehouses and products of its own tenant (another tenant's are 404,
// exactly like missing ones), and for a store-bound key only its store's warehouses.

/** Warehouses a store-bound key may see (its store's own and the one its sales draw from); null = all. */
export async function visibleWarehouses(tdb: TenantDb, auth: Principal): Promise<string[] | null> {
  if (!auth.storeId) return null
  const [own, [store]] = await Promise.all([
    tdb.db
      .select({ id: warehouses.id })
      .from(warehouses)
      .where(tdb.where(warehouses, eq(warehouses.storeId, auth.storeId))),
    tdb.db
      .select({ warehouseId: stores.warehouseId })
      .from(stores)
      .where(tdb.where(stores, eq(stores.id, auth.storeId))),
  ])
  return [...new Set([...own.map((w) => w.id), ...(store ? [store.warehouseId] : [])])]
}

/** 404 unless every warehouse exists in the tenant and is visible to the key. */
export async function checkWarehouses(tdb: TenantDb, auth: Principal, ids: string[]): Promise<void> {
  const wanted = [...new Set(ids)]
  const [found, visible] = await Promise.all([
    tdb.db
      .select({ id: warehouses.id })
      .from(warehouses)
      .where(tdb.where(warehouses, inArray(warehouses.id, wanted))),
    visibleWarehouses(tdb, auth),
  ])
  const ok = new Set(found.map((w) => w.id))
  for (const id of wanted) if (!ok.has(id) || (visible && !visible.includes(id))) throw notFound('warehouse')
}

/**
 * 404 unless every product exists in the tenant. Soft-deleted products count: their remaining
 * stock still has to be written off or moved.
 */
export async function checkProducts(tdb: TenantDb, ids: string[]): Promise<void> {
  const wanted = [...new Set(ids)]
  const found = await tdb.db
    .select({ id: products.id })
    .from(products)
    .where(tdb.where(products, inArray(products.id, wanted)))
  if (found.length !== wanted.length) throw notFound('product')
}

/** A filter for list queries: the requested warehouse (404 if not visible) or the visible set. */
export async function warehouseFilter(
  tdb: TenantDb,
  auth: Principal,
  warehouseId: string | undefined,
): Promise<string[] | null> {
  if (warehouseId) {
    await checkWarehouses(tdb, auth, [warehouseId])
    return [warehouseId]
  }
  return visibleWarehouses(tdb, auth)
}
