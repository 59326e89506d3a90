// Bulk loading of the benchmark data set, entirely in SQL (INSERT … SELECT generate_series), so
// millions of rows never cross the wire. Randomness is hashint8extended(x, seed): the same
// parameters give the same rows. Runs on one direct connection (past PgBouncer): it uses temp
// functions and tables, which need a session.
import type postgres from 'postgres'
import { type NameRow, namespaceOf, productNames, type SeedParams } from './bench-data'
import type { Progress } from './bench-progress'
import { CATALOG } from './names'

type Sql = postgres.Sql
const CHUNK_PRODUCTS = 50_000
const CHUNK_RECEIPTS = 20_000

/**
 * Session helpers: ids (md5 of a key, shaped as a version-4 UUID because the API validates the
 * format), hashed picks, and EAN-13 codes.
 */
async function createHelpers(sql: Sql, seed: number) {
  // The seed is a validated integer, so inlining it into the function body is safe.
  await sql.unsafe(`
    create or replace function pg_temp.pick(x bigint, salt bigint, m bigint) returns bigint
      language sql immutable as $$ select ((hashint8extended(x * 16 + salt, ${seed}) % m) + m) % m $$;
    create or replace function pg_temp.bid(key text) returns uuid
      language sql immutable as $$ select overlay(overlay(md5(key) placing '4' from 13) placing '8' from 17)::uuid $$;
    create or replace function pg_temp.ean(first12 bigint) returns text
      language sql immutable as $$
        select first12::text || ((10 - sum(substr(first12::text, i, 1)::int * (2 * (1 - i % 2) + 1)) % 10) % 10)::text
        from generate_series(1, 12) i $$;
    drop table if exists pg_temp.bench_names;
    create temp table bench_names (i int primary key, name text, price bigint, unit text, category int);
  `)
  const names = productNames()
  await sql.unsafe(
    `insert into bench_names select * from json_to_recordset($1::text::json)
       as x(i int, name text, price bigint, unit text, category int)`,
    [JSON.stringify(names.map((n: NameRow, i) => ({ i, ...n })))],
  )
  return names.length
}

export type LoadResult = { namespace: string; start: Date; end: Date; alreadyLoaded: boolean }

