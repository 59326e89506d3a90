// Report time against history size, in one run: a store's one-month sales report (by day, product
// and payment method) timed with 500 thousand receipts in the tenant's history, then again after
// the history grew to 5 million (other stores, same twelve months). The store's own month is the same
// both times, so any growth is what the rest of the history costs. Exits 1 above 1.5×.
//
//   eval "$(bash deploy/local/services.sh start)" && bun run bench:reports [--small N] [--large N]
//
// Writes bench/results/report-scaling.{json,md}. Needs DATABASE_URL (and DATABASE_DIRECT_URL for the
// bulk inserts); a fresh tenant is created each run.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { seedDemoCatalog } from '../db/seed/demo'
import { loadConfig } from '../src/config'
import { openDatabase } from '../src/infra/db'
import { createLogger } from '../src/infra/logger'
import { runMigrations } from '../src/infra/migrate'
import { createTenant } from '../src/modules/admin/service'
import { createApp } from '../src/server'
import { percentile } from './pgbench'

const MAX_GROWTH = 1.5
const STORES = 1_000
/** Every OWN_SHARE-th receipt of the first phase is the measured store's (5,000 of 500,000). */
const OWN_SHARE = 100
const BATCH = 250_000
const RUNS = 30

const { values } = parseArgs({
  options: { small: { type: 'string', default: '500000' }, large: { type: 'string', default: '5000000' } },
})
const small = Number(values.small)
const large = Number(values.large)

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' })
if (!config.databaseUrl) throw new Error('DATABASE_URL is required (see the header of this file)')
const direct = postgres(config.databaseDirectUrl ?? config.databaseUrl, { max: 1, onnotice: () => {} })
const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: 4 })
await runMigrations(database, config.databaseDirectUrl)
const app = createApp({ config, log: createLogger('warn'), database })

const { tenant, apiKey } = await createTenant(database.db, `report scaling ${new Date().toISOString()}`)
const demo = await seedDemoCatalog(database.db, tenant.id, { products: 12 })
const [shift] = await direct`insert into shifts (tenant_id, store_id, terminal_id, opening_cash)
  values (${tenant.id}, ${demo.storeId}, ${demo.terminalId}, 0) returning id`
const products = (
  await direct`select id from products where tenant_id = ${tenant.id} order by sku limit 10`
).map((r) => r.id as string)

// The measured month: the last full calendar month, inside the twelve months of history.
const now = new Date()
const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
const monthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0))
const day = (d: Date) => d.toISOString().slice(0, 10)
const historyStart = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1))
const spanSeconds = Math.floor((monthEnd.getTime() + 86_400_000 - historyStart.getTime()) / 1000)

/**
 * Receipts [from, to) of the history, each with two lines and one card payment, spread evenly over
 * the twelve months. Receipt i belongs to the measured store when i % OWN_SHARE = 0 and i < small, so
 * the store's receipts are all written in the first phase; the rest go to 999 other store ids.
 */
async function insertReceipts(from: number, to: number) {
  for (let start = from; start < to; start += BATCH) {
    const end = Math.min(to, start + BATCH)
    await direct.begin(async (tx) => {
      await tx`create temp table g on commit drop as
        select gen_random_uuid() as id, i,
          ${historyStart}::timestamptz + ((i::bigint * 7919) % ${spanSeconds}) * interval '1 second' as at,
          case when i % ${OWN_SHARE} = 0 and i < ${small} then ${demo.storeId}::uuid
               else md5('store' || (1 + i % ${STORES - 1}))::uuid end as store
        from generate_series(${start}::int, ${end - 1}::int) i`
      await tx`insert into receipt_ids (tenant_id, id, occurred_at) select ${tenant.id}, id, at from g`
      await tx`insert into receipts (tenant_id, id, occurred_at, number, store_id, terminal_id, shift_id,
          subtotal, discount, tax, total, paid, change)
        select ${tenant.id}, id, at, i + 1, store, ${demo.terminalId}, ${shift?.id}, 2000, 0, 214, 2000, 2000, 0 from g`
      await tx`insert into receipt_items (tenant_id, occurred_at, receipt_id, line_no, product_id, name,
          quantity, price, discount, total, tax_rate, tax)
        select ${tenant.id}, at, id, line, (${products}::uuid[])[1 + (i + line) % ${products.length}], 'item',
          1, 1000, 0, 1000, 1200, 107
        from g, generate_series(1, 2) line`
      await tx`insert into payments (tenant_id, occurred_at, receipt_id, store_id, method, amount)
        select ${tenant.id}, at, id, store, case when i % 3 = 0 then 'cash' else 'card' end, 2000 from g`
    })
    process.stderr.write(`\r[report-scaling] ${end.toLocaleString('en')} receipts   `)
  }
  process.stderr.write('\n')
  for (const table of ['receipt_ids', 'receipts', 'receipt_items', 'payments'])
    await direct.unsafe(`analyze ${table}`)
}

