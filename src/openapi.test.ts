import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import Ajv from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import { startTestApp, type TestApp } from './testing/harness'

// The OpenAPI document is the integrators' manual: it must be valid OpenAPI 3, and every route must
// say what it does, what it takes and every answer it can give.

let t: TestApp
let doc: {
  paths: Record<string, Record<string, Operation>>
}
type Media = { schema?: { examples?: unknown[] } & Record<string, unknown>; example?: unknown }
type Operation = {
  summary?: string
  security?: Record<string, unknown>[]
  parameters?: { in: string; name: string; schema?: unknown }[]
  requestBody?: { content?: Record<string, Media> }
  responses?: Record<string, { content?: Record<string, Media>; headers?: Record<string, unknown> }>
}
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
  )

beforeAll(async () => {
  t = await startTestApp()
  doc = (await (await t.request('GET', '/swagger/json')).json()) as typeof doc
})
afterAll(() => t.close())

const UNDOCUMENTED = new Set(['/swagger', '/swagger/json'])

describe('OpenAPI document', () => {
  test('is valid OpenAPI 3', async () => {
    const validator = new Validator()
    const result = await validator.validate(doc as never)
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 2).slice(0, 4000))
    expect(result.valid).toBe(true)
    expect(validator.version).toStartWith('3.')
  })

  test('the Swagger UI is served', async () => {
    const res = await t.request('GET', '/swagger')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
  })

  const routes = () => t.app.routes.filter((r) => !UNDOCUMENTED.has(r.path) && r.method !== 'ALL')

  test('lists every route of the app', () => {
    expect(routes().length).toBeGreaterThan(3)
    for (const r of routes()) {
      const path = r.path.replace(/:(\w+)/g, '{$1}')
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined()
    }
  })

  test('every operation has a summary, schemas for its input and for each status it can answer', () => {
    const missing: string[] = []
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`
        if (!op.summary) missing.push(`${where}: summary`)
        const takesInput =
          path.includes('{') || ['post', 'put', 'patch'].includes(method) || (op.parameters ?? []).length > 0
        for (const p of path.match(/\{(\w+)\}/g) ?? []) {
          const name = p.slice(1, -1)
          if (!op.parameters?.some((x) => x.in === 'path' && x.name === name && x.schema))
            missing.push(`${where}: path parameter ${name} schema`)
        }
        if (
          ['post', 'put', 'patch'].includes(method) &&
          !op.requestBody?.content?.['application/json']?.schema
        )
          missing.push(`${where}: request body schema`)
        const expected = [
          ...(op.security?.length ? ['401', '403'] : []),
          ...(takesInput ? ['400'] : []),
          ...(path.includes('{') ? ['404'] : []),
        ]
        const responses = op.responses ?? {}
        if (!Object.keys(responses).some((s) => s.startsWith('2'))) missing.push(`${where}: success response`)
        for (const status of [...expected, ...Object.keys(responses)]) {
          if (status === '204') continue
          const content = responses[status]?.content
          if (!content || !Object.values(content).some((c) => c.schema))
            missing.push(`${where}: ${status} schema`)
        }
      }
    }
    expect(missing).toEqual([])
  })

  test('every object of every request body refuses unknown fields', () => {
    // An object that allows them lets Elysia drop a misspelt field without a word.
    const loose: string[] = []
    const walk = (schema: unknown, where: string): void => {
      if (!schema || typeof schema !== 'object') return
      const o = schema as Record<string, unknown>
      if (o.type === 'object' || o.properties) {
        const extra = o.additionalProperties as { not?: unknown } | undefined
        if (!extra || typeof extra !== 'object' || !('not' in extra)) loose.push(where)
        for (const [name, sub] of Object.entries((o.properties ?? {}) as Record<string, unknown>))
          walk(sub, `${where}/${name}`)
      }
      walk(o.items, `${where}/items`)
      for (const k of ['anyOf', 'oneOf', 'allOf'] as const)
        for (const [i, sub] of ((o[k] ?? []) as unknown[]).entries()) walk(sub, `${where}/${k}/${i}`)
    }
    let bodies = 0
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const schema = op.requestBody?.content?.['application/json']?.schema
        if (schema) bodies++
        walk(schema, `${method.toUpperCase()} ${path}`)
      }
    expect(bodies).toBeGreaterThan(25)
    expect(loose).toEqual([])
  })

  test('problems are application/problem+json and bodies application/json, as the service speaks them', () => {
    const wrong: string[] = []
    for (const { where, op } of operations()) {
      const body = Object.keys(op.requestBody?.content ?? {})
      if (op.requestBody && body.join() !== 'application/json') wrong.push(`${where} body: ${body}`)
      for (const [status, response] of Object.entries(op.responses ?? {}))
        if (
          Number(status) >= 400 &&
          Object.keys(response.content ?? {}).join() !== 'application/problem+json'
        )
          wrong.push(`${where} ${status}`)
    }
    expect(wrong).toEqual([])
  })

  test('the answers every route shares are documented: 413/415 with a body, 429 and RateLimit-* with a key', () => {
    const missing: string[] = []
    for (const { where, op } of operations()) {
      const responses = op.responses ?? {}
      if (op.requestBody) for (const s of ['413', '415']) if (!responses[s]) missing.push(`${where} ${s}`)
      if (!op.security?.some((x) => 'apiKey' in x)) continue
      if (!responses['429']?.headers?.['Retry-After']) missing.push(`${where} 429 Retry-After`)
      for (const [status, response] of Object.entries(responses))
        if (status !== '401' && !response.headers?.['RateLimit-Remaining'])
          missing.push(`${where} ${status} RateLimit`)
    }
    expect(missing).toEqual([])
  })

  test('every request body and JSON answer has an example, and the example fits its schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true })
    addFormats(ajv)
    const bad: string[] = []
    let checked = 0
    for (const { where, op } of operations()) {
      const media = [
        [`${where} body`, op.requestBody?.content?.['application/json']],
        ...Object.entries(op.responses ?? {}).map(([status, r]) => [
          `${where} ${status}`,
          r.content?.['application/json'],
        ]),
      ] as [string, Media | undefined][]
      for (const [what, m] of media) {
        if (!m?.schema) continue
        const example = m.example !== undefined ? m.example : m.schema.examples?.[0]
        if (example === undefined) {
          bad.push(`${what}: no example`)
          continue
        }
        checked++
        if (!ajv.validate(m.schema, example)) bad.push(`${what}: ${ajv.errorsText()}`)
      }
    }
    expect(bad).toEqual([])
    expect(checked).toBeGreaterThan(70)
  })
})