/** Loads everything the parameters describe, unless the same data set is already there. */
export async function loadBenchData(sql: Sql, p: SeedParams, progress: Progress): Promise<LoadResult> {
  const ns = namespaceOf(p)
  const T = p.tenants
  const S = p.storesPerTenant
  const K = p.terminalsPerStore
  const TT = T * S * K
  const nameCount = await createHelpers(sql, p.seed)
  const [exists] = await sql.unsafe(`select 1 from tenants where id = pg_temp.bid($1::text || ':t:' || 0)`, [
    ns,
  ])
  const [range] = await sql.unsafe<{ start: Date; end: Date }[]>(
    `select date_trunc('day', now()) - make_interval(months => $1::int) as start, date_trunc('day', now()) as end`,
    [p.months],
  )
  if (!range) throw new Error('no time range')
  if (exists) {
    // The last step sets every terminal's receipt counter (benchmark sales only add to them): a sum
    // below the preset's receipts is an interrupted load, which would otherwise be reused as complete.
    const [done] = await sql.unsafe<{ n: string }[]>(
      `select coalesce(sum(k.receipt_seq), 0)::text as n from terminals k
       join generate_series(0, $2::bigint - 1) t on k.tenant_id = pg_temp.bid($1::text || ':t:' || t)`,
      [ns, T],
    )
    if (Number(done?.n) < p.receipts)
      throw new Error(
        `data set ${ns} is incomplete (an earlier load was interrupted); load it into empty services`,
      )
    return { namespace: ns, start: range.start, end: range.end, alreadyLoaded: true }
  }

  // History goes back `months`, the opening stock a day earlier: every row gets a real partition.
  await sql.unsafe('select pos_ensure_partitions($1::int, 3)', [p.months + 1])

  const tid = (t: string) => `pg_temp.bid($1::text || ':t:' || ${t})`
  // The history holds no counts, so the trigger letting a count absorb older movements (migration
  // 0009) has nothing to do; its probe per movement would cost as much as the load itself.
  const countTrigger = (action: 'disable' | 'enable') =>
    sql.unsafe(`alter table stock_movements ${action} trigger stock_movements_count_absorbs`)
  await countTrigger('disable')
  try {
    progress.phase('tenants, stores, terminals', 1)
    await sql.begin(async (tx) => {
      await tx.unsafe(
        `insert into tenants (id, name) select ${tid('t')}, 'Бенч ' || (t + 1) from generate_series(0, $2::bigint - 1) t;`,
        [ns, T],
      )
      await tx.unsafe(
        `insert into settings (tenant_id) select ${tid('t')} from generate_series(0, $2::bigint - 1) t`,
        [ns, T],
      )
      await tx.unsafe(
        `insert into warehouses (tenant_id, id, name)
       select ${tid('t')}, pg_temp.bid($1::text || ':w:' || t || ':' || j), 'Склад ' || (j + 1)
       from generate_series(0, $2::bigint - 1) t, generate_series(0, $3::bigint - 1) j`,
        [ns, T, S],
      )
      await tx.unsafe(
        `insert into stores (tenant_id, id, name, timezone, warehouse_id)
       select ${tid('t')}, pg_temp.bid($1::text || ':s:' || t || ':' || j), 'Магазин №' || (j + 1), 'Asia/Tashkent',
              pg_temp.bid($1::text || ':w:' || t || ':' || j)
       from generate_series(0, $2::bigint - 1) t, generate_series(0, $3::bigint - 1) j`,
        [ns, T, S],
      )
      await tx.unsafe(
        `update warehouses w set store_id = pg_temp.bid($1::text || ':s:' || x.t || ':' || x.j)
       from (select t, j from generate_series(0, $2::bigint - 1) t, generate_series(0, $3::bigint - 1) j) x
       where w.tenant_id = pg_temp.bid($1::text || ':t:' || x.t) and w.id = pg_temp.bid($1::text || ':w:' || x.t || ':' || x.j)`,
        [ns, T, S],
      )
      // Terminal g (global) belongs to tenant g / (S·K), store (g % (S·K)) / K.
      await tx.unsafe(
        `insert into terminals (tenant_id, id, store_id, name)
       select ${tid('(g / ($2::bigint * $3::bigint))')}, pg_temp.bid($1::text || ':k:' || g),
              pg_temp.bid($1::text || ':s:' || (g / ($2::bigint * $3::bigint)) || ':' || ((g % ($2::bigint * $3::bigint)) / $3::bigint)), 'Касса ' || (g % $3::bigint + 1)
       from generate_series(0, $4::bigint - 1) g`,
        [ns, S, K, TT],
      )
      await tx.unsafe(
        `insert into categories (tenant_id, id, name)
       select ${tid('t')}, pg_temp.bid($1::text || ':c:' || t || ':' || c.i), c.name
       from generate_series(0, $2::bigint - 1) t, json_to_recordset($3::text::json) as c(i int, name text)`,
        [ns, T, JSON.stringify(CATALOG.map((c, i) => ({ i, name: c.category })))],
      )
      // One closed shift per terminal and month of history, and an open one on every register of
      // tenant 0 (the benchmark's tenant) for the receipt scenarios.
      await tx.unsafe(
        `insert into shifts (tenant_id, id, store_id, terminal_id, status, opening_cash, counted_cash, opened_at, closed_at)
       select ${tid('(g / ($2::bigint * $3::bigint))')}, pg_temp.bid($1::text || ':sh:' || g || ':' || mo),
              pg_temp.bid($1::text || ':s:' || (g / ($2::bigint * $3::bigint)) || ':' || ((g % ($2::bigint * $3::bigint)) / $3::bigint)), pg_temp.bid($1::text || ':k:' || g),
              'closed', 0, 0, $6::timestamptz + ($7::timestamptz - $6::timestamptz) * mo / $5::bigint,
              $6::timestamptz + ($7::timestamptz - $6::timestamptz) * (mo + 1) / $5::bigint
       from generate_series(0, $4::bigint - 1) g, generate_series(0, $5::bigint - 1) mo`,
        [ns, S, K, TT, p.months, range.start, range.end],
      )
      await tx.unsafe(
        `insert into shifts (tenant_id, id, store_id, terminal_id, status, opening_cash, opened_at)
       select ${tid('0')}, pg_temp.bid($1::text || ':open:' || g), pg_temp.bid($1::text || ':s:0:' || (g / $3::bigint)),
              pg_temp.bid($1::text || ':k:' || g), 'open', 0, $4::timestamptz
       from generate_series(0, $2::bigint * $3::bigint - 1) g`,
        [ns, S, K, range.end],
      )
    })
    progress.tick(1)

    progress.phase('products, barcodes, stock', p.products)
    for (let g0 = 0; g0 < p.products; g0 += CHUNK_PRODUCTS) {
      const g1 = Math.min(p.products, g0 + CHUNK_PRODUCTS)
      await sql.begin(async (tx) => {
        const span = `(select g, g % $2::bigint as t, g / $2::bigint as n from generate_series($3::bigint, $4::bigint - 1) g) x`
        await tx.unsafe(
          `insert into products (tenant_id, id, sku, name, category_id, price, cost, unit, tax_rate)
         select ${tid('x.t')}, pg_temp.bid($1::text || ':p:' || x.t || ':' || x.n), 'B-' || lpad(x.n::text, 7, '0'),
                nm.name, pg_temp.bid($1::text || ':c:' || x.t || ':' || nm.category), nm.price,
                round(nm.price * 0.78 / 100) * 100, nm.unit,
                case when pg_temp.pick(x.g, 2, 20) = 0 then 0 else 1200 end
         from ${span} join bench_names nm on nm.i = pg_temp.pick(x.g, 1, $5::bigint)`,
          [ns, T, g0, g1, nameCount],
        )
        await tx.unsafe(
          `insert into product_barcodes (tenant_id, barcode, product_id)
         select ${tid('x.t')}, pg_temp.ean(478000000000 + x.t * 1000000 + x.n), pg_temp.bid($1::text || ':p:' || x.t || ':' || x.n)
         from ${span}`,
          [ns, T, g0, g1],
        )
        // Opening stock: one receive movement per product and warehouse, so that movements sum to levels.
        await tx.unsafe(
          `insert into stock_movements (tenant_id, id, occurred_at, warehouse_id, product_id, type, quantity, reason)
         select ${tid('x.t')}, pg_temp.bid($1::text || ':rcv:' || x.t || ':' || j || ':' || x.n), $5::timestamptz - interval '1 day',
                pg_temp.bid($1::text || ':w:' || x.t || ':' || j), pg_temp.bid($1::text || ':p:' || x.t || ':' || x.n),
                'receive', 500 + pg_temp.pick(x.g, 3 + j, 1500), 'начальный остаток'
         from ${span}, generate_series(0, $6::bigint - 1) j`,
          [ns, T, g0, g1, range.start, S],
        )
        await tx.unsafe(
          `insert into stock (tenant_id, warehouse_id, product_id, quantity)
         select ${tid('x.t')}, pg_temp.bid($1::text || ':w:' || x.t || ':' || j), pg_temp.bid($1::text || ':p:' || x.t || ':' || x.n), 0
         from ${span}, generate_series(0, $5::bigint - 1) j`,
          [ns, T, g0, g1, S],
        )
      })
      progress.tick(g1 - g0)
    }

    progress.phase('receipts, items, payments, movements', p.receipts)
    for (let r0 = 0; r0 < p.receipts; r0 += CHUNK_RECEIPTS) {
      const r1 = Math.min(p.receipts, r0 + CHUNK_RECEIPTS)
      await loadReceipts(sql, p, ns, r0, r1, range)
      progress.tick(r1 - r0)
    }
  } finally {
    await countTrigger('enable')
  }

  progress.phase('stock levels, counters, statistics', 1)
  await sql.unsafe(
    `update stock s set quantity = m.q, updated_at = now()
     from (select tenant_id, warehouse_id, product_id, sum(quantity) q from stock_movements
           where tenant_id = any(array(select pg_temp.bid($1::text || ':t:' || t) from generate_series(0, $2::bigint - 1) t))
           group by 1, 2, 3) m
     where s.tenant_id = m.tenant_id and s.warehouse_id = m.warehouse_id and s.product_id = m.product_id`,
    [ns, T],
  )
  // Receipt r went to terminal r % TT as its number r / TT + 1, so a terminal's counter is its count.
  await sql.unsafe(
    `update terminals k set receipt_seq = $3::bigint / $2::bigint + (g < $3::bigint % $2::bigint)::int
     from generate_series(0, $2::bigint - 1) g
     where k.tenant_id = pg_temp.bid($1::text || ':t:' || (g / $4::bigint)) and k.id = pg_temp.bid($1::text || ':k:' || g)`,
    [ns, TT, p.receipts, S * K],
  )
  // Vacuumed (visibility maps set, statistics fresh) and flushed here, so that neither autovacuum's
  // pass over millions of fresh rows nor the checkpoint writing them runs during the measurements.
  await sql.unsafe('vacuum (analyze)')
  await sql.unsafe('checkpoint').catch((error: Error) => console.warn(`no checkpoint: ${error.message}`))
  progress.tick(1)
  return { namespace: ns, start: range.start, end: range.end, alreadyLoaded: false }
}

