import { type SQL, sql } from 'drizzle-orm'
import { rows } from '../../infra/db'
import type { TenantDb } from '../../infra/tenant-db'
import type { Principal } from '../../plugins/auth'
import type { SalesReportQueryInput, SalesReportRowView, SalesReportView } from './model'
import { type Period, reportPeriod } from './window'

// The sales report, straight from the history tables in one statement. Definitions:
//   gross   = Σ receipt totals (after discounts) of receipts sold in the period;
//   refunds = Σ refund totals of refunds made in the period (dated by the refund, not the sale);
//   net     = gross − refunds;   tax = Σ receipt tax − Σ refund tax.
// By product: receipt line totals/tax and refund line amounts/tax. By payment method: sale
// payments with cash net of change (tendered − change) and refund payments by their method; tax
// is shared out over a receipt's (refund's) methods in proportion to their amounts, with
// cumulative rounding so the shares add up to the receipt's tax exactly. Every grouping therefore
// has the same totals. Each table is read through its (tenant, store, occurred_at) index with the
// period's UTC bounds as constants, so only the period's monthly partitions are touched.
// Lines and payments are fetched per receipt (LATERAL … OFFSET 0 keeps that index lookup whatever
// the statistics say: with stale ones the planner otherwise joined a whole month of lines).

type Grouping = NonNullable<SalesReportQueryInput['groupBy']>

/** Conditions and the per-store join for a history table aliased `a` with store_id and occurred_at. */
function scoped(tdb: TenantDb, p: Period, a: string) {
  const x = sql.raw(a)
  const ids = sql.join(
    p.stores.map((s) => sql`${s.storeId}::uuid`),
    sql`, `,
  )
  return {
    join: sql`join b on b.store_id = ${x}.store_id and ${x}.occurred_at >= b.lo and ${x}.occurred_at < b.hi`,
    where: sql`${x}.tenant_id = ${tdb.tenantId} and ${x}.store_id in (${ids})
      and ${x}.occurred_at >= ${p.minLo}::timestamptz and ${x}.occurred_at < ${p.maxHi}::timestamptz`,
  }
}

/** Pieces of one grouping: `sales(key, receipts, gross, tax)` and `ref(key, refunds, tax)` CTE bodies. */
function grouped(tdb: TenantDb, p: Period, by: Grouping): { sales: SQL; ref: SQL } {
  const r = scoped(tdb, p, 'r')
  const f = scoped(tdb, p, 'f')
  if (by === 'day')
    return {
      sales: sql`select (r.occurred_at at time zone b.tz)::date::text as key, count(*) as receipts,
          sum(r.total) as gross, sum(r.tax) as tax
        from receipts r ${r.join} where ${r.where} group by 1`,
      ref: sql`select (f.occurred_at at time zone b.tz)::date::text as key, sum(f.total) as refunds, sum(f.tax) as tax
        from refunds f ${f.join} where ${f.where} group by 1`,
    }
  if (by === 'product')
    return {
      sales: sql`select i.product_id::text as key, count(distinct i.receipt_id) as receipts,
          sum(i.total) as gross, sum(i.tax) as tax
        from receipts r ${r.join}
        cross join lateral (
          select i.product_id, i.receipt_id, i.total, i.tax from receipt_items i
          where i.tenant_id = r.tenant_id and i.receipt_id = r.id and i.occurred_at = r.occurred_at
            and i.occurred_at >= ${p.minLo}::timestamptz and i.occurred_at < ${p.maxHi}::timestamptz
          offset 0) i
        where ${r.where}
        group by 1`,
      ref: sql`select ri.product_id::text as key, sum(ri.amount) as refunds, sum(ri.tax) as tax
        from refunds f ${f.join}
        join refund_items ri on ri.tenant_id = f.tenant_id and ri.refund_id = f.id
        where ${f.where} group by 1`,
    }
  const p1 = scoped(tdb, p, 'p')
  // Per receipt (refund) and method: the amount, cash net of change; the tax shared out cumulatively.
  const tax = sql.raw(
    'coalesce(round(x.tax::numeric * x.cum / nullif(x.total, 0)) - round(x.tax::numeric * (x.cum - x.amount) / nullif(x.total, 0)), 0)',
  )
  return {
    sales: sql`select x.method as key, count(*) as receipts, sum(x.amount) as gross, sum(${tax}) as tax
      from (
        select m.*, sum(m.amount) over (partition by m.owner order by m.method) as cum
        from (
          select p.receipt_id as owner, p.method,
            sum(p.amount) - case when p.method = 'cash' then max(r.change) else 0 end as amount,
            max(r.total) as total, max(r.tax) as tax
          from receipts r ${r.join}
          cross join lateral (
            select p.receipt_id, p.method, p.amount from payments p
            where p.tenant_id = r.tenant_id and p.receipt_id = r.id and p.occurred_at = r.occurred_at
              and p.refund_id is null
              and p.occurred_at >= ${p.minLo}::timestamptz and p.occurred_at < ${p.maxHi}::timestamptz
            offset 0) p
          where ${r.where}
          group by p.receipt_id, p.method
        ) m
      ) x
      group by 1`,
    ref: sql`select x.method as key, sum(x.amount) as refunds, sum(${tax}) as tax
      from (
        select m.*, sum(m.amount) over (partition by m.owner order by m.method) as cum
        from (
          select p.refund_id as owner, p.method, sum(p.amount) as amount, max(f.total) as total, max(f.tax) as tax
          from payments p ${p1.join}
          join refunds f on f.tenant_id = p.tenant_id and f.id = p.refund_id
          where ${p1.where} and p.refund_id is not null
          group by p.refund_id, p.method
        ) m
      ) x
      group by 1`,
  }
}

