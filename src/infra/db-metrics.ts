import type postgres from 'postgres'
import { dbQueryDuration, trackPool } from './metrics'

// Statement timing for the postgres.js client: every `unsafe` call (drizzle's only way in, and
// literalRows'), inside transactions too, is timed from its first await to its settlement and
// labelled with its operation and main table (parsed once per distinct statement text). Statements
// in flight feed the pool gauge, which is read at scrape.

type Observer = { observe(seconds: number): void }
type Callback = ((value: unknown) => unknown) | null | undefined
type Thenable = { then(onFulfilled?: Callback, onRejected?: Callback): unknown }
/** The histogram series of each statement text, and of each pos_ function whatever its arguments. */
const seriesOf = new Map<string, Observer>()
const series = (operation: string, table: string) => dbQueryDuration.child({ operation, table })

const FUNCTION = /^\s*select\s+(pos_\w+)\s*\(/i
const TABLE = /\b(?:from|into|update|join)\s+"?(\w+)"?/i

function seriesFor(text: string): Observer {
  let found = seriesOf.get(text)
  if (found) return found
  // A function call is labelled by the function, whatever its arguments (they may be literals).
  const fn = FUNCTION.exec(text)?.[1]
  if (fn) {
    found = seriesOf.get(fn) ?? series('call', fn)
    seriesOf.set(fn, found)
    return found
  }
  const keyword = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? 'other'
  found = series(keyword === 'with' ? 'cte' : keyword, TABLE.exec(text)?.[1] ?? 'none')
  if (seriesOf.size < 5000) seriesOf.set(text, found)
  return found
}

/** The client, timed, and `release` to stop counting its pool (when it is closed). */
export function instrumentPostgres(client: postgres.Sql, max: number) {
  const { pool, release } = trackPool(max)

  const timeQuery = (query: PromiseLike<unknown>, text: string) => {
    const thenable = query as unknown as Thenable
    const then = thenable.then
    let started = 0
    const finish = () => {
      pool.inFlight--
      seriesFor(text).observe((performance.now() - started) / 1000)
    }
    // postgres.js queries run when first awaited; `.values()` returns the same object, so the
    // wrapped `then` sees the real execution. The first awaiter's callbacks record the duration:
    // one reaction per statement rather than one more of its own.
    // biome-ignore lint/suspicious/noThenProperty: timing a lazy postgres.js query means wrapping its own then
    thenable.then = (onFulfilled, onRejected) => {
      if (started !== 0) return then.call(thenable, onFulfilled, onRejected)
      started = performance.now()
      pool.inFlight++
      return then.call(
        thenable,
        (value) => {
          finish()
          return typeof onFulfilled === 'function' ? onFulfilled(value) : value
        },
        (error) => {
          finish()
          if (typeof onRejected === 'function') return onRejected(error)
          throw error
        },
      )
    }
    return query
  }

  const wrap = (sql: postgres.Sql | postgres.TransactionSql): typeof sql => {
    const unsafe = sql.unsafe.bind(sql) as (text: string, ...rest: unknown[]) => PromiseLike<unknown>
    const timedUnsafe = (text: string, ...rest: unknown[]) => timeQuery(unsafe(text, ...rest), text)
    return new Proxy(sql, {
      get(target, prop, receiver) {
        if (prop === 'unsafe') return timedUnsafe
        const value = Reflect.get(target, prop, receiver)
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
  }
  return { sql: wrap(client) as postgres.Sql, release }
}
