import { eq, inArray } from 'drizzle-orm'
import { customers, employees, stores, terminals, warehouses } from '../../../db/schema'
import { resource } from '../../infra/resource'
import type { TenantDb } from '../../infra/tenant-db'
import type {
  CustomerPatch,
  EmployeePatch,
  NewCustomer,
  NewEmployee,
  NewStore,
  NewTerminal,
  NewWarehouse,
  StorePatch,
  TerminalPatch,
  WarehousePatch,
} from './model'
import { toE164 } from './phone'
import { checkTimezone } from './timezone'

export const storeRows = resource(stores, 'store')
export const terminalRows = resource(terminals, 'terminal')
export const warehouseRows = resource(warehouses, 'warehouse')
export const employeeRows = resource(employees, 'employee')
export const customerRows = resource(customers, 'customer')

type ListQuery = { limit: number; cursor?: string }

export const storeService = {
  list: (tdb: TenantDb, q: ListQuery) => storeRows.list(tdb, q),
  get: (tdb: TenantDb, id: string) => storeRows.get(tdb, id),
  /** Sales at a store draw stock from its warehouse; one is created with the store when none is named. */
  async create(tdb: TenantDb, body: typeof NewStore.static) {
    await checkTimezone(tdb, body.timezone)
    if (body.warehouseId) {
      await warehouseRows.get(tdb, body.warehouseId)
      return storeRows.insert(tdb, { ...body, warehouseId: body.warehouseId })
    }
    const storeId = crypto.randomUUID()
    const warehouse = await warehouseRows.insert(tdb, { name: `${body.name} — warehouse` })
    const store = await storeRows.insert(tdb, { ...body, id: storeId, warehouseId: warehouse.id })
    await tdb.db
      .update(warehouses)
      .set({ storeId })
      .where(tdb.where(warehouses, eq(warehouses.id, warehouse.id)))
    return store
  },
  async update(tdb: TenantDb, id: string, patch: typeof StorePatch.static, version?: number) {
    await checkTimezone(tdb, patch.timezone)
    if (patch.warehouseId) await warehouseRows.get(tdb, patch.warehouseId)
    return storeRows.update(tdb, id, patch, version)
  },
  /** The store's warehouses stay, standalone, with their stock and history. */
  remove: (tdb: TenantDb, id: string) =>
    tdb.transaction(async (tx) => {
      await tx.db
        .update(warehouses)
        .set({ storeId: null })
        .where(tx.where(warehouses, eq(warehouses.storeId, id)))
      await storeRows.remove(tx, id)
    }),
}

export const terminalService = {
  list: (tdb: TenantDb, q: ListQuery & { storeId?: string }) =>
    terminalRows.list(tdb, { ...q, filters: [q.storeId ? eq(terminals.storeId, q.storeId) : undefined] }),
  get: (tdb: TenantDb, id: string) => terminalRows.get(tdb, id),
  async create(tdb: TenantDb, body: typeof NewTerminal.static) {
    await storeRows.get(tdb, body.storeId)
    return terminalRows.insert(tdb, body)
  },
  update: (tdb: TenantDb, id: string, patch: typeof TerminalPatch.static, version?: number) =>
    terminalRows.update(tdb, id, patch, version),
  remove: (tdb: TenantDb, id: string) => terminalRows.remove(tdb, id),
}

export const warehouseService = {
  list: (tdb: TenantDb, q: ListQuery & { storeId?: string; ids?: string[] }) =>
    warehouseRows.list(tdb, {
      ...q,
      filters: [
        q.storeId ? eq(warehouses.storeId, q.storeId) : undefined,
        q.ids ? inArray(warehouses.id, q.ids) : undefined,
      ],
    }),
  get: (tdb: TenantDb, id: string) => warehouseRows.get(tdb, id),
  async create(tdb: TenantDb, body: typeof NewWarehouse.static) {
    if (body.storeId) await storeRows.get(tdb, body.storeId)
    return warehouseRows.insert(tdb, body)
  },
  async update(tdb: TenantDb, id: string, patch: typeof WarehousePatch.static, version?: number) {
    if (patch.storeId) await storeRows.get(tdb, patch.storeId)
    return warehouseRows.update(tdb, id, patch, version)
  },
  remove: (tdb: TenantDb, id: string) => warehouseRows.remove(tdb, id),
}

const withPhone = <T extends { phone?: string | null }>(body: T): T =>
  body.phone ? { ...body, phone: toE164(body.phone) } : body

export const employeeService = {
  list: (tdb: TenantDb, q: ListQuery & { storeId?: string }) =>
    employeeRows.list(tdb, { ...q, filters: [q.storeId ? eq(employees.storeId, q.storeId) : undefined] }),
  get: (tdb: TenantDb, id: string) => employeeRows.get(tdb, id),
  async create(tdb: TenantDb, body: typeof NewEmployee.static) {
    if (body.storeId) await storeRows.get(tdb, body.storeId)
    return employeeRows.insert(tdb, withPhone(body))
  },
  async update(tdb: TenantDb, id: string, patch: typeof EmployeePatch.static, version?: number) {
    if (patch.storeId) await storeRows.get(tdb, patch.storeId)
    return employeeRows.update(tdb, id, withPhone(patch), version)
  },
  remove: (tdb: TenantDb, id: string) => employeeRows.remove(tdb, id),
}

export const customerService = {
  /** `phone` in any common format finds the customer by its E.164 form (an index probe). */
  list: (tdb: TenantDb, q: ListQuery & { phone?: string }) =>
    customerRows.list(tdb, { ...q, filters: [q.phone ? eq(customers.phone, toE164(q.phone)) : undefined] }),
  get: (tdb: TenantDb, id: string) => customerRows.get(tdb, id),
  create: (tdb: TenantDb, body: typeof NewCustomer.static) => customerRows.insert(tdb, withPhone(body)),
  update: (tdb: TenantDb, id: string, patch: typeof CustomerPatch.static, version?: number) =>
    customerRows.update(tdb, id, withPhone(patch), version),
  remove: (tdb: TenantDb, id: string) => customerRows.remove(tdb, id),
}
