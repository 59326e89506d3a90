import { Elysia } from 'elysia'
import { etag, expectedVersion, IfMatchHeaders } from '../../lib/http'
import { IdempotencyHeaders, IdParams, NoContent, problems } from '../../lib/schemas'
import type { Auth } from '../../plugins/auth'
import { Category, CategoryListQuery, CategoryPage, CategoryPatch, NewCategory } from './model'
import type { CatalogService } from './service'

export const categoryRoutes = ({ catalog, auth }: { catalog: CatalogService; auth: Auth }) =>
  new Elysia({ name: 'catalog-categories', prefix: '/api/v1/categories', detail: { tags: ['Catalog'] } })
    .use(auth.plugin)
    .get('', ({ auth, query }) => catalog.listCategories(auth.tenantId, query), {
      auth: 'catalog:read',
      query: CategoryListQuery,
      detail: { summary: 'List categories (cursor pages, id order)' },
      response: { 200: CategoryPage, ...problems(400, 401, 403) },
    })
    .get(
      '/:id',
      async ({ auth, params, set }) => {
        const category = await catalog.getCategory(auth.tenantId, params.id)
        set.headers.etag = etag(category.version)
        return category
      },
      {
        auth: 'catalog:read',
        params: IdParams,
        detail: { summary: 'Get a category', description: 'Sets ETag to the quoted version.' },
        response: { 200: Category, ...problems(400, 401, 403, 404) },
      },
    )
    .post(
      '',
      async ({ auth, body, headers, set, status }) => {
        const outcome = await catalog.createCategory(auth.tenantId, body, headers['idempotency-key'])
        if (outcome.replayed) set.headers['idempotent-replayed'] = 'true'
        return status(201, outcome.body)
      },
      {
        auth: 'catalog:write',
        body: NewCategory,
        headers: IdempotencyHeaders,
        detail: {
          summary: 'Create a category',
          description: '404 when parentId is not a category of this tenant.',
        },
        response: { 201: Category, ...problems(400, 401, 403, 404, 422) },
      },
    )
    .patch(
      '/:id',
      async ({ auth, params, body, headers, set }) => {
        const { version, ...patch } = body
        const category = await catalog.updateCategory(
          auth.tenantId,
          params.id,
          patch,
          expectedVersion(headers['if-match'], version),
        )
        set.headers.etag = etag(category.version)
        return category
      },
      {
        auth: 'catalog:write',
        params: IdParams,
        body: CategoryPatch,
        headers: IfMatchHeaders,
        detail: {
          summary: 'Rename or move a category',
          description:
            '409 VERSION_MISMATCH on a stale version; 404 when the new parent is not a category of this ' +
            'tenant; 409 when it sits below this category (a loop).',
        },
        response: { 200: Category, ...problems(400, 401, 403, 404, 409) },
      },
    )
    .delete(
      '/:id',
      async ({ auth, params, status }) => {
        await catalog.deleteCategory(auth.tenantId, params.id)
        return status(204, undefined)
      },
      {
        auth: 'catalog:write',
        params: IdParams,
        detail: {
          summary: 'Delete a category (soft)',
          description: 'Refused with 409 while live products or subcategories still belong to it.',
        },
        response: { 204: NoContent, ...problems(400, 401, 403, 404, 409) },
      },
    )
