import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

// API key tokens: `pos_<tenant id><key id>_<secret>`, ids as 32 hex digits each, the secret 32
// random bytes (256 bits) in base64url. The ids make lookup a primary-key probe on
// (tenant_id, id); only the secret's SHA-256 is stored (a 256-bit random secret needs no slow hash).

const TOKEN = /^pos_([0-9a-f]{32})([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/

const toUuid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex')

export function newApiKey(tenantId: string, keyId: string) {
  const secret = randomBytes(32).toString('base64url')
  const token = `pos_${tenantId.replaceAll('-', '')}${keyId.replaceAll('-', '')}_${secret}`
  return { token, secretHash: hashSecret(secret) }
}

export function parseApiKey(token: string): { tenantId: string; keyId: string; secret: string } | undefined {
  const m = TOKEN.exec(token)
  if (!m) return undefined
  return { tenantId: toUuid(m[1] as string), keyId: toUuid(m[2] as string), secret: m[3] as string }
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex')
  const b = Buffer.from(storedHash, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Constant-time comparison of two tokens of possibly different length (e.g. ADMIN_TOKEN). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}
