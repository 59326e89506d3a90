import { Elysia } from 'elysia'
import type { Logger } from '../infra/logger'
import { badRequest } from '../lib/errors'
import { problemResponse } from './problem'

const REQUEST_ID = /^[\w.:-]{1,128}$/
const bodyMethods = new Set(['POST', 'PUT', 'PATCH'])

/** The request id: X-Request-Id when it is sane, else a fresh UUID. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id')
  return given && REQUEST_ID.test(given) ? given : crypto.randomUUID()
}

/** The path of the first string holding U+0000, which PostgreSQL text cannot store, if any. */
export function nulPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined
  if (value === null || typeof value !== 'object') return undefined
  for (const [key, item] of Object.entries(value)) {
    const found = nulPath(item, `${path}/${key}`)
    if (found) return found
  }
  return undefined
}

export type AccessLogOptions = {
  log: Logger
  slowRequestMs: number
  /** Called once per answered request, e.g. to record metrics. */
  onResponse?: (method: string, route: string, status: number, seconds: number) => void
}

/**
 * The record of one answered request: metrics, and the access log — every request at debug,
 * client errors at info, server errors at error, slow ones at warn (an info line per barcode scan
 * would cost more than the lookup).
 */
export const createAccessLog =
  ({ log, slowRequestMs, onResponse }: AccessLogOptions) =>
  (
    method: string,
    route: string,
    status: number,
    ms: number,
    requestId: string | undefined,
    tenantId: string | undefined,
  ) => {
    onResponse?.(method, route, status, ms / 1000)
    const level = status >= 500 ? 'error' : ms >= slowRequestMs ? 'warn' : status >= 400 ? 'info' : 'debug'
    if (!log.isLevelEnabled(level)) return
    log[level]({ requestId, method, route, status, ms: Math.round(ms * 10) / 10, tenantId }, 'request')
  }

export type AccessLog = ReturnType<typeof createAccessLog>

/**
 * Request id (accepted from X-Request-Id or generated, echoed back), body size and content-type
 * gates, a 400 for U+0000 anywhere in the input, and the access log of every request.
 */
export const requestContext = ({ access, bodyLimit }: { access: AccessLog; bodyLimit: number }) =>
  new Elysia({ name: 'request-context' })
    .derive({ as: 'global' }, ({ request, set }) => {
      const requestId = requestIdOf(request)
      set.headers['x-request-id'] = requestId
      return { requestId, startedAt: performance.now() }
    })
    .onRequest(({ request }) => {
      if (!bodyMethods.has(request.method)) return
      const length = Number(request.headers.get('content-length') ?? 0)
      if (length > bodyLimit)
        return problemResponse(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${bodyLimit} bytes`)
      const type = request.headers.get('content-type')
      if (length > 0 && type !== null && !type.toLowerCase().startsWith('application/json'))
        return problemResponse(415, 'UNSUPPORTED_MEDIA_TYPE', `Expected application/json, got ${type}`)
    })
    .onTransform({ as: 'global' }, ({ body, query, params }) => {
      const path = nulPath(params, 'params') ?? nulPath(query, 'query') ?? nulPath(body, 'body')
      if (path) throw badRequest(`${path} contains U+0000`, [{ path, message: 'contains U+0000' }])
    })
    .onAfterResponse({ as: 'global' }, (ctx) => {
      const { request, set, route } = ctx
      const { requestId, startedAt } = ctx as unknown as { requestId?: string; startedAt?: number }
      const status = typeof set.status === 'number' ? set.status : 200
      const ms = startedAt === undefined ? 0 : performance.now() - startedAt
      const tenantId = (ctx as unknown as { auth?: { tenantId?: string } }).auth?.tenantId
      // Unmatched paths share one label: raw URLs would make the series unbounded.
      access(request.method, route || 'unmatched', status, ms, requestId, tenantId)
    })
