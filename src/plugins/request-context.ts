import { Elysia } from 'elysia'
import type { Logger } from '../infra/logger'
import { badRequest, type FieldError } from '../lib/errors'
import { problemResponse } from './problem'

const REQUEST_ID = /^[\w.:-]{1,128}$/
const bodyMethods = new Set(['POST', 'PUT', 'PATCH'])

/** The request id: X-Request-Id when it is sane, else a fresh UUID. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id')
  return given && REQUEST_ID.test(given) ? given : crypto.randomUUID()
}

/** Deeper than any schema of the API (an offline batch's line fields are 5 levels down). */
const MAX_DEPTH = 16

/**
 * The first part of a request's input that no schema accepts and that must not reach the schema
 * check: a string PostgreSQL cannot store — U+0000, or an unpaired surrogate (JSON allows
 * `"\ud800"`; text would keep U+FFFD, jsonb refuses it) — or nesting deeper than any schema
 * (Elysia's validation error serialises the whole value: seconds of CPU, then a RangeError, for a
 * 40 KB body nested 20,000 deep). Walked with a stack of its own, since recursion would overflow.
 */
export function inputProblem(value: unknown, path: string): FieldError | undefined {
  const pending: [unknown, string, number][] = [[value, path, 0]]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, where, depth] = next
    if (typeof item === 'string') {
      if (item.includes('\u0000') || !item.isWellFormed())
        return { path: where, message: 'contains U+0000 or an unpaired surrogate' }
    } else if (item !== null && typeof item === 'object') {
      if (depth === MAX_DEPTH) return { path: where, message: `nested deeper than ${MAX_DEPTH} levels` }
      for (const [key, child] of Object.entries(item)) pending.push([child, `${where}/${key}`, depth + 1])
    }
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
 * gates, a 400 for input no schema can take (unstorable text, deep nesting), and the access log.
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
    .onTransform({ as: 'global' }, ({ body, query, params, request }) => {
      // Every body of the API is a JSON object: Elysia would take `null` or `[]` (or, for a PATCH,
      // nothing at all) as an empty object, and an empty change would still bump the version.
      const present = body !== undefined || request.method === 'PATCH'
      if (present && (typeof body !== 'object' || body === null || Array.isArray(body)))
        throw badRequest('The request body must be a JSON object', [
          { path: 'body', message: 'Expected object' },
        ])
      const problem =
        inputProblem(params, 'params') ?? inputProblem(query, 'query') ?? inputProblem(body, 'body')
      if (problem) throw badRequest(`${problem.path} ${problem.message}`, [problem])
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
