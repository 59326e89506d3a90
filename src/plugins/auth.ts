import { and, eq, isNull } from 'drizzle-orm'
import { Elysia } from 'elysia'
import { LRUCache } from 'lru-cache'
import { apiKeys } from '../../db/schema'
import type { Db } from '../infra/db'
import { parseApiKey, secretMatches, tokensEqual } from '../lib/api-key'
import { AppError } from '../lib/errors'
import { hasScope, type Scope } from '../lib/scopes'

export type Principal = {
  tenantId: string
  keyId: string
  scopes: readonly string[]
  storeId: string | null
  terminalId: string | null
  rateLimit: number | null
}

export type AuthOptions = {
  db: Db
  adminToken?: string
  /** How long a verified key is trusted without asking the database again. */
  cacheTtlMs?: number
}

const unauthorized = (detail: string) =>
  new AppError(401, 'UNAUTHORIZED', detail, { headers: { 'www-authenticate': 'Bearer realm="pos"' } })

const bearer = (header: string | null) =>
  header?.startsWith('Bearer ')
    ? header.slice(7).trim()
    : header?.startsWith('bearer ')
      ? header.slice(7).trim()
      : undefined

/**
 * API key authentication and scopes. Verified keys are cached in process (a map probe per request);
 * `revoke` drops a key from this instance's cache at once, and the cache TTL bounds how long any
 * other instance that missed the invalidation keeps it.
 */
export function createAuth({ db, adminToken, cacheTtlMs = 30_000 }: AuthOptions) {
  const cache = new LRUCache<string, Principal | false>({ max: 50_000, ttl: cacheTtlMs })
  const byKeyId = new Map<string, string>()

  async function verify(token: string): Promise<Principal | undefined> {
    const cached = cache.get(token)
    if (cached !== undefined) return cached || undefined
    const parsed = parseApiKey(token)
    if (!parsed) return undefined
    const [row] = await db
      .select()
      .from(apiKeys)
      .where(
        and(eq(apiKeys.tenantId, parsed.tenantId), eq(apiKeys.id, parsed.keyId), isNull(apiKeys.revokedAt)),
      )
    const principal: Principal | false =
      row !== undefined && secretMatches(parsed.secret, row.secretHash)
        ? {
            tenantId: row.tenantId,
            keyId: row.id,
            scopes: row.scopes,
            storeId: row.storeId,
            terminalId: row.terminalId,
            rateLimit: row.rateLimit,
          }
        : false
    // Unknown keys are remembered briefly too, so a flood of bad tokens does not reach the database.
    cache.set(token, principal, principal ? undefined : { ttl: Math.min(cacheTtlMs, 5_000) })
    if (principal) byKeyId.set(principal.keyId, token)
    return principal || undefined
  }

  function revoke(keyId: string) {
    const token = byKeyId.get(keyId)
    if (token) cache.delete(token)
    byKeyId.delete(keyId)
  }

  const plugin = new Elysia({ name: 'auth' }).macro({
    /** Requires an API key holding `scope` (admin implies all); resolves `auth` with the tenant. */
    auth: (scope: Scope) => ({
      detail: { security: [{ apiKey: [] }], 'x-scope': scope },
      async resolve({ request }) {
        const token = bearer(request.headers.get('authorization'))
        if (!token) throw unauthorized('An API key is required: Authorization: Bearer <key>')
        const auth = await verify(token)
        if (!auth) throw unauthorized('The API key is invalid or revoked')
        if (!hasScope(auth.scopes, scope))
          throw new AppError(403, 'FORBIDDEN', `This key lacks the ${scope} scope`)
        return { auth }
      },
    }),
    /** Platform operator: the ADMIN_TOKEN from the environment (disabled when unset). */
    platformAdmin: (enabled: boolean) => ({
      detail: { security: [{ adminToken: [] }] },
      resolve({ request }) {
        if (!enabled) return
        const token = bearer(request.headers.get('authorization'))
        if (!adminToken)
          throw new AppError(403, 'FORBIDDEN', 'Platform bootstrap is disabled (ADMIN_TOKEN unset)')
        if (!token || !tokensEqual(token, adminToken))
          throw unauthorized('The platform admin token is required')
      },
    }),
  })
  return { plugin, verify, revoke }
}

export type Auth = ReturnType<typeof createAuth>
