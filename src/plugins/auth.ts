import { and, eq, isNull } from 'drizzle-orm'
import { Elysia } from 'elysia'
import { LRUCache } from 'lru-cache'
import { apiKeys } from '../../db/schema'
import type { Db } from '../infra/db'
import type { InvalidationBus } from '../infra/invalidation-bus'
import { parseApiKey, secretMatches, tokensEqual } from '../lib/api-key'
import { AppError } from '../lib/errors'
import { hasScope, type Scope } from '../lib/scopes'
import { type RateLimitDecision, type RateLimiter, rateLimitHeaders } from './rate-limit'

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
  rateLimiter?: RateLimiter
  /** Revocations from other instances arrive here; a reconnect (messages maybe missed) clears the cache. */
  bus?: InvalidationBus
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
 * a revocation reaches every instance's cache through the invalidation bus, and the cache TTL
 * bounds how long an instance that missed the message could keep the key.
 */
export function createAuth({ db, adminToken, rateLimiter, bus, cacheTtlMs = 30_000 }: AuthOptions) {
  const cache = new LRUCache<string, Principal | false>({ max: 50_000, ttl: cacheTtlMs })
  const byKeyId = new Map<string, string>()
  /** Bumped on every revocation heard: a key read before one may not be cached after it. */
  let revocations = 0

  async function verify(token: string): Promise<Principal | undefined> {
    const cached = cache.get(token)
    if (cached !== undefined) return cached || undefined
    const parsed = parseApiKey(token)
    if (!parsed) return undefined
    const seen = revocations
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
    // A revocation heard while the row was being read may be of this key: the answer stands for
    // this request, which began before it, but is not remembered.
    if (seen !== revocations) return principal || undefined
    // Unknown keys are remembered briefly too, so a flood of bad tokens does not reach the database.
    cache.set(token, principal, principal ? undefined : { ttl: Math.min(cacheTtlMs, 5_000) })
    if (principal) byKeyId.set(principal.keyId, token)
    return principal || undefined
  }

  function forget(keyId: string) {
    revocations++
    const token = byKeyId.get(keyId)
    if (token) cache.delete(token)
    byKeyId.delete(keyId)
  }
  bus?.subscribe((message) => {
    if (message.type === 'apiKey.revoked') forget(message.keyId)
  })
  bus?.onReset(() => {
    revocations++
    cache.clear()
    byKeyId.clear()
  })

  /** Drops the key here at once and tells every other instance. */
  async function revoke(tenantId: string, keyId: string) {
    forget(keyId)
    await bus?.publish({ type: 'apiKey.revoked', tenantId, keyId })
  }

  /** The principal of an Authorization header whose key is verified and cached here, without I/O. */
  function cached(header: string | null): Principal | undefined {
    const token = bearer(header)
    return (token && cache.get(token)) || undefined
  }

  /**
   * Takes one request from the key's rate limit (429) and checks `scope` (403): every answer to a
   * key counts and carries the RateLimit-* values, a refused one too. `now` (performance.now())
   * when the caller has read the clock already.
   */
  function admit(
    principal: Principal,
    scope: Scope | readonly Scope[],
    now?: number,
  ): RateLimitDecision | undefined {
    const limit = rateLimiter?.take(principal.keyId, principal.rateLimit, now)
    if (!hasScope(principal.scopes, scope))
      throw new AppError(403, 'FORBIDDEN', `This key lacks the ${[scope].flat().join(' or ')} scope`, {
        ...(limit && { headers: rateLimitHeaders(limit) }),
      })
    return limit
  }

  const plugin = new Elysia({ name: 'auth' }).macro({
    /**
     * Requires an API key holding `scope` (admin implies all) and applies the key's rate limit.
     * Runs at transform, before schema validation, so a request without a valid key is 401
     * whatever its body; `auth` (tenant, key, bindings) is then resolved for the handler.
     */
    auth: (scope: Scope | readonly Scope[]) => ({
      detail: { security: [{ apiKey: [] }], 'x-scope': scope },
      async transform(ctx) {
        const token = bearer(ctx.request.headers.get('authorization'))
        if (!token) throw unauthorized('An API key is required: Authorization: Bearer <key>')
        const principal = await verify(token)
        if (!principal) throw unauthorized('The API key is invalid or revoked')
        const limit = admit(principal, scope)
        if (limit) Object.assign(ctx.set.headers, rateLimitHeaders(limit))
        ;(ctx as unknown as { principal: Principal }).principal = principal
      },
      resolve: (ctx) => ({ auth: (ctx as unknown as { principal: Principal }).principal }),
    }),
    /** Platform operator: the ADMIN_TOKEN from the environment (403 while it is unset). */
    platformAdmin: (enabled: boolean) => ({
      detail: { security: [{ adminToken: [] }] },
      transform({ request }) {
        if (!enabled) return
        if (!adminToken)
          throw new AppError(403, 'FORBIDDEN', 'Platform bootstrap is disabled (ADMIN_TOKEN unset)')
        const token = bearer(request.headers.get('authorization'))
        if (!token || !tokensEqual(token, adminToken))
          throw unauthorized('The platform admin token is required')
      },
    }),
  })
  return { plugin, verify, revoke, cached, admit }
}

export type Auth = ReturnType<typeof createAuth>
