import { describe, expect, test } from 'bun:test'
import { FormatRegistry } from '@sinclair/typebox'
import { fullFormats } from 'elysia/type-system/format'
import './openapi'

describe('string formats', () => {
  test('the OpenAPI plugin leaves our checks in place, not per-call Zod schemas', () => {
    expect(FormatRegistry.Get('uri')).toBe(fullFormats.uri as never)
  })

  test('uuid and date-time accept and refuse what the API documents', () => {
    const uuid = FormatRegistry.Get('uuid') as (v: string) => boolean
    const dateTime = FormatRegistry.Get('date-time') as (v: string) => boolean
    expect(uuid('4325ae1a-3b0c-4fc4-8b0c-5aec7a35697f')).toBe(true)
    expect(uuid('urn:uuid:4325ae1a-3b0c-4fc4-8b0c-5aec7a35697f')).toBe(false)
    expect(uuid('4325ae1a3b0c4fc48b0c5aec7a35697f')).toBe(false)
    expect(dateTime('2026-11-26T01:00:00.123+05:00')).toBe(true)
    expect(dateTime('2026-11-26T01:00:00Z')).toBe(true)
    expect(dateTime('2026-11-26T01:00:00')).toBe(false)
    expect(dateTime('2026-02-30T01:00:00Z')).toBe(false)
  })

  test('dates and instants must be storable: no leap seconds, bare-hour offsets or year 1', () => {
    const dateTime = FormatRegistry.Get('date-time') as (v: string) => boolean
    const date = FormatRegistry.Get('date') as (v: string) => boolean
    expect(dateTime('2016-12-31T23:59:60Z')).toBe(false)
    expect(dateTime('2026-11-26T01:00:00+05')).toBe(false)
    expect(dateTime('0001-01-01T00:00:00Z')).toBe(false)
    expect(dateTime('3000-01-01T00:00:00Z')).toBe(false)
    expect(dateTime('1970-01-01T00:00:00Z')).toBe(true)
    expect(dateTime('2026-11-26T12:00:00+23:59')).toBe(false)
    expect(dateTime('2026-11-26T12:00:00-16:00')).toBe(false)
    expect(dateTime('2026-11-26T12:00:00+14:00')).toBe(true)
    expect(date('2026-11-26')).toBe(true)
    expect(date('0001-01-01')).toBe(false)
  })
})
