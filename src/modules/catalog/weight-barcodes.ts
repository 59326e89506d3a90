import { LRUCache } from 'lru-cache'
import { settings, type WeightBarcodeLayout } from '../../../db/schema'
import { type Bytes, LRU_TTL_MS } from '../../infra/catalog-cache'
import type { Db } from '../../infra/db'
import type { InvalidationBus } from '../../infra/invalidation-bus'
import { TenantDb } from '../../infra/tenant-db'

// Weight/price-embedded EAN-13 (prefixes 20–29): prefix + item code + value + check digit. The
// product is the one holding the barcode prefix + item code; the value is returned alongside.

export type Embedded = { weight?: string; price?: number }
export type EmbeddedMatch = { base: string; embedded: Embedded; layout: WeightBarcodeLayout }

const DIGITS13 = /^2\d{12}$/

/** Reads a code against the tenant's layouts; undefined when none applies. */
export function matchEmbedded(
  code: string,
  layouts: readonly WeightBarcodeLayout[],
): EmbeddedMatch | undefined {
  if (layouts.length === 0 || !DIGITS13.test(code)) return undefined
  for (const layout of layouts) {
    if (!code.startsWith(layout.prefix)) continue
    const itemEnd = layout.prefix.length + layout.itemDigits
    const valueEnd = itemEnd + layout.valueDigits
    // The value must fit before the check digit.
    if (valueEnd > 12 || layout.itemDigits < 1 || layout.valueDigits < 1) continue
    const digits = code.slice(itemEnd, valueEnd)
    const decimals = Math.max(0, Math.min(layout.decimals, 9))
    const embedded: Embedded =
      layout.kind === 'weight'
        ? { weight: decimalString(digits, decimals) }
        : // The printed value has `decimals` fewer digits than minor units (e.g. whole sums → tiyin).
          { price: Number(digits) * 10 ** decimals }
    return { base: code.slice(0, itemEnd), embedded, layout }
  }
  return undefined
}

/** "01250", 3 → "1.250" — exact, no floating point. */
function decimalString(digits: string, decimals: number): string {
  if (decimals === 0) return String(Number(digits))
  const padded = digits.padStart(decimals + 1, '0')
  const whole = padded.slice(0, -decimals).replace(/^0+(?=\d)/, '')
  return `${whole}.${padded.slice(-decimals)}`
}

/** Appends `embedded` to a serialized product without parsing it. */
export const withEmbedded = (json: Bytes, embedded: Embedded): Bytes =>
  Buffer.concat([json.subarray(0, -1), Buffer.from(`,"embedded":${JSON.stringify(embedded)}}`)])

/**
 * The tenant's layouts, cached in process: settings change rarely, and a lookup of a code that
 * starts with 2 must not cost a settings query. Dropped on `settings.changed` from the bus.
 */
export function createLayoutCache(db: Db, bus: InvalidationBus, enabled = true) {
  const cache = new LRUCache<string, WeightBarcodeLayout[]>({ max: 100_000, ttl: LRU_TTL_MS })
  bus.subscribe((message) => {
    if (message.type === 'settings.changed') cache.delete(message.tenantId)
  })
  bus.onReset(() => cache.clear())

  async function load(tenantId: string): Promise<WeightBarcodeLayout[]> {
    const tdb = new TenantDb(db, tenantId)
    const [row] = await db
      .select({ layouts: settings.weightBarcodes })
      .from(settings)
      .where(tdb.where(settings))
      .limit(1)
    return Array.isArray(row?.layouts) ? row.layouts : []
  }

  return {
    async get(tenantId: string): Promise<WeightBarcodeLayout[]> {
      const hit = enabled ? cache.get(tenantId) : undefined
      if (hit) return hit
      const layouts = await load(tenantId)
      if (enabled) cache.set(tenantId, layouts)
      return layouts
    },
    /** For the settings module on this instance; other instances learn it from the bus. */
    invalidate: (tenantId: string) => cache.delete(tenantId),
  }
}
