import { and, eq, isNull, sql } from 'drizzle-orm'
import { categories, products } from '../../../db/schema'
import { rows } from '../../infra/db'
import { type Page, resource } from '../../infra/resource'
import type { TenantDb } from '../../infra/tenant-db'
import { AppError, conflict } from '../../lib/errors'
import type { CategoryView } from './model'

// Categories: a tree per tenant. Product answers carry only categoryId, so no category change
// touches the product cache — which is why deleting a category still in use is refused.

const store = resource(categories, 'category')
type CategoryRow = typeof categories.$inferSelect

export const toCategoryView = (row: CategoryRow): CategoryView => ({
  id: row.id,
  parentId: row.parentId,
  name: row.name,
  version: row.version,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
})

/**
 * Fails with 404 (as for any object outside the tenant) unless the category exists and is live.
 * Takes a share lock, so a concurrent delete waits for this transaction and then sees what it added.
 */
export async function assertLiveCategory(tdb: TenantDb, id: string, field = 'categoryId') {
  const [row] = await tdb.db
    .select({ id: categories.id })
    .from(categories)
    .where(tdb.where(categories, eq(categories.id, id), isNull(categories.deletedAt)))
    .for('share')
  if (!row) throw new AppError(404, 'NOT_FOUND', `${field}: category ${id} not found`)
}

export async function listCategories(
  tdb: TenantDb,
  opts: { limit: number; cursor?: string },
): Promise<Page<CategoryView>> {
  const page = await store.list(tdb, opts)
  return { items: page.items.map(toCategoryView), nextCursor: page.nextCursor }
}

export const getCategory = async (tdb: TenantDb, id: string) => toCategoryView(await store.get(tdb, id))

/** Inserts a category (inside the caller's transaction). */
export async function insertCategory(tdb: TenantDb, input: { name: string; parentId?: string | null }) {
  if (input.parentId) await assertLiveCategory(tdb, input.parentId, 'parentId')
  return toCategoryView(await store.insert(tdb, { name: input.name, parentId: input.parentId ?? null }))
}

export function updateCategory(
  tdb: TenantDb,
  id: string,
  patch: { name?: string; parentId?: string | null },
  expectedVersion?: number,
) {
  return tdb.transaction(async (tx) => {
    if (patch.parentId) {
      await assertLiveCategory(tx, patch.parentId, 'parentId')
      // The new parent must not sit below this category, or the tree becomes a loop.
      const [loop] = await rows<{ id: string }>(
        tx.db,
        sql`
        with recursive up(id, parent_id) as (
          select id, parent_id from ${categories} where ${tx.where(categories, eq(categories.id, patch.parentId))}
          union
          select c.id, c.parent_id from ${categories} c join up on c.id = up.parent_id
          where c.tenant_id = ${tx.tenantId})
        select id from up where id = ${id} limit 1`,
      )
      if (loop) throw conflict('parentId would make the category its own ancestor')
    }
    const values = { name: patch.name, parentId: patch.parentId }
    return toCategoryView(await store.update(tx, id, values, expectedVersion))
  })
}

/** Soft delete; refused (409) while live products or subcategories still use the category. */
export function deleteCategory(tdb: TenantDb, id: string) {
  return tdb.transaction(async (tx) => {
    // Delete first: the row lock makes a concurrent product insert into this category wait or fail.
    await store.remove(tx, id)
    const [used] = await tx.db
      .select({ id: products.id })
      .from(products)
      .where(tx.where(products, eq(products.categoryId, id), isNull(products.deletedAt)))
      .limit(1)
    if (used) throw conflict('The category still has products; move or delete them first')
    const [child] = await tx.db
      .select({ id: categories.id })
      .from(categories)
      .where(tx.where(categories, and(eq(categories.parentId, id), isNull(categories.deletedAt))))
      .limit(1)
    if (child) throw conflict('The category still has subcategories; move or delete them first')
  })
}
