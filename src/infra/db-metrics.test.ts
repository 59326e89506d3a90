import { describe, expect, test } from 'bun:test'
import type postgres from 'postgres'
import { instrumentPostgres } from './db-metrics'
import { dbQueryDuration, registry } from './metrics'

// The statement timer wraps the `then` of postgres.js's lazy queries. A stand-in with the same
// shape (a Promise subclass that starts executing on its first `then`, with modifiers such as
// `.values()` returning the query itself) checks what callers rely on: every awaiter gets the
// outcome, failures reject every awaiter, a statement is timed once, and nothing stays in flight.

class LazyQuery extends Promise<unknown> {
  static override get [Symbol.species]() {
    return Promise
  }
  executions = 0
  arrays = false
  private started = false
  private finish: ((value: unknown) => void) | undefined
  private fail: ((error: unknown) => void) | undefined

  constructor(private readonly outcome: (arrays: boolean) => unknown) {
    let finish: ((value: unknown) => void) | undefined
    let fail: ((error: unknown) => void) | undefined
    super((resolve, reject) => {
      finish = resolve
      fail = reject
    })
    this.finish = finish
    this.fail = fail
  }

  values() {
    this.arrays = true
    return this
  }

  // biome-ignore lint/suspicious/noThenProperty: the stand-in mimics postgres.js's lazy then
  override then<A = unknown, B = never>(
    onFulfilled?: ((value: unknown) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    if (!this.started) {
      this.started = true
      this.executions++
      queueMicrotask(() => {
        try {
          this.finish?.(this.outcome(this.arrays))
        } catch (error) {
          this.fail?.(error)
        }
      })
    }
    return super.then(onFulfilled, onRejected)
  }
}

const queries: LazyQuery[] = []
const client = {
  unsafe(text: string) {
    const query = new LazyQuery((arrays) => {
      if (text.includes('fail')) throw new Error(`failed: ${text}`)
      return arrays ? [[text]] : [{ text }]
    })
    queries.push(query)
    return query
  },
} as unknown as postgres.Sql
const { sql } = instrumentPostgres(client, 5)

const timedCount = async (table: string) => {
  const { values } = await dbQueryDuration.get()
  const count = values.find(
    (v) => v.metricName === 'db_query_duration_seconds_count' && v.labels.table === table,
  )
  return count?.value ?? 0
}
const inUse = async () => {
  const gauge = (await registry.getSingleMetric('db_pool_connections')?.get())?.values ?? []
  return gauge
    .filter((v) => v.labels.state === 'in_use' || v.labels.state === 'waiting')
    .reduce((sum, v) => sum + v.value, 0)
}

describe('statement timing', () => {
  test('a statement awaited twice runs and is timed once; both awaiters get its rows', async () => {
    const before = await inUse()
    const query = sql.unsafe('select * from timed_twice') as unknown as Promise<unknown>
    const [a, b] = await Promise.all([query, query])
    expect(a).toEqual([{ text: 'select * from timed_twice' }])
    expect(b).toEqual(a)
    expect(queries.at(-1)?.executions).toBe(1)
    expect(await timedCount('timed_twice')).toBe(1)
    expect(await inUse()).toBe(before)
  })

  test('a modifier applied after creation still shapes the execution (drizzle calls .values())', async () => {
    const rows = await (sql.unsafe('select * from timed_values') as unknown as LazyQuery).values()
    expect(rows).toEqual([['select * from timed_values']])
  })

  test('a failure rejects every awaiter, `.catch` first included, and is timed once', async () => {
    const before = await inUse()
    const query = sql.unsafe('select fail from timed_failure')
    const caught = query.catch((error: Error) => error.message)
    await expect(query).rejects.toThrow('failed: select fail from timed_failure')
    expect(await caught).toBe('failed: select fail from timed_failure')
    expect(await timedCount('timed_failure')).toBe(1)
    expect(await inUse()).toBe(before)
  })

  test('a statement never awaited never runs and is not counted in flight', async () => {
    const before = await inUse()
    sql.unsafe('select * from timed_never')
    await Bun.sleep(1)
    expect(queries.at(-1)?.executions).toBe(0)
    expect(await timedCount('timed_never')).toBe(0)
    expect(await inUse()).toBe(before)
  })
})