/**
 * Receipts r0..r1-1: receipt r is sold at terminal r % TT, at an instant spread evenly over the
 * history, with 1–5 lines of the tenant's products; totals, tax, payments and stock movements are
 * derived from those lines exactly as the service computes them (tax-inclusive prices).
 */
async function loadReceipts(
  sql: Sql,
  p: SeedParams,
  ns: string,
  r0: number,
  r1: number,
  range: { start: Date; end: Date },
) {
  const S = p.storesPerTenant
  const K = p.terminalsPerStore
  const TT = p.tenants * S * K
  await sql.begin(async (tx) => {
    await tx.unsafe(
      `create temp table bench_lines on commit drop as
       with rc as (
         select r, g, g / ($2::bigint * $3::bigint) as t, (g % ($2::bigint * $3::bigint)) / $3::bigint as j, floor((r + 0.5) * $5::bigint / $6::bigint)::int as mo,
                $7::timestamptz + ($8::timestamptz - $7::timestamptz) * ((r + 0.5) / $6::bigint)::float8 as at
         from (select r, r % $4::bigint as g from generate_series($9::bigint, $10::bigint - 1) r) x),
       lines as (
         select rc.*, l, pg_temp.pick(rc.r * 8 + l, 4, $11::bigint / $12::bigint + (rc.t < $11::bigint % $12::bigint)::int) as n
         from rc, generate_series(1, 1 + pg_temp.pick(rc.r, 7, 5)::int) l)
       select lines.*, pg_temp.bid($1::text || ':t:' || lines.t) as tenant_id, pg_temp.bid($1::text || ':r:' || r) as receipt_id,
              pg_temp.bid($1::text || ':s:' || t || ':' || j) as store_id, pg_temp.bid($1::text || ':w:' || t || ':' || j) as warehouse_id,
              pg_temp.bid($1::text || ':k:' || g) as terminal_id, pg_temp.bid($1::text || ':sh:' || g || ':' || mo) as shift_id,
              pr.id as product_id, pr.name, pr.price, pr.tax_rate, pg_temp.ean(478000000000 + t * 1000000 + n) as barcode,
              q.qty, round(pr.price * q.qty)::bigint as total,
              round(round(pr.price * q.qty) * pr.tax_rate / (10000.0 + pr.tax_rate))::bigint as tax
       from lines
       join products pr on pr.tenant_id = pg_temp.bid($1::text || ':t:' || lines.t)
                       and pr.id = pg_temp.bid($1::text || ':p:' || lines.t || ':' || lines.n),
       lateral (select case when pr.unit = 'kg' then round(0.2 + pg_temp.pick(r * 8 + l, 5, 2300) / 1000.0, 3)
                            else (1 + pg_temp.pick(r * 8 + l, 6, 3))::numeric end as qty) q`,
      [ns, S, K, TT, p.months, p.receipts, range.start, range.end, r0, r1, p.products, p.tenants],
    )
    await tx.unsafe(`insert into receipt_ids (tenant_id, id, occurred_at)
      select distinct tenant_id, receipt_id, at from bench_lines`)
    await tx.unsafe(
      `insert into receipts (tenant_id, id, occurred_at, number, store_id, terminal_id, shift_id, status,
                             subtotal, discount, tax, total, paid, change, created_at)
       select tenant_id, receipt_id, at, (r / $1::bigint + 1)::int, store_id, terminal_id, shift_id, 'completed',
              sum(total), 0, sum(tax), sum(total), sum(total), 0, at
       from bench_lines group by tenant_id, receipt_id, at, r, store_id, terminal_id, shift_id`,
      [TT],
    )
    await tx.unsafe(
      `insert into receipt_items (tenant_id, id, occurred_at, receipt_id, line_no, product_id, barcode, name,
                                  quantity, price, discount, total, tax_rate, tax)
       select tenant_id, pg_temp.bid($1::text || ':ri:' || r || ':' || l), at, receipt_id, l, product_id, barcode, name,
              qty, price, 0, total, tax_rate, tax
       from bench_lines`,
      [ns],
    )
    await tx.unsafe(
      `insert into payments (tenant_id, id, occurred_at, receipt_id, shift_id, store_id, method, amount)
       select tenant_id, pg_temp.bid($1::text || ':pay:' || r), at, receipt_id, shift_id, store_id,
              case when pg_temp.pick(r, 8, 10) < 4 then 'cash' when pg_temp.pick(r, 8, 10) < 9 then 'card'
                   else 'transfer' end,
              sum(total)
       from bench_lines group by tenant_id, receipt_id, at, r, shift_id, store_id`,
      [ns],
    )
    await tx.unsafe(
      `insert into stock_movements (tenant_id, id, occurred_at, warehouse_id, product_id, type, quantity, receipt_id)
       select tenant_id, pg_temp.bid($1::text || ':sm:' || r || ':' || l), at, warehouse_id, product_id, 'sale', -qty, receipt_id
       from bench_lines`,
      [ns],
    )
  })
}
