import type { customers, employees, stores, terminals, warehouses } from '../../../db/schema'

const times = (row: { createdAt: Date; updatedAt: Date }) => ({
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
})

export const storeView = (r: typeof stores.$inferSelect) => ({
  id: r.id,
  name: r.name,
  timezone: r.timezone,
  address: r.address,
  warehouseId: r.warehouseId,
  version: r.version,
  ...times(r),
})

export const terminalView = (r: typeof terminals.$inferSelect) => ({
  id: r.id,
  storeId: r.storeId,
  name: r.name,
  version: r.version,
  ...times(r),
})

export const warehouseView = (r: typeof warehouses.$inferSelect) => ({
  id: r.id,
  name: r.name,
  storeId: r.storeId,
  version: r.version,
  ...times(r),
})

export const employeeView = (r: typeof employees.$inferSelect) => ({
  id: r.id,
  name: r.name,
  storeId: r.storeId,
  role: r.role,
  phone: r.phone,
  isActive: r.isActive,
  version: r.version,
  ...times(r),
})

export const customerView = (r: typeof customers.$inferSelect) => ({
  id: r.id,
  name: r.name,
  phone: r.phone,
  email: r.email,
  note: r.note,
  version: r.version,
  ...times(r),
})
