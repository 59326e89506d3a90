import { rateLimited } from '../infra/metrics'
import { AppError } from '../lib/errors'

type Bucket = { tokens: number; at: number }

export type RateLimitDecision = { limit: number; remaining: number; reset: number }

const NAMES = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'] as const
const [LIMIT, REMAINING, RESET] = NAMES

export const rateLimitHeaders = (d: RateLimitDecision): Record<string, string> => ({
  [LIMIT]: String(d.limit),
  [REMAINING]: String(d.remaining),
  [RESET]: String(d.reset),
})

/**
 * The same headers on a reused Headers object (no object per call), or removed without a decision.
 * `shown` is the decision the object carries already: only values that differ from it are written.
 */
export function setRateLimitHeaders(
  headers: Headers,
  d: RateLimitDecision | undefined,
  shown: RateLimitDecision | undefined,
) {
  if (!d) {
    if (shown) for (const name of NAMES) headers.delete(name)
    return
  }
  if (d.limit !== shown?.limit) headers.set(LIMIT, String(d.limit))
  if (d.remaining !== shown?.remaining) headers.set(REMAINING, String(d.remaining))
  if (d.reset !== shown?.reset) headers.set(RESET, String(d.reset))
}

/**
 * Token bucket per API key, in process: a map probe and a little arithmetic per request (a shared
 * Redis counter would cost a round trip on every barcode scan). With N instances behind a
 * balancer a key's effective limit is at most N × its rate; nginx adds a global per-key limit.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    private readonly defaultRate: number,
    private readonly defaultBurst: number,
  ) {}

  /** Takes one token for `key` or throws 429; `rate` overrides the default requests per second. */
  take(key: string, rate: number | null, now = performance.now()): RateLimitDecision | undefined {
    const perSecond = rate ?? this.defaultRate
    if (perSecond <= 0) return undefined
    const burst = rate === null ? this.defaultBurst : Math.max(1, rate * 2)
    let bucket = this.buckets.get(key)
    if (!bucket) {
      if (this.buckets.size > 100_000) this.buckets.clear()
      bucket = { tokens: burst, at: now }
      this.buckets.set(key, bucket)
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond)
      bucket.at = now
    }
    if (bucket.tokens < 1) {
      rateLimited.inc()
      const retryAfter = Math.ceil((1 - bucket.tokens) / perSecond)
      throw new AppError(429, 'RATE_LIMITED', `Rate limit of ${perSecond} requests/s exceeded; retry later`, {
        headers: {
          'retry-after': String(retryAfter),
          ...rateLimitHeaders({ limit: burst, remaining: 0, reset: retryAfter }),
        },
      })
    }
    bucket.tokens -= 1
    return {
      limit: burst,
      remaining: Math.floor(bucket.tokens),
      reset: Math.ceil((burst - bucket.tokens) / perSecond),
    }
  }
}
