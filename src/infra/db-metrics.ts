import type postgres from 'postgres'
import { dbQueryDuration, trackPool } from './metrics'

// Statement timing for the postgres.js client drizzle uses: every `unsafe` call (drizzle's only
// way in), inside transactions too, is timed from its first await to its settlement and labelled
// with its operation and main table (parsed once per distinct statement text). Statements in flight
// feed the pool gauge, which is read at scrape.

type Labels = { operation: string; table: string }
const labelsOf = new Map<string, Labels>()

const FUNCTION = /^\s*select\s+(pos_\w+)\s*\(/i
const TABLE = /\b(?:from|into|update|join)\s+"?(\w+)"?/i

function labelsFor(text: string): Labels {
  let labels = labelsOf.get(text)
  if (labels) return labels
  // A function call is labelled by the function, whatever its arguments (they may be literals).
  const fn = FUNCTION.exec(text)?.[1]
  if (fn) {
    labels = labelsOf.get(fn) ?? { operation: 'call', table: fn }
    labelsOf.set(fn, labels)
    return labels
  }
  const keyword = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? 'other'
  labels = { operation: keyword === 'with' ? 'cte' : keyword, table: TABLE.exec(text)?.[1] ?? 'none' }
  if (labelsOf.size < 5000) labelsOf.set(text, labels)
  return labels
}

/** The client, timed, and `release` to stop counting its pool (when it is closed). */
export function instrumentPostgres(client: postgres.Sql, max: number) {
  const { pool, release } = trackPool(max)

  const timeQuery = (query: PromiseLike<unknown>, text: string) => {
    const then = query.then.bind(query)
    let started = 0
    // postgres.js queries run when first awaited; `.values()` returns the same object, so the
    // wrapped `then` sees the real execution.
    // biome-ignore lint/suspicious/noThenProperty: timing a lazy postgres.js query means wrapping its own then
    ;(query as { then: typeof query.then }).then = (onFulfilled, onRejected) => {
      if (started === 0) {
        started = performance.now()
        pool.inFlight++
        const done = () => {
          pool.inFlight--
          dbQueryDuration.observe(labelsFor(text), (performance.now() - started) / 1000)
        }
        then(done, done)
      }
      return then(onFulfilled, onRejected)
    }
    return query
  }

  const wrap = (sql: postgres.Sql | postgres.TransactionSql): typeof sql =>
    new Proxy(sql, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver)
        if (prop === 'unsafe')
          return (text: string, ...rest: unknown[]) =>
            timeQuery((value as (...a: unknown[]) => PromiseLike<unknown>).call(target, text, ...rest), text)
        if (prop === 'begin' || prop === 'savepoint')
          return (...args: unknown[]) => {
            const fn = args.at(-1) as (tx: postgres.TransactionSql) => unknown
            return (value as (...a: unknown[]) => unknown).call(
              target,
              ...args.slice(0, -1),
              (tx: postgres.TransactionSql) => fn(wrap(tx) as postgres.TransactionSql),
            )
          }
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  return { sql: wrap(client) as postgres.Sql, release }
}
