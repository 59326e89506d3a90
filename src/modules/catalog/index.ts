// Catalog: products, their barcodes and categories, and the catalog cache; owns the barcode lookup hot path.
import { Elysia } from 'elysia'
import type { Auth } from '../../plugins/auth'
import { cacheRoutes } from './cache-routes'
import { categoryRoutes } from './category-routes'
import { productRoutes } from './product-routes'
import type { CatalogService } from './service'

export type CatalogDeps = {
  /** The one catalog service of this instance (sales prices its lines through it too). */
  catalog: CatalogService
  auth: Auth
  /** Only for the benchmark harness's own test: an artificial delay per barcode lookup. */
  lookupDelayMs?: number
}

export const catalogModule = ({ catalog, auth, lookupDelayMs = 0 }: CatalogDeps) => {
  return new Elysia({ name: 'catalog' })
    .use(productRoutes({ catalog, auth, lookupDelayMs }))
    .use(categoryRoutes({ catalog, auth }))
    .use(cacheRoutes({ catalog, auth }))
}
