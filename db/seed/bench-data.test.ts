import { describe, expect, test } from 'bun:test'
import {
  barcodeOf,
  ean13Check,
  namespaceOf,
  PRESETS,
  parseSeedArgs,
  productNames,
  productsOfTenant,
  unknownBarcodeOf,
  uuidOf,
} from './bench-data'
import { ean13CheckDigit } from './demo'

describe('bench data', () => {
  test('presets and flags', () => {
    expect(parseSeedArgs([]).params).toEqual(PRESETS.small)
    expect(parseSeedArgs(['--preset', 'large']).params.products).toBe(1_000_000)
    const p = parseSeedArgs(['--tenants', '2', '--products=500', '--receipts', '0', '--seed', '7']).params
    expect(p).toMatchObject({ tenants: 2, products: 500, receipts: 0, seed: 7 })
    expect(() => parseSeedArgs(['--tenants', '0'])).toThrow('--tenants')
    expect(() => parseSeedArgs(['--colour', 'red'])).toThrow('unknown flag')
    expect(() => parseSeedArgs(['--tenants', '1001', '--products', '5000'])).toThrow('1000 tenants')
  })

  test('the namespace changes with every parameter, so data sets never collide', () => {
    expect(namespaceOf(PRESETS.small)).not.toBe(namespaceOf({ ...PRESETS.small, seed: 2 }))
  })

  test('ids are md5 digests shaped as version-4 UUIDs, as pg_temp.bid computes them', () => {
    // select overlay(overlay(md5('abc') placing '4' from 13) placing '8' from 17)::uuid
    expect(uuidOf('abc')).toBe('90015098-3cd2-4fb0-8696-3f7d28e17f72')
  })

  test('barcodes are valid EAN-13 codes, unique per tenant and product', () => {
    expect(ean13Check(478000000001)).toBe(Number(ean13CheckDigit('478000000001')))
    const a = barcodeOf(0, 0)
    expect(a).toMatch(/^478\d{10}$/)
    expect(a.at(-1)).toBe(ean13CheckDigit(a.slice(0, 12)))
    expect(barcodeOf(999, 999_999)).toBe(`478999999999${ean13CheckDigit('478999999999')}`)
    expect(new Set([barcodeOf(0, 1), barcodeOf(1, 0), barcodeOf(0, 1_000)]).size).toBe(3)
    expect(unknownBarcodeOf(5).startsWith('479')).toBe(true)
  })

  test('products are dealt round-robin over tenants', () => {
    const p = { tenants: 3, products: 10_000 }
    expect([0, 1, 2].map((t) => productsOfTenant(p, t))).toEqual([3334, 3333, 3333])
  })

  test('the name list is stable, priced in tiyin, and includes goods sold by weight', () => {
    const names = productNames()
    expect(names.length).toBeGreaterThan(500)
    expect(names.every((n) => Number.isInteger(n.price) && n.price > 0)).toBe(true)
    expect(names.some((n) => n.unit === 'kg')).toBe(true)
    expect(productNames()).toEqual(names)
  })
})
