// The last touches to the OpenAPI document @elysiajs/openapi generates, for what the routes cannot
// declare themselves: the answers and headers every route shares, the media types the service
// really speaks, and an example for every body.

type Schema = Record<string, unknown>
type Media = { schema?: Schema; example?: unknown }
type Response = { description?: string; content?: Record<string, Media>; headers?: Record<string, unknown> }
type Operation = {
  security?: Record<string, unknown>[]
  parameters?: { name: string; in: string }[]
  requestBody?: { content?: Record<string, Media> }
  responses?: Record<string, Response>
}
export type OpenApiDocument = {
  paths?: Record<string, Record<string, Operation>>
  components?: Record<string, Record<string, unknown>>
}

const header = (description: string, schema: Schema = { type: 'integer' }) => ({ description, schema })

/** Response headers, documented once under components.headers. */
const HEADERS = {
  'X-Request-Id': header('Echoes the request’s X-Request-Id (16–128 of [A-Za-z0-9._-]) or a generated UUID', {
    type: 'string',
  }),
  'RateLimit-Limit': header('Requests the key may make in a burst'),
  'RateLimit-Remaining': header('Requests left in the current burst'),
  'RateLimit-Reset': header('Seconds until the burst is whole again'),
  'Retry-After': header('Seconds to wait before retrying'),
  ETag: header('The object’s version, quoted (usable as If-Match); weak and content-derived for receipts', {
    type: 'string',
  }),
  'Idempotent-Replayed': header(
    '`true` when this is the stored answer to an earlier request with the same key',
    {
      type: 'string',
      enum: ['true'],
    },
  ),
}
const ref = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` })

/** Elysia's numbers accept numeric strings too (query coercion): an integer is what the API means. */
function plainNumbers(node: unknown): void {
  if (node === null || typeof node !== 'object') return
  const schema = node as Schema
  const anyOf = schema.anyOf as Schema[] | undefined
  const numeric = anyOf?.find((s) => s.type === 'integer' || s.type === 'number')
  if (
    anyOf?.length === 2 &&
    numeric &&
    anyOf.some((s) => s.type === 'string' && (s.format === 'integer' || s.format === 'numeric'))
  ) {
    delete schema.anyOf
    Object.assign(schema, numeric)
  }
  for (const value of Object.values(schema)) plainNumbers(value)
}

const SAMPLE_FORMATS: Record<string, string> = {
  uuid: '0b5c1c8e-8f57-4d7c-9a43-2d4a8f0b7c11',
  'date-time': '2026-11-27T09:30:00.000Z',
  date: '2026-11-27',
  email: 'cashier@example.com',
  uri: 'https://example.com',
}

/** A value of `schema` built from its own examples, defaults and formats. */
export function exampleOf(schema: Schema | undefined): unknown {
  if (!schema) return null
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0]
  if (schema.default !== undefined) return schema.default
  if (schema.const !== undefined) return schema.const
  if (Array.isArray(schema.enum)) return schema.enum[0]
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (alternatives) return exampleOf(alternatives.find((s) => s.type !== 'null') ?? alternatives[0])
  const type = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type
  switch (type) {
    case 'object': {
      // Optional properties only when they carry an example of their own: the smallest valid body.
      const required = new Set((schema.required ?? []) as string[])
      const shown = Object.entries((schema.properties ?? {}) as Record<string, Schema>).filter(
        ([k, s]) => required.has(k) || Array.isArray(s.examples),
      )
      return Object.fromEntries(shown.map(([k, s]) => [k, exampleOf(s)]))
    }
    case 'array':
      return [exampleOf(schema.items as Schema)]
    case 'string':
      return SAMPLE_FORMATS[schema.format as string] ?? 'text'
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' && schema.minimum > 0 ? schema.minimum : 1
    case 'boolean':
      return true
    default:
      return null
  }
}

const withExample = (media: Media | undefined) => {
  if (media?.schema && media.example === undefined && !Array.isArray(media.schema.examples))
    media.example = exampleOf(media.schema)
}

export function finishDocument(doc: OpenApiDocument): OpenApiDocument {
  plainNumbers(doc.paths)
  let problem: Media | undefined
  for (const ops of Object.values(doc.paths ?? {}))
    for (const op of Object.values(ops))
      for (const [status, response] of Object.entries(op.responses ?? {}))
        if (Number(status) >= 400 && response.content?.['application/json']) {
          // Problems are served as application/problem+json.
          problem = response.content['application/json']
          response.content = { 'application/problem+json': problem }
        }
  const problemResponse = (description: string): Response => ({
    description,
    ...(problem && { content: { 'application/problem+json': problem } }),
  })

  for (const [path, ops] of Object.entries(doc.paths ?? {}))
    for (const [method, op] of Object.entries(ops)) {
      op.responses ??= {}
      const responses = op.responses
      for (const response of Object.values(responses)) {
        const content = response.content as { type?: string } | undefined
        // A body-less answer (t.Void) is rendered as `content: {type: 'void'}`, not valid OpenAPI.
        if (content?.type === 'void' || content?.type === 'undefined') delete response.content
      }
      const keyed = op.security?.some((s) => 'apiKey' in s) ?? false
      if (op.requestBody?.content) {
        // Only JSON is parsed; any other media type is 415.
        const json = op.requestBody.content['application/json']
        op.requestBody.content = json ? { 'application/json': json } : {}
        withExample(json)
        responses['413'] ??= problemResponse('The body exceeds BODY_LIMIT (PAYLOAD_TOO_LARGE)')
        responses['415'] ??= problemResponse('The body is not application/json (UNSUPPORTED_MEDIA_TYPE)')
      }
      if (keyed) {
        responses['429'] ??= problemResponse('Over the key’s rate limit (RATE_LIMITED)')
        responses['503'] ??= problemResponse(
          'The database cannot be reached at the moment (UNAVAILABLE); retry',
        )
      }
      const idempotent =
        op.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key') ?? false
      const versioned =
        (/\/\{id\}$/.test(path) || path.endsWith('/settings') || path.endsWith('/by-barcode/{barcode}')) &&
        (method === 'get' || method === 'patch')
      for (const [status, response] of Object.entries(responses)) {
        const code = Number(status)
        const headers: Record<string, unknown> = { ...response.headers, 'X-Request-Id': ref('X-Request-Id') }
        if (keyed && code !== 401)
          for (const name of ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] as const)
            headers[name] = ref(name)
        if (code === 429 || code === 503) headers['Retry-After'] = ref('Retry-After')
        if (code === 200 && versioned) headers.ETag = ref('ETag')
        if (code >= 200 && code < 300 && idempotent)
          headers['Idempotent-Replayed'] = ref('Idempotent-Replayed')
        response.headers = headers
        if (code >= 200 && code < 300) withExample(response.content?.['application/json'])
      }
    }
  doc.components = { ...doc.components, headers: { ...doc.components?.headers, ...HEADERS } }
  return doc
}
