export const SCOPES = [
  'catalog:read',
  'catalog:write',
  'sales:write',
  'sales:read',
  'stock:write',
  'stock:read',
  'reports:read',
  'admin',
] as const

export type Scope = (typeof SCOPES)[number]

/** `needed`, or one of `needed` when a list; `admin` implies every other scope. */
export const hasScope = (granted: readonly string[], needed: Scope | readonly Scope[]) =>
  (typeof needed === 'string' ? granted.includes(needed) : needed.some((s) => granted.includes(s))) ||
  granted.includes('admin')

/** What a register's key needs: look products up, sell, and read back its own sales. */
export const TERMINAL_SCOPES: Scope[] = ['catalog:read', 'sales:write', 'sales:read', 'stock:read']
