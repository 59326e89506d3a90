import { t } from 'elysia'
import { SCOPES } from '../../lib/scopes'

export const NewTenant = t.Object(
  { name: t.String({ minLength: 1, maxLength: 200, examples: ['Корзинка — Чиланзар'] }) },
  { additionalProperties: false },
)

export const CreatedTenant = t.Object({
  tenant: t.Object({ id: t.String({ format: 'uuid' }), name: t.String() }),
  apiKey: t.String({ description: 'Admin API key of the new tenant; shown only in this response' }),
})

export const ScopeName = t.Union(
  SCOPES.map((s) => t.Literal(s)),
  { description: '`admin` implies every other scope' },
)
