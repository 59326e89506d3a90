import IORedis from 'ioredis'

export type Redis = IORedis

/**
 * A Redis client that fails fast while Redis is down (no offline queue, one retry per command)
 * and keeps reconnecting in the background, so callers degrade to the database instead of waiting.
 */
export function createRedis(url: string): Redis {
  return new IORedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    lazyConnect: false,
  })
}
