import { parsePhoneNumberFromString } from 'libphonenumber-js'
import { badRequest } from '../../lib/errors'

/** E.164 form of a phone number written in any common format; local numbers are read as Uzbek. */
export function toE164(input: string, defaultCountry: 'UZ' = 'UZ'): string {
  const digits = input.replace(/[\s()-]/g, '')
  // Numbers dialled the old way with a leading 8 (8 90 123 45 67) are Uzbek mobiles.
  const normalised = /^8\d{9}$/.test(digits) ? digits.slice(1) : digits
  const parsed = parsePhoneNumberFromString(normalised, defaultCountry)
  if (!parsed?.isPossible())
    throw badRequest('phone is not a valid phone number', [{ path: 'phone', message: 'not a phone number' }])
  return parsed.number
}
