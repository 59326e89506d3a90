import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Subprocess } from 'bun'
import { freePort } from '../bench/processes'
import { ADMIN_TOKEN, usingPostgres } from './testing/harness'

// WORKERS=2 on PostgreSQL without Redis, as `bun run start` runs them: the two processes share the
// port, so each new connection may reach either. A price change or a revoked key on one must reach
// the other's caches (LRU for minutes, verified keys for 30 s) through the primary process.

const ROUNDS = 24
let proc: Subprocess | undefined
let base = ''

/** One request on a connection of its own, so the kernel picks a worker each time. */
const call = async (method: string, path: string, key: string, body?: unknown) => {
  const res = await fetch(base + path, {
    method,
    keepalive: false,
    headers: {
      authorization: `Bearer ${key}`,
      connection: 'close',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}
const everyWorker = async (path: string, key: string) =>
  Promise.all(Array.from({ length: ROUNDS }, () => call('GET', path, key)))

describe.skipIf(!usingPostgres)('WORKERS=2 without Redis', () => {
  beforeAll(async () => {
    const port = freePort()
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKERS: '2',
      WORKER_METRICS_PORT_BASE: String(freePort()),
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_SECOND: '0',
    }
    delete env.REDIS_URL
    proc = Bun.spawn([process.execPath, `${import.meta.dir}/index.ts`], {
      env,
      stdout: 'inherit',
      stderr: 'inherit',
    })
    base = `http://127.0.0.1:${port}`
    for (let i = 0; i < 200; i++) {
      const ready = await fetch(`${base}/health/ready`).catch(() => undefined)
      if (ready?.status === 200) return
      await Bun.sleep(100)
    }
    throw new Error('WORKERS=2 did not become ready')
  }, 30_000)
  afterAll(async () => {
    proc?.kill('SIGTERM')
    await proc?.exited
  })

  test('a price change and a revoked key on one worker reach the other at once', async () => {
    const tenant = await fetch(`${base}/api/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'two workers' }),
    })
    const { apiKey: admin } = (await tenant.json()) as { apiKey: string }
    const barcode = `${Date.now()}`
    const product = await call('POST', '/api/v1/products', admin, {
      sku: 'w-1',
      name: 'Tea',
      price: 1000,
      barcodes: [barcode],
    })
    const reader = await call('POST', '/api/v1/api-keys', admin, { scopes: ['catalog:read'] })
    const path = `/api/v1/products/by-barcode/${barcode}`
    // Both workers now hold the product and the verified key.
    expect(new Set((await everyWorker(path, reader.body.key)).map((r) => r.body.price))).toEqual(
      new Set([1000]),
    )

    expect(
      (await call('PATCH', `/api/v1/products/${product.body.id}`, admin, { price: 1500, version: 1 })).status,
    ).toBe(200)
    expect(new Set((await everyWorker(path, reader.body.key)).map((r) => r.body.price))).toEqual(
      new Set([1500]),
    )

    expect((await call('DELETE', `/api/v1/api-keys/${reader.body.id}`, admin)).status).toBe(204)
    expect(new Set((await everyWorker(path, reader.body.key)).map((r) => r.status))).toEqual(new Set([401]))
  })
})

test.skipIf(!usingPostgres)(
  'a worker that dies at start is respawned with a growing delay, not in a tight loop',
  async () => {
    const child = Bun.spawn([process.execPath, 'src/index.ts'], {
      env: {
        ...process.env,
        PORT: String(freePort()),
        HOST: '127.0.0.1',
        WORKERS: '2',
        WORKER_METRICS_PORT_BASE: String(freePort()),
        // Nothing listens there: every worker fails its migrations and exits.
        DATABASE_URL: `postgres://pos:pos@127.0.0.1:${freePort()}/pos`,
        DATABASE_DIRECT_URL: '',
        REDIS_URL: '',
        LOG_LEVEL: 'fatal',
      },
      stdout: 'ignore',
      stderr: 'pipe',
    })
    await Bun.sleep(6000)
    child.kill('SIGTERM')
    const log = await new Response(child.stderr).text()
    await child.exited
    const restarts = log.match(/exited with .*; restarting/g) ?? []
    // Delays of 0.25, 0.5, 1, 2, 4 s: at most five restarts per worker in 6 s (a tight loop made 29).
    expect(restarts.length).toBeGreaterThanOrEqual(2)
    expect(restarts.length).toBeLessThanOrEqual(12)
  },
  20_000,
)
