import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestApp, type TestApp, usingPostgres } from '../../testing/harness'

// A catalog import through POST /products/batch against PostgreSQL behind PgBouncer: 100 requests
// of 1000 products (CATALOG_IMPORT_PRODUCTS to change), then the same again (all unchanged), then
// with every tenth price changed. Prints the times; asserts a generous ceiling so a regression to
// a round trip per item fails.

const TOTAL = Number(process.env.CATALOG_IMPORT_PRODUCTS ?? 100_000)
const PER_REQUEST = 1000
let t: TestApp
let key: string

const items = (from: number, priceOf: (i: number) => number) =>
  Array.from({ length: PER_REQUEST }, (_, k) => {
    const i = from + k
    return {
      sku: `IMP-${i}`,
      name: `Товар импорта ${i}`,
      price: priceOf(i),
      unit: i % 7 === 0 ? 'kg' : 'pcs',
      taxRate: 1200,
      barcodes: [`48${String(i).padStart(11, '0')}`],
    }
  })

async function run(priceOf: (i: number) => number) {
  const counts: Record<string, number> = {}
  const started = performance.now()
  for (let from = 0; from < TOTAL; from += PER_REQUEST) {
    const res = await t.request('POST', '/api/v1/products/batch', {
      key,
      body: { items: items(from, priceOf) },
    })
    expect(res.status).toBe(200)
    const { results } = (await res.json()) as { results: { status: string }[] }
    for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1
  }
  return { seconds: (performance.now() - started) / 1000, counts }
}

describe.skipIf(!usingPostgres)(`catalog import of ${TOTAL} products`, () => {
  beforeAll(async () => {
    t = await startTestApp()
    key = (await t.newTenant()).apiKey
  }, 60_000)
  afterAll(() => t?.close())

  test('100 × 1000 through the batch endpoint', async () => {
    const first = await run((i) => 1000 + i)
    console.log(
      `import ${TOTAL} new: ${first.seconds.toFixed(1)} s (${Math.round(TOTAL / first.seconds)} products/s)`,
      first.counts,
    )
    expect(first.counts).toEqual({ created: TOTAL })
    const again = await run((i) => 1000 + i)
    console.log(`import ${TOTAL} unchanged: ${again.seconds.toFixed(1)} s`, again.counts)
    expect(again.counts).toEqual({ unchanged: TOTAL })
    const tenth = await run((i) => (i % 10 === 0 ? 2000 + i : 1000 + i))
    console.log(`import ${TOTAL} with 10% changed: ${tenth.seconds.toFixed(1)} s`, tenth.counts)
    expect(tenth.counts).toEqual({ updated: TOTAL / 10, unchanged: TOTAL - TOTAL / 10 })
    expect(first.seconds).toBeLessThan((TOTAL / 1000) * 2) // ≤ 2 s per 1000: far above what it takes
    const sample = await t.request('GET', '/api/v1/products/by-barcode/4800000000010', { key })
    expect(((await sample.json()) as { price: number }).price).toBe(2010)
  }, 600_000)
})