type Timing = { groupBy: string; medianMs: number; p95Ms: number; rows: number; storeReceipts: number }

async function timeReports(): Promise<Timing[]> {
  const out: Timing[] = []
  for (const groupBy of ['day', 'product', 'paymentMethod']) {
    const path = `/api/v1/reports/sales?storeId=${demo.storeId}&from=${day(monthStart)}&to=${day(monthEnd)}&groupBy=${groupBy}`
    const call = async () => {
      const res = await app.handle(
        new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${apiKey}` } }),
      )
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
      return (await res.json()) as { rows?: unknown[]; totals?: { receipts?: number } }
    }
    const body = await call()
    const ms: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now()
      await call()
      ms.push(performance.now() - started)
    }
    ms.sort((a, b) => a - b)
    const at = (p: number) => Math.round(percentile(ms, p) * 100) / 100
    out.push({
      groupBy,
      medianMs: at(50),
      p95Ms: at(95),
      rows: body.rows?.length ?? 0,
      storeReceipts: body.totals?.receipts ?? 0,
    })
  }
  return out
}

const started = Date.now()
await insertReceipts(0, small)
const atSmall = await timeReports()
await insertReceipts(small, large)
const atLarge = await timeReports()

const growth = atSmall.map((s, i) => {
  const l = atLarge[i] as Timing
  return {
    groupBy: s.groupBy,
    smallMs: s.medianMs,
    largeMs: l.medianMs,
    ratio: Math.round((l.medianMs / s.medianMs) * 100) / 100,
  }
})
const worst = Math.max(...growth.map((g) => g.ratio))
const report = {
  at: new Date().toISOString(),
  tenantReceipts: { small, large },
  store: demo.storeId,
  month: [day(monthStart), day(monthEnd)],
  runsPerReport: RUNS,
  small: atSmall,
  large: atLarge,
  growth,
  maxGrowth: MAX_GROWTH,
  ok: worst <= MAX_GROWTH,
  seconds: Math.round((Date.now() - started) / 1000),
}
const md = [
  `# Report time against history size`,
  '',
  `${report.at} · one store, ${report.month.join(' – ')}, median of ${RUNS} in-process requests each`,
  '',
  `| groupBy | ${small.toLocaleString('en')} receipts (ms) | ${large.toLocaleString('en')} receipts (ms) | × |`,
  '|---|---:|---:|---:|',
  ...growth.map((g) => `| ${g.groupBy} | ${g.smallMs} | ${g.largeMs} | ${g.ratio} |`),
  '',
  `Limit ${MAX_GROWTH}×: ${report.ok ? 'met' : 'EXCEEDED'}.`,
  '',
].join('\n')
const dir = join(import.meta.dir, 'results')
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'report-scaling.json'), `${JSON.stringify(report, null, 2)}\n`)
writeFileSync(join(dir, 'report-scaling.md'), md)
console.log(md)
await Promise.allSettled([direct.end(), database.close()])
process.exit(report.ok ? 0 : 1)
