import { Elysia, t } from 'elysia'
import type { Bytes } from '../../infra/catalog-cache'
import { notFound } from '../../lib/errors'
import { etag, expectedVersion, IfMatchHeaders, jsonWithSetHeaders } from '../../lib/http'
import { IdempotencyHeaders, IdParams, NoContent, problems } from '../../lib/schemas'
import type { Auth } from '../../plugins/auth'
import {
  Barcode,
  BatchBody,
  BatchResult,
  NewProduct,
  Product,
  ProductListQuery,
  ProductPage,
  ProductPatch,
  SearchBody,
  SearchResult,
  type SearchResultView,
} from './model'
import { productEtag } from './product-etag'
import type { CatalogService } from './service'

export const productNotFound = notFound('product')
type Set = Parameters<typeof jsonWithSetHeaders>[1]
const answer = (json: Bytes | undefined, set: Set) => {
  if (json === undefined) throw productNotFound
  const tag = productEtag(json)
  if (tag) set.headers.etag = tag
  return jsonWithSetHeaders(json, set)
}

export type ProductRouteOptions = { catalog: CatalogService; auth: Auth; lookupDelayMs: number }

export const productRoutes = ({ catalog, auth, lookupDelayMs }: ProductRouteOptions) => {
  // The hot path: an LRU hit answers synchronously with the cached bytes, no JSON work at all.
  const byBarcode =
    lookupDelayMs > 0
      ? async (tenantId: string, barcode: string, set: Set) => {
          await Bun.sleep(lookupDelayMs)
          return answer(await catalog.lookup(tenantId, barcode), set)
        }
      : (tenantId: string, barcode: string, set: Set) => {
          const found = catalog.lookup(tenantId, barcode)
          return found instanceof Promise ? found.then((json) => answer(json, set)) : answer(found, set)
        }

  return new Elysia({ name: 'catalog-products', prefix: '/api/v1/products', detail: { tags: ['Catalog'] } })
    .use(auth.plugin)
    .get(
      '/by-barcode/:barcode',
      ({ auth, params, set }) => byBarcode(auth.tenantId, params.barcode, set as Set),
      {
        auth: 'catalog:read',
        params: t.Object({ barcode: Barcode }),
        detail: {
          summary: 'Look a product up by barcode (the register hot path)',
          description:
            "Resolves any of the product's barcodes within the caller's tenant; deleted products do not resolve. " +
            "A weight/price-embedded EAN-13 matching one of the tenant's layouts (settings.weightBarcodes) resolves " +
            'to the product holding prefix + item code and carries `embedded: {weight | price}`. Served from a ' +
            'two-tier cache; a change is visible on every instance within ~100 ms.',
        },
        response: { 200: Product, ...problems(400, 401, 403, 404) },
      },
    )
    .post(
      '/search',
      async ({ auth, body, set }) => {
        // `{barcode}`: the cached bytes of the by-barcode answer. `{q}`: serialized here, like the list
        // (service.test.ts checks the answers against SearchResult and the JSON of pos_product_json).
        if ('barcode' in body) return byBarcode(auth.tenantId, body.barcode, set as Set)
        const items = await catalog.search(auth.tenantId, body.q, body.limit ?? 20)
        return jsonWithSetHeaders(JSON.stringify({ items } satisfies SearchResultView), set)
      },
      {
        auth: 'catalog:read',
        body: SearchBody,
        detail: {
          summary: 'Search products by barcode or by name',
          description:
            '`{barcode}` answers exactly as GET /products/by-barcode/{barcode} (404 when unknown). `{q, limit?}` ' +
            'ranks live products by name: Russian full-text words and prefixes ("молок"), trigram similarity for ' +
            'typos ("малоко"), and Latin transliteration ("moloko"). Always 200, possibly with no items.',
        },
        response: { 200: t.Union([Product, SearchResult]), ...problems(400, 401, 403, 404) },
      },
    )
    .post(
      '/batch',
      async ({ auth, body, headers, set, status }) => {
        const outcome = await catalog.upsertBatch(auth.tenantId, body.items, headers['idempotency-key'])
        if (outcome.replayed) set.headers['idempotent-replayed'] = 'true'
        return status(200, outcome.body)
      },
      {
        auth: 'catalog:write',
        body: BatchBody,
        headers: IdempotencyHeaders,
        detail: {
          summary: 'Upsert up to 1000 products by sku in one transaction',
          description:
            'Answers one result per item in input order: created, updated, unchanged (nothing differed) or error ' +
            '(a repeated sku, a barcode held by another product, an unknown category). Items in error change ' +
            'nothing; the others are written together. 409 when a concurrent write collides (retry).',
        },
        response: { 200: BatchResult, ...problems(400, 401, 403, 409, 422) },
      },
    )
    .get(
      '',
      // Serialized here rather than checked and encoded by Elysia against ProductPage, a quarter of the
      // API's CPU for a page of 50 (946 → 728 µs): toProductView is typed by that schema, and
      // service.test.ts checks listed pages of every kind of product against it.
      async ({ auth, query, set }) =>
        jsonWithSetHeaders(JSON.stringify(await catalog.listProducts(auth.tenantId, query)), set),
      {
        auth: 'catalog:read',
        query: ProductListQuery,
        detail: {
          summary: 'List products (cursor pages); terminal catalog sync with updatedSince',
          description:
            'Filters: categoryId, q (part of the name, or name/description words by prefix), updatedSince. ' +
            'Without updatedSince: live products in id order. With it: every product changed since then, deleted ' +
            'ones included with deletedAt (and no barcodes), in (updatedAt, id) order.',
        },
        response: { 200: ProductPage, ...problems(400, 401, 403) },
      },
    )
    .get(
      '/:id',
      async ({ auth, params, set }) => {
        const product = await catalog.getProduct(auth.tenantId, params.id)
        set.headers.etag = etag(product.version)
        return product
      },
      {
        auth: 'catalog:read',
        params: IdParams,
        detail: {
          summary: 'Get a product',
          description: 'Sets ETag to the quoted version, usable as If-Match.',
        },
        response: { 200: Product, ...problems(400, 401, 403, 404) },
      },
    )
    .post(
      '',
      async ({ auth, body, headers, set, status }) => {
        const outcome = await catalog.createProduct(auth.tenantId, body, headers['idempotency-key'])
        if (outcome.replayed) set.headers['idempotent-replayed'] = 'true'
        set.headers.etag = etag(outcome.body.version)
        return status(201, outcome.body)
      },
      {
        auth: 'catalog:write',
        body: NewProduct,
        headers: IdempotencyHeaders,
        detail: {
          summary: 'Create a product',
          description:
            'unit defaults to "pcs", taxRate to 0, isActive to true. 409 when the sku or a barcode is taken ' +
            'within the tenant (a deleted product keeps its sku: restore it with POST /products/batch); 404 when ' +
            'categoryId is not a category of this tenant.',
        },
        response: { 201: Product, ...problems(400, 401, 403, 404, 409, 422) },
      },
    )
    .patch(
      '/:id',
      async ({ auth, params, body, headers, set }) => {
        const { version, ...patch } = body
        const product = await catalog.updateProduct(
          auth.tenantId,
          params.id,
          patch,
          expectedVersion(headers['if-match'], version),
        )
        set.headers.etag = etag(product.version)
        return product
      },
      {
        auth: 'catalog:write',
        params: IdParams,
        body: ProductPatch,
        headers: IfMatchHeaders,
        detail: {
          summary: 'Change a product',
          description:
            'Any subset of the fields; barcodes replaces the whole set. Send the version you read (If-Match or ' +
            '`version`): when the product changed since, 409 VERSION_MISMATCH. A duplicate sku or barcode is 409; ' +
            'an unknown categoryId is 404.',
        },
        response: { 200: Product, ...problems(400, 401, 403, 404, 409) },
      },
    )
    .delete(
      '/:id',
      async ({ auth, params, headers, status }) => {
        await catalog.deleteProduct(auth.tenantId, params.id, expectedVersion(headers['if-match'], undefined))
        return status(204, undefined)
      },
      {
        auth: 'catalog:write',
        params: IdParams,
        headers: IfMatchHeaders,
        detail: {
          summary: 'Delete a product (soft)',
          description:
            'Its barcodes stop resolving at once on every instance and are free for other products; the product ' +
            'stays visible to catalog sync (updatedSince) with deletedAt. If-Match is optional.',
        },
        response: { 204: NoContent, ...problems(400, 401, 403, 404, 409) },
      },
    )
}
