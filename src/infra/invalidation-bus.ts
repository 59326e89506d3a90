import type { Logger } from './logger'
import { cacheInvalidations } from './metrics'
import type { Redis } from './redis'

/**
 * What one instance tells the others to forget. A discriminated union on `type`: add a variant for
 * a new kind of invalidation. Receivers ignore types they do not know, so instances of two releases
 * can share the channel during a rolling deploy.
 */
export type BusMessage =
  /** These keys (barcodes) of the tenant's catalog changed. */
  | { type: 'catalog.keys'; tenantId: string; keys: string[] }
  /** Everything cached for the tenant's catalog is void; `generation` is the new Redis generation. */
  | { type: 'catalog.flush'; tenantId: string; generation?: number }
  /** The tenant's settings changed (e.g. weight-barcode layouts). */
  | { type: 'settings.changed'; tenantId: string }
  /** An API key was revoked: drop it from every instance's key cache. */
  | { type: 'apiKey.revoked'; tenantId: string; keyId: string }

export type BusHandler = (message: BusMessage) => void

export type InvalidationBus = {
  /** Delivers to this instance's handlers at once, then to every other instance (best effort). */
  publish(message: BusMessage): Promise<void>
  subscribe(handler: BusHandler): () => void
  /**
   * Called whenever messages may have been missed — each time the subscription is (re)established —
   * so holders of local copies clear them.
   */
  onReset(handler: () => void): () => void
  /** True while messages from other instances arrive (always true without Redis: there are none). */
  readonly connected: boolean
  close(): Promise<void>
}

export type BusOptions = {
  redis?: Redis
  channel?: string
  log?: Logger
  /** Defaults to the IPC channel of this process when it has one (a worker). */
  primary?: Primary
}

const ipcPrimary = (): Primary | undefined =>
  typeof process.send === 'function' ? (process as unknown as Primary) : undefined

const PUBLISH_TIMEOUT_MS = 250

/** The IPC channel to the primary process of `WORKERS > 1` (src/index.ts relays between workers). */
type Primary = {
  send(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): void
}

/**
 * Invalidation over Redis pub/sub on its own subscriber connection (a connection in subscriber mode
 * can run no other command). Without Redis the workers of one host (`WORKERS > 1`) tell each other
 * through their primary process; a single process has nobody to tell.
 */
export function createInvalidationBus({
  redis,
  channel = 'pos:invalidate',
  log,
  primary = redis ? undefined : ipcPrimary(),
}: BusOptions): InvalidationBus {
  const origin = crypto.randomUUID()
  const handlers = new Set<BusHandler>()
  const resetHandlers = new Set<() => void>()
  let subscribed = false
  let closed = false

  const deliver = (message: BusMessage) => {
    for (const handler of handlers) {
      try {
        handler(message)
      } catch (err) {
        log?.error({ err, type: message.type }, 'invalidation handler failed')
      }
    }
  }
  const reset = () => {
    for (const handler of resetHandlers) handler()
  }

  const receive = (message: unknown) => {
    const m = message as (BusMessage & { origin?: string }) | null
    if (!m || typeof m.type !== 'string' || m.origin === origin) return
    cacheInvalidations.inc({ direction: 'received', type: m.type })
    deliver(m)
  }
  primary?.on('message', receive)

  const sub = redis?.duplicate({ autoResubscribe: false, lazyConnect: false })
  if (sub && redis) {
    sub.on('error', () => {}) // the main client reports Redis errors; this one only reconnects
    sub.on('ready', () => {
      sub.subscribe(channel).then(
        () => {
          subscribed = true
          // Anything published while we were away is lost: local copies may be stale.
          reset()
        },
        (err) => log?.warn({ err: String(err) }, 'invalidation subscribe failed'),
      )
    })
    sub.on('close', () => {
      subscribed = false
    })
    sub.on('message', (_channel: string, raw: string) => {
      try {
        receive(JSON.parse(raw))
      } catch {
        // not ours
      }
    })
    // The subscriber lives and dies with the main client, so whoever quits that one closes both.
    redis.once('end', () => {
      closed = true
      sub.disconnect()
    })
  }

  return {
    async publish(message) {
      deliver(message)
      if (primary && !closed) {
        cacheInvalidations.inc({ direction: 'sent', type: message.type })
        try {
          primary.send({ ...message, origin })
        } catch (err) {
          // The write is committed: a primary that is going away must not turn it into a 500.
          log?.warn({ err: String(err), type: message.type }, 'invalidation to sibling workers failed')
        }
      }
      if (!redis || closed || redis.status !== 'ready') return
      const wire = JSON.stringify({ ...message, origin })
      cacheInvalidations.inc({ direction: 'sent', type: message.type })
      await within(redis.publish(channel, wire), PUBLISH_TIMEOUT_MS).catch((err) =>
        log?.warn({ err: String(err), type: message.type }, 'invalidation publish failed'),
      )
    },
    subscribe(handler) {
      handlers.add(handler)
      return () => handlers.delete(handler)
    },
    onReset(handler) {
      resetHandlers.add(handler)
      return () => resetHandlers.delete(handler)
    },
    get connected() {
      return !redis || subscribed
    },
    async close() {
      closed = true
      sub?.disconnect()
    },
  }
}

/** Rejects when `promise` takes longer than `ms`: a hung Redis must not hold a request. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis: no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
