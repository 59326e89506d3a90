import { Elysia, type TSchema, t } from 'elysia'
import type { Db } from '../infra/db'
import { withIdempotency } from '../infra/idempotency'
import type { Page } from '../infra/resource'
import { TenantDb } from '../infra/tenant-db'
import type { Auth, Principal } from '../plugins/auth'
import { notFound } from './errors'
import { etag, expectedVersion, IfMatchHeaders } from './http'
import { IdempotencyHeaders, IdParams, NoContent, Pagination, problems } from './schemas'
import type { Scope } from './scopes'

// The five routes of a plain tenant-owned collection (list, get, create, patch, delete), with the
// contract's conventions in one place: cursor pages, ETag, If-Match, Idempotency-Key, 404 for
// anything outside the caller's tenant.

export type CrudService<Row, Create, Patch> = {
  list(tdb: TenantDb, query: Record<string, unknown> & { limit: number; cursor?: string }): Promise<Page<Row>>
  get(tdb: TenantDb, id: string): Promise<Row>
  create(tdb: TenantDb, body: Create): Promise<Row>
  update(tdb: TenantDb, id: string, patch: Patch, version?: number): Promise<Row>
  remove(tdb: TenantDb, id: string): Promise<void>
}

export type CrudOptions<Row, Create, Patch> = {
  plural: string
  noun: string
  tag: string
  db: Db
  auth: Auth
  read: Scope
  write: Scope
  View: TSchema
  Create: TSchema
  Patch: TSchema
  /** Extra list filters, as query parameters. */
  filters?: Record<string, TSchema>
  service: CrudService<Row, Create, Patch>
  toView: (row: Row) => Record<string, unknown> & { version: number }
  /** Statuses beyond the common ones that create/patch can answer (e.g. 409 for duplicates). */
  writeConflicts?: boolean
  /**
   * What a store-bound key (a register's) may see; the rest is 404 to it. `storeField`: the view's
   * field naming the object's store (`id` for stores themselves); `visibleIds`: the ids it may see
   * (null: all), when that is not one field. Bound keys cannot be `admin`, so they never write here.
   */
  storeField?: 'id' | 'storeId'
  visibleIds?: (tdb: TenantDb, auth: Principal) => Promise<string[] | null>
}

export function crudRoutes<Row, Create, Patch>(o: CrudOptions<Row, Create, Patch>) {
  const { service, toView } = o
  const route = `/api/v1/${o.plural}`
  const conflicts = o.writeConflicts ? problems(409) : {}
  const Page = t.Object({ items: t.Array(o.View), nextCursor: t.Union([t.String(), t.Null()]) })
  const tenant = (auth: { tenantId: string }) => new TenantDb(o.db, auth.tenantId)
  /** The store a key is confined to here, if any. */
  const confinedTo = (auth: Principal) => (o.storeField ? (auth.storeId ?? undefined) : undefined)
  /** The object as the key may see it: another store's is not found. */
  const visible = async (auth: Principal, id: string) => {
    const ids = await o.visibleIds?.(tenant(auth), auth)
    if (ids && !ids.includes(id)) throw notFound(o.noun)
    const view = toView(await service.get(tenant(auth), id))
    const store = confinedTo(auth)
    if (store !== undefined && o.storeField && view[o.storeField] !== store) throw notFound(o.noun)
    return view
  }

  return new Elysia({ name: `crud:${o.plural}`, prefix: route, detail: { tags: [o.tag] } })
    .use(o.auth.plugin)
    .get(
      '',
      async ({ auth, query }) => {
        const store = confinedTo(auth)
        if (store !== undefined && o.storeField === 'id') {
          // The key's store may have been deleted since: then it sees none.
          const own = query.cursor
            ? []
            : await visible(auth, store).then(
                (v) => [v],
                () => [],
              )
          return { items: own, nextCursor: null }
        }
        const ids = await o.visibleIds?.(tenant(auth), auth)
        const confined = { ...query, ...(store !== undefined && { storeId: store }), ...(ids && { ids }) }
        const page = await service.list(tenant(auth), confined as never)
        return { items: page.items.map(toView), nextCursor: page.nextCursor }
      },
      {
        auth: o.read,
        query: t.Object({ ...Pagination, ...o.filters }),
        detail: { summary: `List ${o.plural} (cursor pages)` },
        response: { 200: Page, ...problems(400, 401, 403, 429) },
      },
    )
    .get(
      '/:id',
      async ({ auth, params, set }) => {
        const view = await visible(auth, params.id)
        set.headers.etag = etag(view.version)
        return view
      },
      {
        auth: o.read,
        params: IdParams,
        detail: { summary: `Get one ${o.noun} (ETag = version)` },
        response: { 200: o.View, ...problems(400, 401, 403, 404, 429) },
      },
    )
    .post(
      '',
      async ({ auth, body, headers, set, status }) => {
        const outcome = await withIdempotency(
          tenant(auth),
          { key: headers['idempotency-key'], route: `POST ${route}`, request: body },
          async (tx) => ({ status: 201, body: toView(await service.create(tx, body as Create)) }),
        )
        if (outcome.replayed) set.headers['idempotent-replayed'] = 'true'
        return status(201, outcome.body as never)
      },
      {
        auth: o.write,
        body: o.Create,
        headers: IdempotencyHeaders,
        detail: { summary: `Create a ${o.noun}` },
        response: { 201: o.View, ...problems(400, 401, 403, 404, 409, 422, 429) },
      },
    )
    .patch(
      '/:id',
      async ({ auth, params, body, headers, set }) => {
        const { version, ...patch } = body as { version?: number }
        const expected = expectedVersion(headers['if-match'], version)
        const view = toView(
          await tenant(auth).transaction((tx) => service.update(tx, params.id, patch as Patch, expected)),
        )
        set.headers.etag = etag(view.version)
        return view
      },
      {
        auth: o.write,
        params: IdParams,
        body: o.Patch,
        headers: IfMatchHeaders,
        detail: {
          summary: `Change a ${o.noun} (If-Match or body version; stale → 409 VERSION_MISMATCH)`,
        },
        response: { 200: o.View, ...problems(400, 401, 403, 404, 409, 429), ...conflicts },
      },
    )
    .delete(
      '/:id',
      async ({ auth, params, status }) => {
        await service.remove(tenant(auth), params.id)
        return status(204, undefined)
      },
      {
        auth: o.write,
        params: IdParams,
        detail: { summary: `Delete a ${o.noun}` },
        response: { 204: NoContent, ...problems(400, 401, 403, 404, 409, 429) },
      },
    )
}
