// Imported first on purpose: @elysiajs/openapi registers TypeBox's global string formats at import
// time, and our registrations below must replace them.
import '@elysiajs/openapi'
import { FormatRegistry } from '@sinclair/typebox'
import { fullFormats } from 'elysia/type-system/format'
import { isStorableDateTime } from '../lib/schemas'

/**
 * @elysiajs/openapi replaces TypeBox's global `uuid`, `date-time`, `email`… checks with Zod ones that
 * build a new Zod schema on every call. A page of 50 products checks ~250 such strings when Elysia
 * validates the response, which made the product list 100× slower than the query behind it.
 * These are the plain RFC checks (Elysia's own tables), compiled once.
 */
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const dateTime = fullFormats['date-time'] as (value: string) => boolean
const date = fullFormats.date as (value: string) => boolean
const uri = fullFormats.uri as (value: string) => boolean
const email = fullFormats.email as RegExp

FormatRegistry.Set('uuid', (value) => uuid.test(value))
/**
 * Dates and instants must also be ones the service can store and compute with: a leap second or an
 * offset such as `+05` passes the RFC grammar but not `Date.parse`, years outside 1900–2999 (year 1
 * shifted by a time zone, five-digit years) overflow PostgreSQL or ISO formatting, and PostgreSQL
 * refuses offsets the grammar allows (`+23:59`).
 */
FormatRegistry.Set('date-time', (value) => dateTime(value) && isStorableDateTime(value))
FormatRegistry.Set('date', (value) => date(value) && isStorableDateTime(value))
FormatRegistry.Set('uri', uri)
FormatRegistry.Set('email', (value) => email.test(value))
