import { t } from 'elysia'
import { badRequest } from './errors'
import { Integer } from './schemas'

// Small HTTP helpers shared by routes: prebuilt JSON answers, ETags and If-Match.

type SetHeaders = { headers: Record<string, string | number> }

/**
 * A serialized JSON body (as a string Elysia would send text/plain) in one Response that also
 * carries the headers hooks put in `set` (request id, RateLimit-*). Given a Response while
 * `set.headers` is not empty, Elysia builds a second one to merge them — a seventh of a cached
 * barcode lookup's cost in process; handing the headers over and emptying `set.headers` avoids it.
 */
export function jsonWithSetHeaders(body: string | Uint8Array, set: SetHeaders): Response {
  const headers = set.headers
  headers['content-type'] = 'application/json'
  set.headers = {}
  return new Response(body, { headers: headers as Record<string, string> })
}

export const etag = (version: number) => `"${version}"`

const IF_MATCH = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/

/** The version a change is based on: If-Match (as the ETag, quoted or not) or `version` in the body. */
export function expectedVersion(
  ifMatch: string | undefined,
  bodyVersion: number | undefined,
): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return bodyVersion
  const match = IF_MATCH.exec(ifMatch)
  if (!match)
    throw badRequest('If-Match must be a version, e.g. "3"', [
      { path: 'headers/if-match', message: 'not a version' },
    ])
  const version = Number(match[1])
  if (bodyVersion !== undefined && bodyVersion !== version)
    throw badRequest('If-Match and version disagree', [
      { path: 'body/version', message: 'differs from If-Match' },
    ])
  return version
}

/** `version` in a change's body: the same range as If-Match (and well inside the int column). */
export const BodyVersion = Integer({
  minimum: 1,
  maximum: 999_999_999,
  description: 'The version this change is based on (alternative to If-Match)',
})

export const IfMatchHeaders = t.Object({
  'if-match': t.Optional(
    t.String({
      maxLength: 40,
      description:
        'The version the change is based on (the ETag of the GET), e.g. "3"; stale → 409 VERSION_MISMATCH',
    }),
  ),
})
