import type { Bytes, CatalogCache, Loader } from '../../infra/catalog-cache'
import type { Db } from '../../infra/db'
import { type Outcome, withIdempotency } from '../../infra/idempotency'
import type { InvalidationBus } from '../../infra/invalidation-bus'
import { TenantDb } from '../../infra/tenant-db'
import { productJsonByBarcode } from './barcodes'
import { upsertProducts } from './batch'
import * as categories from './categories'
import type {
  BatchItem,
  BatchResultView,
  CategoryView,
  NewProductInput,
  ProductPatchInput,
  ProductView,
} from './model'
import * as products from './products'
import { searchProducts } from './search'
import { createLayoutCache, matchEmbedded, withEmbedded } from './weight-barcodes'

// The catalog's service: what routes (and other modules) call. Every write invalidates the
// barcodes it touched after its transaction commits, on every instance.

export { productJsonByBarcode } from './barcodes'
export { getProduct, listProducts } from './products'

export type CatalogServiceDeps = { db: Db; cache: CatalogCache; bus: InvalidationBus }

export function createCatalogService({ db, cache, bus }: CatalogServiceDeps) {
  const layouts = createLayoutCache(db, bus, cache.mode !== 'off')
  const scoped = (tenantId: string) => new TenantDb(db, tenantId)
  const loadBarcode: Loader = (tenantId, barcode) => productJsonByBarcode(db, tenantId, barcode)

  async function lookupSlow(tenantId: string, code: string): Promise<Bytes | undefined> {
    const match = matchEmbedded(code, await layouts.get(tenantId))
    if (match) {
      const json = await cache.get(tenantId, match.base, loadBarcode)
      if (json !== undefined) return withEmbedded(json, match.embedded)
    }
    return cache.get(tenantId, code, loadBarcode)
  }

  return {
    cache,

    /**
     * The serialized product (UTF-8 JSON) a barcode resolves to, or undefined. Answers
     * synchronously from the local LRU when it can (the register hot path), else a promise.
     */
    lookup(tenantId: string, code: string): Bytes | undefined | Promise<Bytes | undefined> {
      // Only a 13-digit code starting with 2 can carry a weight or price.
      if (code.length === 13 && code.charCodeAt(0) === 50) return lookupSlow(tenantId, code)
      const hit = cache.peek(tenantId, code)
      if (hit !== undefined) return hit ?? undefined
      return cache.get(tenantId, code, loadBarcode)
    },

    search: (tenantId: string, q: string, limit: number) => searchProducts(db, tenantId, q, limit),
    getProduct: (tenantId: string, id: string) => products.getProduct(scoped(tenantId), id),
    listProducts: (tenantId: string, opts: products.ProductListOptions) =>
      products.listProducts(scoped(tenantId), opts),

    async createProduct(
      tenantId: string,
      input: NewProductInput,
      idempotencyKey?: string,
    ): Promise<Outcome<ProductView> & { replayed: boolean }> {
      let touched: string[] = []
      const outcome = await withIdempotency<ProductView>(
        scoped(tenantId),
        { key: idempotencyKey, route: 'POST /api/v1/products', request: input },
        async (tx) => {
          const change = await products.insertProduct(tx, input)
          touched = change.touched
          return { status: 201, body: change.view }
        },
      )
      await cache.invalidate(tenantId, touched)
      return outcome
    },

    async updateProduct(
      tenantId: string,
      id: string,
      patch: Omit<ProductPatchInput, 'version'>,
      version?: number,
    ) {
      const change = await scoped(tenantId).transaction((tx) => products.patchProduct(tx, id, patch, version))
      await cache.invalidate(tenantId, change.touched)
      return change.view
    },

    async deleteProduct(tenantId: string, id: string, version?: number) {
      const freed = await scoped(tenantId).transaction((tx) => products.softDeleteProduct(tx, id, version))
      await cache.invalidate(tenantId, freed)
    },

    async upsertBatch(tenantId: string, items: BatchItem[], idempotencyKey?: string) {
      let touched: string[] = []
      const outcome = await withIdempotency<BatchResultView>(
        scoped(tenantId),
        { key: idempotencyKey, route: 'POST /api/v1/products/batch', request: items },
        async (tx) => {
          const done = await upsertProducts(tx, items)
          touched = done.touched
          return { status: 200, body: { results: done.results } }
        },
      )
      await cache.invalidate(tenantId, touched)
      return outcome
    },

    listCategories: (tenantId: string, opts: { limit: number; cursor?: string }) =>
      categories.listCategories(scoped(tenantId), opts),
    getCategory: (tenantId: string, id: string) => categories.getCategory(scoped(tenantId), id),
    createCategory: (
      tenantId: string,
      input: { name: string; parentId?: string | null },
      idempotencyKey?: string,
    ) =>
      withIdempotency<CategoryView>(
        scoped(tenantId),
        { key: idempotencyKey, route: 'POST /api/v1/categories', request: input },
        async (tx) => ({ status: 201, body: await categories.insertCategory(tx, input) }),
      ),
    updateCategory: (
      tenantId: string,
      id: string,
      patch: { name?: string; parentId?: string | null },
      version?: number,
    ) => categories.updateCategory(scoped(tenantId), id, patch, version),
    deleteCategory: (tenantId: string, id: string) => categories.deleteCategory(scoped(tenantId), id),

    /** Call when a tenant's settings change on this instance; other instances hear `settings.changed`. */
    invalidateTenantSettings: (tenantId: string) => bus.publish({ type: 'settings.changed', tenantId }),
    flushTenant: (tenantId: string) => cache.flushTenant(tenantId),
    stats: () => cache.stats(),
  }
}

export type CatalogService = ReturnType<typeof createCatalogService>

// For other modules (e.g. sales reading a weighed code): the layouts reader and the code parser.
export { createLayoutCache, matchEmbedded } from './weight-barcodes'
