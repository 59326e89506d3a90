import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { rows } from '../../infra/db'
import { startTestApp, type TestApp, usingPostgres } from '../../testing/harness'
import { type SellingTenant, sellingTenant } from './sales-fixture'

// Crash safety: SIGKILL the API process in the middle of a load of sales, restart it, and retry
// every request that got no answer with its same Idempotency-Key. Every sale is then recorded
// exactly once, and stock agrees with the receipts.

let t: TestApp
let s: SellingTenant
const entry = join(import.meta.dir, '../../index.ts')
const port = 39_400 + Math.floor(Math.random() * 500)

const startServer = () =>
  Bun.spawn([process.execPath, entry], {
    env: {
      ...process.env,
      PORT: String(port),
      MIGRATE: 'false',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'error',
      RATE_LIMIT_PER_SECOND: '0',
    },
    stdout: 'ignore',
    stderr: 'inherit',
  })

async function waitReady() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) return
    } catch {}
    await Bun.sleep(100)
  }
  throw new Error('server did not become ready')
}

beforeAll(async () => {
  if (!usingPostgres) return
  t = await startTestApp()
  s = await sellingTenant(t)
})
afterAll(() => t?.close())

describe.skipIf(!usingPostgres)('crash safety', () => {
  test('SIGKILL mid-load, restart, retry the unanswered with their keys: every sale exactly once', async () => {
    const shiftId = await s.openShift()
    const product = s.products[1] as SellingTenant['products'][number]
    const stockBefore = Number(await s.stockOf(product.id))
    const requests = Array.from({ length: 400 }, (_, i) => ({
      key: crypto.randomUUID(),
      body: JSON.stringify({
        shiftId,
        items: [{ productId: product.id, quantity: (i % 3) + 1 }],
        payments: [{ method: 'card', amount: product.price * ((i % 3) + 1) }],
      }),
    }))
    const send = (r: (typeof requests)[number]) =>
      fetch(`http://127.0.0.1:${port}/api/v1/receipts`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${s.till}`,
          'content-type': 'application/json',
          'idempotency-key': r.key,
        },
        body: r.body,
      }).then(
        (res) => res.status,
        () => 0,
      )

    let server = startServer()
    await waitReady()
    const answered = new Map<string, number>()
    let next = 0
    let killed = false
    const worker = async () => {
      while (next < requests.length) {
        const r = requests[next++] as (typeof requests)[number]
        const status = await send(r)
        if (status > 0) answered.set(r.key, status)
        if (!killed && answered.size >= 120) {
          killed = true
          server.kill('SIGKILL')
        }
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker))
    await server.exited
    expect(killed).toBe(true)
    const unanswered = requests.filter((r) => !answered.has(r.key))
    expect(unanswered.length).toBeGreaterThan(0)
    expect([...answered.values()].every((st) => st === 201)).toBe(true)

    server = startServer()
    try {
      await waitReady()
      for (const r of unanswered) expect(await send(r)).toBe(201)
    } finally {
      server.kill('SIGTERM')
      await server.exited
    }

    const [count] = await rows<{ n: number; sold: string }>(
      t.db,
      sql`select count(distinct r.id)::int as n, coalesce(sum(i.quantity), 0)::text as sold
        from receipts r join receipt_items i on i.tenant_id = r.tenant_id and i.receipt_id = r.id and i.occurred_at = r.occurred_at
        where r.tenant_id = ${s.tenantId} and r.shift_id = ${shiftId}`,
    )
    expect(count?.n).toBe(requests.length)
    expect(Number(await s.stockOf(product.id))).toBe(stockBefore - Number(count?.sold))
    const [keys] = await rows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from idempotency_keys where tenant_id = ${s.tenantId} and response_status = 201
        and key in (select jsonb_array_elements_text(${JSON.stringify(requests.map((r) => r.key))}::jsonb))`,
    )
    expect(keys?.n).toBe(requests.length)
  }, 60_000)
})
