import { ValueErrorType } from '@sinclair/typebox/errors'
import { Elysia } from 'elysia'
import type { Logger } from '../infra/logger'
import { AppError, dataError, type FieldError, type ProblemCode, unavailableError } from '../lib/errors'

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** The problem+json document of an answer (RFC 9457 members plus our stable `code`). */
export const problemBody = (status: number, code: ProblemCode, detail: string, errors?: FieldError[]) =>
  JSON.stringify({
    type: `https://pos.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: titles[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  })

export function problemResponse(
  status: number,
  code: ProblemCode,
  detail: string,
  extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
): Response {
  return new Response(problemBody(status, code, detail, extra.errors), {
    status,
    headers: { 'content-type': 'application/problem+json', ...extra.headers },
  })
}

type ValueErrorLike = {
  type?: number
  value?: unknown
  path?: string
  message?: string
  summary?: string
  errors?: Iterable<ValueErrorLike>[]
}

/** Errors saying the value is of another kind altogether (a string where a number belongs). */
const KIND_MISMATCH = new Set<number>([
  ValueErrorType.Array,
  ValueErrorType.Boolean,
  ValueErrorType.Integer,
  ValueErrorType.Null,
  ValueErrorType.Number,
  ValueErrorType.Object,
  ValueErrorType.String,
])

/**
 * A union's error says only "one of …": the alternative that came closest says what is wrong —
 * the one the value's kind matches (Elysia's integers are a union of integer and numeric string:
 * -1 breaks the minimum, not "Expected string"), then the one with the fewest errors.
 */
function leaves(e: ValueErrorLike): ValueErrorLike[] {
  const distance = (errors: ValueErrorLike[]) =>
    errors.filter((x) => x.path === e.path && KIND_MISMATCH.has(x.type ?? -1)).length * 1000 + errors.length
  const alternatives = (e.errors ?? []).map((each) => [...each]).sort((a, b) => distance(a) - distance(b))
  const closest = alternatives[0]
  return closest?.length ? closest.flatMap(leaves) : [e]
}

/**
 * Elysia drops the field of a query number that breaks its bounds (elysiajs/elysia#1822: `property`,
 * path ""): it is the one query parameter whose number is the value refused.
 */
function lostQueryField(error: { value?: unknown }, request: Request): string {
  const named = [...new URL(request.url).searchParams].filter(
    ([, raw]) => raw.trim() !== '' && Number(raw) === error.value,
  )
  return named.length === 1 ? `query/${named[0]?.[0]}` : 'query'
}

/** One entry per field (API.md): the first thing wrong with it. */
function validationErrors(
  error: { all?: unknown; type?: string; value?: unknown },
  request: Request,
): FieldError[] {
  const all = Array.isArray(error.all) ? (error.all as ValueErrorLike[]).flatMap(leaves) : []
  const where = error.type === 'property' ? lostQueryField(error, request) : (error.type ?? 'body')
  const byPath = new Map<string, FieldError>()
  for (const e of all) {
    const path = `${where}${e.path ?? ''}`
    // Only the `strict` bodies' additionalProperties is a Never schema.
    // A required integer left out is reported as "Expected integer" of undefined: it is missing.
    const missing = e.value === undefined && KIND_MISMATCH.has(e.type ?? -1)
    const message =
      e.message === 'Never'
        ? 'unknown field'
        : missing
          ? `Property '${e.path?.split('/').at(-1)}' is missing`
          : (e.summary ?? e.message ?? 'invalid value')
    if (!byPath.has(path)) byPath.set(path, { path, message })
  }
  return [...byPath.values()]
}

/** Maps every error, Elysia's own included, to problem+json; hides internals of unexpected ones. */
export const problem = (log: Logger) =>
  new Elysia({ name: 'problem' }).onError({ as: 'global' }, ({ code, error, request, set }) => {
    const response = toProblem(code, error, request, log)
    set.status = response.status
    return response
  })

export function toProblem(code: string | number, error: unknown, request: Request, log: Logger): Response {
  if (error instanceof AppError) return problemResponse(error.status, error.code, error.detail, error.extra)
  switch (code) {
    case 'VALIDATION':
      return problemResponse(400, 'VALIDATION_FAILED', 'The request does not match the schema', {
        errors: validationErrors(error as never, request),
      })
    case 'PARSE':
      return problemResponse(400, 'MALFORMED_REQUEST', 'The request body could not be parsed')
    case 'NOT_FOUND':
      return problemResponse(
        404,
        'NOT_FOUND',
        `No route for ${request.method} ${new URL(request.url).pathname}`,
      )
  }
  const data = dataError(error)
  if (data) {
    // A schema bound is missing somewhere: worth a look, but the client gets a clear 400.
    log.warn({ err: error, method: request.method, url: request.url }, 'database rejected a value')
    return problemResponse(data.status, data.code, data.detail)
  }
  const down = unavailableError(error)
  if (down) {
    log.warn({ err: error, method: request.method, url: request.url }, 'database unavailable')
    return problemResponse(down.status, down.code, down.detail, down.extra)
  }
  log.error({ err: error, method: request.method, url: request.url }, 'unhandled error')
  return problemResponse(500, 'INTERNAL', 'An unexpected error occurred; it has been logged')
}