type Out = {
  kind: 'row' | 'total'
  key: string | null
  receipts: number
  gross: number
  refunds: number
  tax: number
}

/** The report's statement: grouped rows plus one totals row, from one snapshot. */
export function salesReportQuery(tdb: TenantDb, p: Period, by: Grouping): SQL {
  const r = scoped(tdb, p, 'r')
  const f = scoped(tdb, p, 'f')
  const g = grouped(tdb, p, by)
  const bounds = sql.join(
    p.stores.map(
      (s) => sql`(${s.storeId}::uuid, ${s.timezone}::text, ${s.lo}::timestamptz, ${s.hi}::timestamptz)`,
    ),
    sql`, `,
  )
  return sql`with b(store_id, tz, lo, hi) as (values ${bounds}),
    sales as (${g.sales}),
    ref as (${g.ref}),
    st as (select count(*) as receipts, coalesce(sum(r.total), 0) as gross, coalesce(sum(r.tax), 0) as tax
      from receipts r ${r.join} where ${r.where}),
    ft as (select coalesce(sum(f.total), 0) as refunds, coalesce(sum(f.tax), 0) as tax
      from refunds f ${f.join} where ${f.where})
    select 'row' as kind, coalesce(s.key, x.key) as key, coalesce(s.receipts, 0)::int as receipts,
      coalesce(s.gross, 0)::float8 as gross, coalesce(x.refunds, 0)::float8 as refunds,
      (coalesce(s.tax, 0) - coalesce(x.tax, 0))::float8 as tax
    from sales s full join ref x on x.key = s.key
    union all
    select 'total', null, st.receipts::int, st.gross::float8, ft.refunds::float8, (st.tax - ft.tax)::float8
    from st, ft
    order by 1 desc, 2`
}

const keyName = { day: 'day', product: 'productId', paymentMethod: 'method' } as const

export async function salesReport(
  tdb: TenantDb,
  auth: Principal,
  q: SalesReportQueryInput,
): Promise<SalesReportView> {
  const by = q.groupBy ?? 'day'
  const period = await reportPeriod(tdb, auth, q)
  const zero = { receipts: 0, gross: 0, refunds: 0, net: 0, tax: 0 }
  if (period.stores.length === 0) return { rows: [], totals: zero }
  const found = await rows<Out>(tdb.db, salesReportQuery(tdb, period, by))
  const figures = (o: Out) => ({
    receipts: o.receipts,
    gross: o.gross,
    refunds: o.refunds,
    net: o.gross - o.refunds,
    tax: o.tax,
  })
  const total = found.find((o) => o.kind === 'total')
  return {
    rows: found
      .filter((o) => o.kind === 'row')
      .map((o) => ({ [keyName[by]]: o.key, ...figures(o) }) as SalesReportRowView),
    totals: total ? figures(total) : zero,
  }
}
