import { eq, sql } from 'drizzle-orm'
import { settings } from '../../../db/schema'
import type { TenantDb } from '../../infra/tenant-db'
import { AppError, badRequest, notFound } from '../../lib/errors'
import type { SettingsPatch } from './model'

export const settingsView = (r: typeof settings.$inferSelect) => ({
  allowNegativeStock: r.allowNegativeStock,
  allowPriceOverride: r.allowPriceOverride,
  currency: r.currency,
  weightBarcodes: r.weightBarcodes,
  receiptNumberPrefix: r.receiptNumberPrefix,
  version: r.version,
  updatedAt: r.updatedAt.toISOString(),
})

export async function getSettings(tdb: TenantDb) {
  const [row] = await tdb.db.select().from(settings).where(tdb.where(settings))
  if (!row) throw notFound('settings')
  return row
}

export async function updateSettings(
  tdb: TenantDb,
  patch: typeof SettingsPatch.static,
  expectedVersion?: number,
) {
  const { version: _ignored, ...changes } = patch
  const layouts = changes.weightBarcodes ?? []
  for (const [i, layout] of layouts.entries()) {
    if (2 + layout.itemDigits + layout.valueDigits + 1 !== 13)
      throw badRequest('a weight barcode layout must add up to 13 digits', [
        {
          path: `weightBarcodes/${i}`,
          message: 'prefix (2) + itemDigits + valueDigits + check digit must be 13',
        },
      ])
    // A weight becomes a sale's quantity, which has at most 3 decimals.
    if (layout.kind === 'weight' && layout.decimals > 3)
      throw badRequest('a weight has at most 3 decimals', [
        {
          path: `weightBarcodes/${i}/decimals`,
          message: 'at most 3 for a weight (quantities have 3 decimals)',
        },
      ])
    // A label must decode one way only.
    if (layouts.findIndex((l) => l.prefix === layout.prefix) !== i)
      throw badRequest(`weight barcode prefix ${layout.prefix} has two layouts`, [
        { path: `weightBarcodes/${i}/prefix`, message: 'used by an earlier layout' },
      ])
  }
  const [row] = await tdb.db
    .update(settings)
    .set({ ...changes, version: sql`${settings.version} + 1`, updatedAt: sql`now()` })
    .where(
      tdb.where(settings, expectedVersion === undefined ? undefined : eq(settings.version, expectedVersion)),
    )
    .returning()
  if (row) return row
  const current = await getSettings(tdb)
  throw new AppError(
    409,
    'VERSION_MISMATCH',
    `settings are at version ${current.version}, not ${expectedVersion}`,
  )
}
