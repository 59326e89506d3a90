import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { usingPostgres } from '../testing/harness'
import { type Database, literalRows, openDatabase } from './db'

// Statements without parameters (the barcode lookup's, sent by literalRows straight to postgres.js,
// and others through drizzle) and with parameters (everything else, through drizzle),
// many at once over a small pool through PgBouncer in transaction mode: each must get its own
// answer. With postgres.js pipelining the first kind, PgBouncer 1.18 released server connections
// under pipelined statements; answers went missing and requests hung (see withoutPipelining).

describe.skipIf(!usingPostgres)('statements through PgBouncer', () => {
  let database: Database

  beforeAll(async () => {
    database = await openDatabase({ url: process.env.DATABASE_URL, dataDir: '.data', poolSize: 3 })
  })
  afterAll(() => database.close())

  test('concurrent statements with and without parameters each get their own answer', async () => {
    const kinds = ['direct', 'raw', 'param'] as const
    const statement = (i: number) => {
      // A little server time, so statements overlap on every connection.
      const pause = i % 7 === 0 ? 0.004 : 0
      const kind = kinds[i % 3]
      if (kind === 'direct')
        return literalRows<{ v: string }>(database.db, `select 'direct-${i}' as v from pg_sleep(${pause})`)
      if (kind === 'raw')
        return database.rows<{ v: string }>(sql.raw(`select 'raw-${i}' as v from pg_sleep(${pause})`))
      return database.rows<{ v: string }>(sql`select ${`param-${i}`}::text as v from pg_sleep(${pause})`)
    }
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.race([
        Promise.all(Array.from({ length: 200 }, (_, i) => statement(i).then((r) => r[0]?.v))),
        Bun.sleep(10_000).then(() => 'timed out'),
      ])
      expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => `${kinds[i % 3]}-${i}`))
    }
  }, 60_000)
})
