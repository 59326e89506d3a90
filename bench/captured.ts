// The responses captured from the real server for the ceiling to replay, and which one it replays
// for a request: shared by the ceiling server and the harness that pairs scenarios with it.

export type CapturedResponse = {
  method: string
  /** The route's OpenAPI path, e.g. /api/v1/products/by-barcode/{barcode}. */
  route: string
  status: number
  contentType: string
  body: string
}

/** The same route in Bun's router syntax: `{barcode}` becomes `:barcode`. */
export const bunRoutePattern = (route: string): string => route.replace(/\{([^}]+)\}/g, ':$1')

/** Whether a request path (query ignored) is one of the route's. */
export const routeMatches = (route: string, path: string): boolean => {
  const want = route.split('/')
  const got = (path.split('?')[0] ?? path).split('/')
  return want.length === got.length && want.every((part, i) => part.startsWith('{') || part === got[i])
}

/** The response replayed for `method path`: a route's literal segments beat its parameters. */
export function replayed<T extends CapturedResponse>(
  captured: T[],
  method: string,
  path: string,
): T | undefined {
  const candidates = captured.filter((c) => c.method === method && routeMatches(c.route, path))
  const literal = (c: T) => c.route.split('/').filter((part) => !part.startsWith('{')).length
  return candidates.sort((a, b) => literal(b) - literal(a))[0]
}
