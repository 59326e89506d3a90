import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The real process, as `bun run start` runs it.

const entry = join(import.meta.dir, 'index.ts')
const cleanEnv = () => {
  const env = { ...process.env }
  for (const k of ['DATABASE_URL', 'DATABASE_DIRECT_URL', 'REDIS_URL', 'PORT', 'WORKERS']) delete env[k]
  return env
}

describe('process', () => {
  test('a bad PORT stops start-up with a message naming the variable', async () => {
    const proc = Bun.spawn([process.execPath, entry], {
      env: { ...cleanEnv(), PORT: 'eighty' },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    expect(await proc.exited).not.toBe(0)
    expect(await new Response(proc.stderr).text()).toContain('PORT')
  })

  test('a bad DATABASE_URL stops start-up with a message naming the variable', async () => {
    const proc = Bun.spawn([process.execPath, entry], {
      env: { ...cleanEnv(), DATABASE_URL: 'mysql://nope' },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    expect(await proc.exited).not.toBe(0)
    expect(await new Response(proc.stderr).text()).toContain('DATABASE_URL')
  })

  test('embedded defaults: first start seeds demo data and the printed key and URL work; SIGTERM drains', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pos-embedded-'))
    const proc = Bun.spawn([process.execPath, entry], {
      env: { ...cleanEnv(), DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
      stdout: 'pipe',
      stderr: 'inherit',
    })
    try {
      const reader = proc.stdout.getReader()
      let banner = ''
      while (!banner.includes('Try: curl')) {
        const { value, done } = await reader.read()
        if (done) break
        banner += new TextDecoder().decode(value)
      }
      reader.releaseLock()
      const curl = /Try: curl -H 'Authorization: Bearer (\S+)' (\S+)/.exec(banner)
      expect(curl).not.toBeNull()
      const [, key, url] = curl as unknown as [string, string, string]
      const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } })
      expect(res.status).toBe(200)
      expect(((await res.json()) as { name: string }).name).toBe('Молоко 3.2% 1 л')
      const swagger = /Swagger UI: (\S+)/.exec(banner)?.[1]
      expect((await fetch(swagger as string)).status).toBe(200)
      // Twice the body limit: answered by our 413 problem, not Bun's bare one.
      const big = await fetch(new URL('/api/v1/products/batch', url), {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: ' '.repeat(2 * 1024 * 1024),
      })
      expect(big.status).toBe(413)
      expect(big.headers.get('content-type')).toContain('application/problem+json')
      proc.kill('SIGTERM')
      expect(await proc.exited).toBe(0)
    } finally {
      proc.kill('SIGKILL')
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
