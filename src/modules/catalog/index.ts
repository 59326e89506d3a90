// Catalog: products, their barcodes and categories; owns the barcode lookup hot path.
import { Elysia, t } from 'elysia'
import type { Db } from '../../infra/db'
import { notFound } from '../../lib/errors'
import { problems } from '../../lib/schemas'
import type { Auth } from '../../plugins/auth'
import { Barcode, Product } from './model'
import { findByBarcode } from './service'

export type CatalogDeps = { db: Db; auth: Auth }

export const catalogModule = ({ db, auth }: CatalogDeps) =>
  new Elysia({ name: 'catalog', prefix: '/api/v1/products', detail: { tags: ['Catalog'] } })
    .use(auth.plugin)
    .get(
      '/by-barcode/:barcode',
      async ({ auth, params }) => {
        const product = await findByBarcode(db, auth.tenantId, params.barcode)
        if (!product) throw notFound('product')
        return product
      },
      {
        auth: 'catalog:read',
        params: t.Object({ barcode: Barcode }),
        detail: {
          summary: 'Look a product up by barcode (the register hot path)',
          description:
            "Resolves any of the product's barcodes within the caller's tenant; deleted products do not resolve.",
        },
        response: { 200: Product, ...problems(400, 401, 403, 404) },
      },
    )
