import { Elysia } from 'elysia'
import type { Logger } from '../infra/logger'
import { AppError, dataError, type FieldError, type ProblemCode } from '../lib/errors'

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
  path?: string
  message?: string
  summary?: string
  errors?: Iterable<ValueErrorLike>[]
}

/** A union's error says only "one of …": the alternative that came closest says what is wrong. */
function leaves(e: ValueErrorLike): ValueErrorLike[] {
  const alternatives = (e.errors ?? []).map((each) => [...each]).sort((a, b) => a.length - b.length)
  const closest = alternatives[0]
  return closest?.length ? closest.flatMap(leaves) : [e]
}

function validationErrors(error: { all?: unknown; type?: string }): FieldError[] {
  const all = Array.isArray(error.all) ? (error.all as ValueErrorLike[]).flatMap(leaves) : []
  const where = error.type && error.type !== 'body' ? error.type : 'body'
  return all.map((e) => ({
    path: `${where}${e.path ?? ''}`,
    // Only the `strict` bodies' additionalProperties is a Never schema.
    message: e.message === 'Never' ? 'unknown field' : (e.summary ?? e.message ?? 'invalid value'),
  }))
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
        errors: validationErrors(error as never),
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
  log.error({ err: error, method: request.method, url: request.url }, 'unhandled error')
  return problemResponse(500, 'INTERNAL', 'An unexpected error occurred; it has been logged')
}
