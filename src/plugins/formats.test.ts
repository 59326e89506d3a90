import { describe, expect, test } from 'bun:test'
import { FormatRegistry } from '@sinclair/typebox'
import { fullFormats } from 'elysia/type-system/format'
import './openapi'

describe('string formats', () => {
  test('the OpenAPI plugin leaves the plain RFC checks in place, not per-call Zod schemas', () => {
    expect(FormatRegistry.Get('date-time')).toBe(fullFormats['date-time'] as never)
    expect(FormatRegistry.Get('date')).toBe(fullFormats.date as never)
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
})
