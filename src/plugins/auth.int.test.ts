import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { createInvalidationBus } from '../infra/invalidation-bus'
import { createApiKey } from '../modules/admin/service'
import { startTestApp, type TestApp, usingPostgres } from '../testing/harness'
import { createAuth } from './auth'

// A key being verified (its row read) while it is revoked must not be cached as valid afterwards.
// The read is held behind a table lock on real PostgreSQL while the revocation is heard.

let t: TestApp
beforeAll(async () => {
  if (usingPostgres) t = await startTestApp()
})
afterAll(() => t?.close())

describe.skipIf(!usingPostgres)('API key verification racing a revocation', () => {
  test('a key revoked while its row is read is not remembered', async () => {
    const { tenant } = await t.newTenant()
    const issued = await createApiKey(t.database.db, tenant.id, { scopes: ['catalog:read'] })
    const auth = createAuth({ db: t.database.db, bus: createInvalidationBus({}) })
    let verifying: ReturnType<typeof auth.verify> | undefined
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`lock table api_keys in access exclusive mode`)
      verifying = auth.verify(issued.key)
      // The read now waits on the lock; the revocation is heard meanwhile.
      for (let waiting = 0; waiting === 0; await Bun.sleep(10)) {
        const [row] = await t.database.rows<{ n: number }>(
          sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%api_keys%'`,
        )
        waiting = row?.n ?? 0
      }
      await auth.revoke(tenant.id, issued.id)
    })
    // Read before the revocation committed: this request's answer stands...
    expect((await verifying)?.keyId).toBe(issued.id)
    // ...but the key is not served from the cache afterwards.
    expect(auth.cached(`Bearer ${issued.key}`)).toBeUndefined()
  })
})
