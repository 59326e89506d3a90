import { t } from 'elysia'
import { BodyVersion } from '../../lib/http'
import { Integer, strict } from '../../lib/schemas'

const Id = t.String({ format: 'uuid' })
const NullableId = t.Union([Id, t.Null()])
const Name = t.String({ minLength: 1, maxLength: 200 })
const Version = t.Optional(BodyVersion)
const Timestamps = {
  version: Integer(),
  createdAt: t.String({ format: 'date-time' }),
  updatedAt: t.String({ format: 'date-time' }),
}
const Timezone = t.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone; business days of reports are days in this zone',
  examples: ['Asia/Tashkent'],
})
const Phone = t.String({
  minLength: 3,
  maxLength: 32,
  description:
    'Any common format; stored in E.164 (local numbers are read as Uzbek: 90 123 45 67 → +998901234567)',
  examples: ['+998 90 123-45-67'],
})

export const Store = t.Object(
  {
    id: Id,
    name: t.String(),
    timezone: t.String(),
    address: t.Union([t.String(), t.Null()]),
    warehouseId: Id,
    ...Timestamps,
  },
  {
    examples: [
      {
        id: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
        name: 'Магазин №1',
        timezone: 'Asia/Tashkent',
        address: null,
        warehouseId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        version: 1,
        createdAt: '2026-11-01T08:00:00.000Z',
        updatedAt: '2026-11-01T08:00:00.000Z',
      },
    ],
  },
)
export const NewStore = t.Object(
  {
    name: Name,
    timezone: Timezone,
    address: t.Optional(t.String({ maxLength: 500 })),
    warehouseId: t.Optional(Id),
  },
  { ...strict, description: 'Without warehouseId, a warehouse is created with the store' },
)
export const StorePatch = t.Object(
  {
    name: t.Optional(Name),
    timezone: t.Optional(Timezone),
    address: t.Optional(t.String()),
    warehouseId: t.Optional(Id),
    version: Version,
  },
  strict,
)

export const Terminal = t.Object({ id: Id, storeId: Id, name: t.String(), ...Timestamps })
export const NewTerminal = t.Object(
  { storeId: Id, name: Name },
  { ...strict, examples: [{ storeId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', name: 'Касса 2' }] },
)
export const TerminalPatch = t.Object(
  { name: t.Optional(Name), version: Version },
  { ...strict, examples: [{ name: 'Касса 2 (у входа)', version: 1 }] },
)

export const Warehouse = t.Object({ id: Id, name: t.String(), storeId: NullableId, ...Timestamps })
export const NewWarehouse = t.Object(
  { name: Name, storeId: t.Optional(Id) },
  { ...strict, examples: [{ name: 'Центральный склад' }] },
)
export const WarehousePatch = t.Object(
  { name: t.Optional(Name), storeId: t.Optional(NullableId), version: Version },
  { ...strict, examples: [{ storeId: null, version: 1 }] },
)

const Role = t.Union([t.Literal('cashier'), t.Literal('manager'), t.Literal('admin')])
export const Employee = t.Object({
  id: Id,
  name: t.String(),
  storeId: NullableId,
  role: t.String(),
  phone: t.Union([t.String(), t.Null()]),
  isActive: t.Boolean(),
  ...Timestamps,
})
export const NewEmployee = t.Object(
  {
    name: Name,
    storeId: t.Optional(Id),
    role: t.Optional(Role),
    phone: t.Optional(Phone),
    isActive: t.Optional(t.Boolean()),
  },
  {
    ...strict,
    examples: [
      { name: 'Дилноза Каримова', storeId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', role: 'cashier' },
    ],
  },
)
export const EmployeePatch = t.Object(
  {
    name: t.Optional(Name),
    storeId: t.Optional(NullableId),
    role: t.Optional(Role),
    phone: t.Optional(Phone),
    isActive: t.Optional(t.Boolean()),
    version: Version,
  },
  strict,
)

export const Customer = t.Object({
  id: Id,
  name: t.String(),
  phone: t.Union([t.String(), t.Null()]),
  email: t.Union([t.String(), t.Null()]),
  note: t.Union([t.String(), t.Null()]),
  ...Timestamps,
})
const Email = t.String({ format: 'email', maxLength: 254 })
export const NewCustomer = t.Object(
  {
    name: Name,
    phone: t.Optional(Phone),
    email: t.Optional(Email),
    note: t.Optional(t.String({ maxLength: 2000 })),
  },
  { ...strict, examples: [{ name: 'Алишер Усманов', phone: '90 123 45 67' }] },
)
export const CustomerPatch = t.Object(
  {
    name: t.Optional(Name),
    phone: t.Optional(Phone),
    email: t.Optional(Email),
    note: t.Optional(t.String({ maxLength: 2000 })),
    version: Version,
  },
  strict,
)
