// Pure parts of the benchmark data generator: presets, argument parsing, deterministic names and
// barcodes. Ids and barcodes are functions of (namespace, indexes) so that SQL (seeding) and
// pgbench scripts can recompute them without reading anything back.
import { CATALOG, WEIGHT_GOODS } from './names'

export type SeedParams = {
  tenants: number
  products: number
  receipts: number
  seed: number
  storesPerTenant: number
  terminalsPerStore: number
  /** Months of receipt history, ending today. */
  months: number
}

export const PRESETS = {
  /** CI: loads in seconds. */
  small: {
    tenants: 3,
    products: 10_000,
    receipts: 20_000,
    seed: 1,
    storesPerTenant: 2,
    terminalsPerStore: 4,
    months: 12,
  },
  /** The 1–2 year plan of the founding design: 1,000 tenants, 5,000 stores, 10,000 registers. */
  large: {
    tenants: 1_000,
    products: 1_000_000,
    receipts: 5_000_000,
    seed: 1,
    storesPerTenant: 5,
    terminalsPerStore: 2,
    months: 12,
  },
  /** The harness's own test: the smallest thing that still exercises every table. */
  tiny: {
    tenants: 1,
    products: 2_000,
    receipts: 1_000,
    seed: 1,
    storesPerTenant: 1,
    terminalsPerStore: 2,
    months: 2,
  },
} as const satisfies Record<string, SeedParams>

export type PresetName = keyof typeof PRESETS

const FLAGS = {
  tenants: 'tenants',
  products: 'products',
  receipts: 'receipts',
  seed: 'seed',
  stores: 'storesPerTenant',
  terminals: 'terminalsPerStore',
  months: 'months',
} as const satisfies Record<string, keyof SeedParams>

/** `--preset small --products 5000 --seed 7` → parameters (flags override the preset). */
export function parseSeedArgs(argv: string[]): { params: SeedParams; fixture?: string } {
  let params: SeedParams = { ...PRESETS.small }
  const overrides: Partial<SeedParams> = {}
  let fixture: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    const [flag, inline] = arg.startsWith('--') ? arg.slice(2).split('=', 2) : [undefined, undefined]
    if (!flag) throw new Error(`unexpected argument '${arg}'`)
    const value = inline ?? argv[++i]
    if (value === undefined) throw new Error(`--${flag} needs a value`)
    if (flag === 'preset') {
      if (!(value in PRESETS)) throw new Error(`--preset: one of ${Object.keys(PRESETS).join(', ')}`)
      params = { ...PRESETS[value as PresetName] }
    } else if (flag === 'fixture') {
      fixture = value
    } else if (flag in FLAGS) {
      const n = Number(value.replaceAll('_', ''))
      if (!Number.isInteger(n) || n < (flag === 'receipts' ? 0 : 1)) {
        throw new Error(`--${flag}: a positive integer expected, got '${value}'`)
      }
      overrides[FLAGS[flag as keyof typeof FLAGS]] = n
    } else {
      throw new Error(`unknown flag --${flag}`)
    }
  }
  params = { ...params, ...overrides }
  if (params.products < params.tenants) throw new Error('--products must be at least --tenants')
  // Barcodes carry tenant index × 1e6 + product index in nine digits (see barcodeOf).
  if (params.tenants > 1000 || Math.ceil(params.products / params.tenants) > 999_999) {
    throw new Error('at most 1000 tenants and 999,999 products per tenant')
  }
  if (params.months < 1 || params.months > 36) throw new Error('--months: 1..36')
  return { params, ...(fixture ? { fixture } : {}) }
}

/** The namespace every generated id hangs off: the same parameters always give the same rows. */
export const namespaceOf = (p: SeedParams) =>
  `bench:${p.seed}:${p.tenants}:${p.products}:${p.receipts}:${p.storesPerTenant}:${p.terminalsPerStore}:${p.months}`

/**
 * md5(text) shaped as a version-4 UUID (the API rejects other versions) — the same function as
 * pg_temp.bid in bench-load.ts: version nibble 4, variant nibble 8.
 */
export function uuidOf(text: string): string {
  const h = new Bun.CryptoHasher('md5').update(text).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export const tenantIdOf = (ns: string, t: number) => uuidOf(`${ns}:t:${t}`)
export const productIdOf = (ns: string, t: number, n: number) => uuidOf(`${ns}:p:${t}:${n}`)

/** Products of tenant t when `products` are dealt round-robin over `tenants`. */
export const productsOfTenant = (p: Pick<SeedParams, 'tenants' | 'products'>, t: number) =>
  Math.floor(p.products / p.tenants) + (t < p.products % p.tenants ? 1 : 0)

/** EAN-13 check digit of a 12-digit number (weights 1,3,1,3,… from the left). */
export function ean13Check(first12: bigint | number): number {
  const digits = String(first12).padStart(12, '0')
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i % 2 ? 3 : 1)
  return (10 - (sum % 10)) % 10
}

/** The EAN-13 of product n of tenant t: 478 (Uzbekistan) + t·10⁶+n in nine digits + check digit. */
export function barcodeOf(t: number, n: number): string {
  const first12 = 478_000_000_000 + t * 1_000_000 + n
  return `${first12}${ean13Check(first12)}`
}

/** A well-formed EAN-13 that no seeded product has (prefix 479 is never generated). */
export function unknownBarcodeOf(i: number): string {
  const first12 = 479_000_000_000 + i
  return `${first12}${ean13Check(first12)}`
}

export type NameRow = { name: string; price: number; unit: 'pcs' | 'kg'; category: number }

/**
 * Every name the word lists can produce (base + brand + variant + size), with a price in tiyin.
 * The SQL side picks from this list by a seeded hash, so the list's order must be stable.
 */
export function productNames(): NameRow[] {
  const rows: NameRow[] = []
  CATALOG.forEach((c, category) => {
    for (const spec of c.specs) {
      for (const brand of spec.brands) {
        for (const variant of spec.variants) {
          for (const [size, factor] of spec.sizes) {
            const name = [spec.base, brand, variant, size].filter(Boolean).join(' ')
            const [min, max] = spec.price
            // Deterministic price within the family's range, rounded to 100 сум, in tiyin.
            const spread = (rows.length * 7919) % 1000
            const sum = (min + ((max - min) * spread) / 1000) * factor
            rows.push({ name, price: Math.round(sum / 100) * 100 * 100, unit: 'pcs', category })
          }
        }
      }
    }
  })
  for (const w of WEIGHT_GOODS) {
    const category = Math.max(
      0,
      CATALOG.findIndex((c) => c.category === w.category),
    )
    rows.push({ name: w.name, price: w.price * 100, unit: 'kg', category })
  }
  return rows
}

/** Words the name-search scenario asks for: stems, a prefix, a typo and a Latin brand. */
export const SEARCH_TERMS = [
  'молоко',
  'кефир',
  'шоколад',
  'хлеб',
  'сок яблочный',
  'колбас',
  'малоко',
  'Nestlé',
]
