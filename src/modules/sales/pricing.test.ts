import { describe, expect, test } from 'bun:test'
import { formatQuantity, lineAmounts, type PricedLine, parseQuantity, settle } from './pricing'

const line = (over: Partial<PricedLine>): PricedLine => ({
  productId: 'p',
  name: 'x',
  barcode: null,
  quantityMilli: 1000n,
  price: 10_000,
  discount: 0,
  taxRate: 1200,
  ...over,
})

describe('quantities', () => {
  test('decimal strings and numbers with up to 3 decimals', () => {
    expect(parseQuantity('1.25', 'q')).toBe(1250n)
    expect(parseQuantity(2, 'q')).toBe(2000n)
    expect(parseQuantity('0.001', 'q')).toBe(1n)
    expect(formatQuantity(1250n)).toBe('1.250')
    for (const bad of ['0', '1.2345', '-1', 'abc', '1e3', '']) expect(() => parseQuantity(bad, 'q')).toThrow()
  })
})

describe('line amounts', () => {
  test('0.001 kg of a 12 345.67 per kg product rounds half up to the minor unit', () => {
    expect(lineAmounts(line({ price: 1_234_567, quantityMilli: 1n }), 'l').gross).toBe(1235)
    expect(lineAmounts(line({ price: 500, quantityMilli: 1n }), 'l').gross).toBe(1) // 0.5 → 1
    expect(lineAmounts(line({ price: 499, quantityMilli: 1n }), 'l').gross).toBe(0)
  })

  test('tax is included in the price: 12 % of 11 200 inclusive is 1 200', () => {
    expect(lineAmounts(line({ price: 11_200 }), 'l')).toEqual({
      gross: 11_200,
      discount: 0,
      total: 11_200,
      tax: 1200,
    })
    // 10 000 × 1200 / 11200 = 1071.43 → 1071
    expect(lineAmounts(line({ price: 10_000 }), 'l').tax).toBe(1071)
    // 50 × 1200 / 11200 = 5.357 → 5; 42 × 1200/11200 = 4.5 → 5 (half up)
    expect(lineAmounts(line({ price: 42 }), 'l').tax).toBe(5)
    expect(lineAmounts(line({ price: 10_000, taxRate: 0 }), 'l').tax).toBe(0)
  })

  test('a 100 % discount leaves nothing to pay and no tax; more than the gross is refused', () => {
    expect(lineAmounts(line({ discount: 10_000 }), 'l')).toEqual({
      gross: 10_000,
      discount: 10_000,
      total: 0,
      tax: 0,
    })
    expect(() => lineAmounts(line({ discount: 10_001 }), 'l')).toThrow(/exceeds/)
  })

  test('totals beyond 2^31 stay exact', () => {
    const big = lineAmounts(line({ price: 3_000_000_000, quantityMilli: 3000n }), 'l')
    expect(big.gross).toBe(9_000_000_000)
    expect(big.tax).toBe(964_285_714) // 9e9 × 1200 / 11200 = 964 285 714.28
  })
})

describe('settling payments', () => {
  const lines = [
    lineAmounts(line({ price: 10_000 }), 'a'),
    lineAmounts(line({ price: 2_550, discount: 50 }), 'b'),
  ]

  test('sums the lines', () => {
    expect(settle(lines, [{ method: 'card', amount: 12_500 }])).toEqual({
      subtotal: 12_550,
      discount: 50,
      tax: 1071 + 268,
      total: 12_500,
      paid: 12_500,
      change: 0,
    })
  })

  test('cash may exceed the total and returns change; mixed payments', () => {
    expect(settle(lines, [{ method: 'cash', amount: 20_000 }]).change).toBe(7_500)
    expect(
      settle(lines, [
        { method: 'card', amount: 10_000 },
        { method: 'cash', amount: 5_000 },
      ]).change,
    ).toBe(2_500)
  })

  test('short payment, card overpayment and a wrong client total are 422', () => {
    expect(() => settle(lines, [{ method: 'cash', amount: 12_499 }])).toThrow(/do not cover/)
    expect(() => settle(lines, [{ method: 'card', amount: 12_501 }])).toThrow(/exceed/)
    expect(() => settle(lines, [{ method: 'card', amount: 12_500 }], 12_501)).toThrow(/not 12501/)
  })
})
