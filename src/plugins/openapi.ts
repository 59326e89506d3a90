import './formats'
import { openapi } from '@elysiajs/openapi'
import { Elysia } from 'elysia'
import { finishDocument, type OpenApiDocument } from './openapi-document'

const description = `Multi-tenant point-of-sale backend: barcode lookup, catalog, sales, stock and reports.

**Authentication**: \`Authorization: Bearer <api key>\`. The key alone decides the tenant (and, for a
terminal key, the store and register); another tenant's object is answered 404 exactly like a missing one.
Scopes: catalog:read, catalog:write, sales:write, sales:read, stock:write, stock:read, reports:read, admin
(admin implies all); a missing scope is 403.

**Errors** are \`application/problem+json\` (RFC 9457) with a stable \`code\`; invalid input is 400
VALIDATION_FAILED with one \`errors\` entry per field.

**Conventions**: money in integer minor units; quantities as decimal strings or numbers with up to 3
decimals; cursor pagination (\`limit\`, \`cursor\` → \`nextCursor\`); \`version\` + \`If-Match\` on changes
(stale → 409 VERSION_MISMATCH); \`Idempotency-Key\` on creates; per-key rate limits with RateLimit-* headers.`

/** The OpenAPI 3.1 document at /swagger/json and Swagger UI at /swagger. */
export const openapiDocs = () =>
  new Elysia({ name: 'openapi-docs' })
    // Registered before the plugin so that it applies to the plugin's own document route.
    .onAfterHandle(({ path, responseValue }) => {
      if (path === '/swagger/json') return finishDocument(responseValue as OpenApiDocument)
    })
    .use(
      openapi({
        path: '/swagger',
        provider: 'swagger-ui',
        documentation: {
          info: { title: 'POS API', version: '1.0.0', description },
          components: {
            securitySchemes: {
              apiKey: { type: 'http', scheme: 'bearer', description: 'Tenant API key (pos_…), shown once' },
              adminToken: {
                type: 'http',
                scheme: 'bearer',
                description: 'Platform ADMIN_TOKEN from the environment',
              },
            },
          },
        },
      }),
    )
