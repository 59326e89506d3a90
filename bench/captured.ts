// The responses captured from the real server for the ceiling to replay, and which one it replays
// for a request: shared by the ceiling server and the harness that pairs scenarios with it.

export type CapturedResponse = {
  method: string
  prefix: string
  status: number
  contentType: string
  body: string
}

/** Longest prefix first, so /api/v1/products/by-barcode/… wins over /api/v1/products. */
export const longestPrefixFirst = <T extends CapturedResponse>(captured: T[]): T[] =>
  [...captured].sort((a, b) => b.prefix.length - a.prefix.length)

/** The response replayed for `method path`, from a list in longestPrefixFirst order. */
export function replayed<T extends CapturedResponse>(
  routes: T[],
  method: string,
  path: string,
): T | undefined {
  for (const r of routes) if (r.method === method && path.startsWith(r.prefix)) return r
  return undefined
}
