// Database-side checks during a run: PostgreSQL server connections (sampled while a scenario runs)
// and the catalog cache hit rate from the service's own statistics.
import postgres from 'postgres'

export type ConnectionSampler = { stop(): Promise<{ max: number | null; samples: number }> }

/**
 * Samples client backends of the benchmark database every 200 ms through DATABASE_DIRECT_URL
 * (pg_stat_activity sees every server connection PgBouncer holds), excluding the sampler's own.
 */
export function sampleServerConnections(directUrl: string): ConnectionSampler {
  const sql = postgres(directUrl, { max: 1, prepare: false, onnotice: () => {} })
  let max: number | null = null
  let samples = 0
  let running = true
  const loop = (async () => {
    while (running) {
      try {
        const [row] = await sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`
        if (row) {
          max = Math.max(max ?? 0, row.n)
          samples++
        }
      } catch {
        // a sample lost under load is not a result
      }
      await Bun.sleep(200)
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      await sql.end({ timeout: 2 })
      return { max, samples }
    },
  }
}

export type CacheStats = { hits: number; misses: number }

/** Hits and misses over both tiers from GET /api/v1/cache/stats, or null when unreadable. */
export async function readCacheStats(baseUrl: string, adminKey: string): Promise<CacheStats | null> {
  try {
    const res = await fetch(`${baseUrl}/api/v1/cache/stats`, {
      headers: { authorization: `Bearer ${adminKey}` },
    })
    if (!res.ok) return null
    const s = (await res.json()) as {
      lru?: { hits?: number; misses?: number }
      redis?: { connected?: boolean; hits?: number; misses?: number }
    }
    // A request is a hit if either tier answered it; it reaches Redis only after an LRU miss.
    const lruHits = s.lru?.hits ?? 0
    const redisHits = s.redis?.hits ?? 0
    const redisMisses =
      s.redis?.connected === false ? (s.lru?.misses ?? 0) : (s.redis?.misses ?? s.lru?.misses ?? 0)
    return { hits: lruHits + redisHits, misses: redisMisses }
  } catch {
    return null
  }
}

export function hitRate(before: CacheStats | null, after: CacheStats | null): number | null {
  if (!before || !after) return null
  const hits = after.hits - before.hits
  const misses = after.misses - before.misses
  return hits + misses > 0 ? hits / (hits + misses) : null
}
