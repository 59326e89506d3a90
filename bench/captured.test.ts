import { describe, expect, test } from 'bun:test'
import { type CapturedResponse, longestPrefixFirst, replayed } from './captured'

const captured = (method: string, prefix: string, status: number): CapturedResponse => ({
  method,
  prefix,
  status,
  contentType: 'application/json',
  body: '{}',
})

describe('which captured response the ceiling replays', () => {
  const routes = longestPrefixFirst([
    captured('GET', '/api/v1/products', 200),
    captured('GET', '/api/v1/products/by-barcode/', 404),
    captured('POST', '/api/v1/products/search', 201),
  ])

  test('the longest matching prefix wins, whatever the capture order', () => {
    for (const list of [routes, longestPrefixFirst([...routes].reverse())]) {
      expect(replayed(list, 'GET', '/api/v1/products/by-barcode/123')?.status).toBe(404)
      expect(replayed(list, 'GET', '/api/v1/products?limit=50')?.status).toBe(200)
    }
  })

  test('the method must match; nothing matches an uncaptured path', () => {
    expect(replayed(routes, 'GET', '/api/v1/products/search')?.status).toBe(200)
    expect(replayed(routes, 'POST', '/api/v1/products/search')?.status).toBe(201)
    expect(replayed(routes, 'GET', '/health/live')).toBeUndefined()
  })
})
