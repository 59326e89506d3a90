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

/** `admin` implies every other scope. */
export const hasScope = (granted: readonly string[], needed: Scope) =>
  granted.includes(needed) || granted.includes('admin')

/** What a register's key needs: look products up, sell, and read back its own sales. */
export const TERMINAL_SCOPES: Scope[] = ['catalog:read', 'sales:write', 'sales:read', 'stock:read']
