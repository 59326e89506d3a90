import type { Bytes } from '../../infra/catalog-cache'
import { etag } from '../../lib/http'

// The ETag of a serialized product, for the by-barcode answer: its quoted version, as GET
// /products/{id} sets it (usable as If-Match). The cache hands out the same bytes for every hit,
// so the version is read once per cached copy, not once per answer.

const tags = new WeakMap<Bytes, string>()
const decoder = new TextDecoder()
/** The key itself: a name holding the same text is escaped (`\"version\":`) and cannot match. */
const VERSION = /"version":(\d+)/

export function productEtag(json: Bytes): string | undefined {
  let tag = tags.get(json)
  if (tag === undefined) {
    const version = VERSION.exec(decoder.decode(json))?.[1]
    if (version === undefined) return undefined
    tag = etag(Number(version))
    tags.set(json, tag)
  }
  return tag
}
