import { describe, expect, test } from 'bun:test'
import { bunRoutePattern, type CapturedResponse, replayed } from './captured'

const captured = (method: string, route: string, status: number): CapturedResponse => ({
  method,
  route,
  status,
  contentType: 'application/json',
  body: '{}',
})

describe('which captured response the ceiling replays', () => {
  const routes = [
    captured('GET', '/api/v1/products', 200),
    captured('GET', '/api/v1/products/{id}', 200),
    captured('GET', '/api/v1/products/by-barcode/{barcode}', 404),
    captured('POST', '/api/v1/products/search', 201),
  ]

  test('literal segments beat parameters, whatever the capture order', () => {
    for (const list of [routes, [...routes].reverse()]) {
      expect(replayed(list, 'GET', '/api/v1/products/by-barcode/123')?.status).toBe(404)
      expect(replayed(list, 'GET', '/api/v1/products?limit=50')?.route).toBe('/api/v1/products')
      expect(replayed(list, 'GET', '/api/v1/products/0b7c')?.route).toBe('/api/v1/products/{id}')
    }
  })

  test('the method must match; nothing matches an uncaptured path', () => {
    expect(replayed(routes, 'GET', '/api/v1/products/search')?.route).toBe('/api/v1/products/{id}')
    expect(replayed(routes, 'POST', '/api/v1/products/search')?.status).toBe(201)
    expect(replayed(routes, 'GET', '/health/live')).toBeUndefined()
    expect(replayed(routes, 'GET', '/api/v1/products/by-barcode/1/2')).toBeUndefined()
  })

  test('route templates become Bun router patterns', () => {
    expect(bunRoutePattern('/api/v1/products/by-barcode/{barcode}')).toBe(
      '/api/v1/products/by-barcode/:barcode',
    )
    expect(bunRoutePattern('/api/v1/receipts')).toBe('/api/v1/receipts')
  })
})
