// `bun run db:seed [--preset small|large|tiny] [--tenants T --products P --receipts R --seed N]
// [--fixture FILE]`: loads a deterministic benchmark data set through DATABASE_DIRECT_URL (past
// PgBouncer: bulk loads need a session) and writes the scenarios' fixture (keys, barcodes) as JSON.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import postgres from 'postgres'
import { openDatabase } from '../../src/infra/db'
import { runMigrations } from '../../src/infra/migrate'
import { parseSeedArgs } from './bench-data'
import { buildFixture, type Fixture } from './bench-fixture'
import { loadBenchData } from './bench-load'
import { createProgress } from './bench-progress'

export const DEFAULT_FIXTURE = resolve(import.meta.dir, '../../bench/results/tmp/fixture.json')

export async function seedBench(
  argv: string[],
  env = process.env,
): Promise<{ fixture: Fixture; file: string }> {
  const { params, fixture: fixtureArg } = parseSeedArgs(argv)
  const url = env.DATABASE_DIRECT_URL ?? env.DATABASE_URL
  if (!url)
    throw new Error('db:seed needs DATABASE_DIRECT_URL (or DATABASE_URL): it loads PostgreSQL, not PGlite')
  const started = performance.now()
  const database = await openDatabase({ url, dataDir: '.data', poolSize: 2 })
  // One connection for the whole load: the pg_temp helpers live in it. postgres.js would otherwise
  // replace a connection after 30–60 minutes (max_lifetime), in the middle of a large preset.
  const sql = postgres(url, {
    max: 1,
    prepare: false,
    max_lifetime: null,
    idle_timeout: 0,
    onnotice: () => {},
  })
  const progress = createProgress()
  try {
    await runMigrations(database, url)
    const loaded = await loadBenchData(sql, params, progress)
    progress.done()
    if (loaded.alreadyLoaded)
      console.error(`data set ${loaded.namespace} already loaded; creating fresh keys`)
    const fixture = await buildFixture(database.db, sql, params, loaded.namespace)
    const file = resolve(fixtureArg ?? DEFAULT_FIXTURE)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`)
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.error(`seeded ${loaded.namespace} in ${seconds}s; fixture: ${file}`)
    return { fixture, file }
  } finally {
    await Promise.allSettled([sql.end({ timeout: 5 }), database.close()])
  }
}

if (import.meta.main) {
  try {
    await seedBench(process.argv.slice(2))
  } catch (error) {
    console.error(`db:seed: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
}
