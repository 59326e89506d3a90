// Organisation: stores (with their time zone and warehouse), terminals, warehouses, employees, customers.
import { Elysia, t } from 'elysia'
import type { Db } from '../../infra/db'
import { crudRoutes } from '../../lib/crud-routes'
import type { Auth } from '../../plugins/auth'
import { visibleWarehouses } from '../stock/references'
import * as m from './model'
import { customerService, employeeService, storeService, terminalService, warehouseService } from './service'
import { customerView, employeeView, storeView, terminalView, warehouseView } from './views'

export type OrgDeps = { db: Db; auth: Auth }

const StoreFilter = { storeId: t.Optional(t.String({ format: 'uuid' })) }

export const orgModule = ({ db, auth }: OrgDeps) => {
  const common = { db, auth, tag: 'Organisation', read: 'stock:read', write: 'admin' } as const
  return new Elysia({ name: 'org' })
    .use(
      crudRoutes({
        ...common,
        plural: 'stores',
        storeField: 'id',
        noun: 'store',
        read: 'sales:read',
        View: m.Store,
        Create: m.NewStore,
        Patch: m.StorePatch,
        service: storeService,
        toView: storeView,
      }),
    )
    .use(
      crudRoutes({
        ...common,
        plural: 'terminals',
        storeField: 'storeId',
        noun: 'terminal',
        read: 'sales:read',
        View: m.Terminal,
        Create: m.NewTerminal,
        Patch: m.TerminalPatch,
        filters: StoreFilter,
        service: terminalService,
        toView: terminalView,
      }),
    )
    .use(
      crudRoutes({
        ...common,
        plural: 'warehouses',
        // Its store's own and the one its sales draw from, as the stock routes see them.
        visibleIds: visibleWarehouses,
        noun: 'warehouse',
        View: m.Warehouse,
        Create: m.NewWarehouse,
        Patch: m.WarehousePatch,
        filters: StoreFilter,
        service: warehouseService,
        toView: warehouseView,
      }),
    )
    .use(
      crudRoutes({
        ...common,
        plural: 'employees',
        storeField: 'storeId',
        noun: 'employee',
        read: 'sales:read',
        View: m.Employee,
        Create: m.NewEmployee,
        Patch: m.EmployeePatch,
        filters: StoreFilter,
        service: employeeService,
        toView: employeeView,
      }),
    )
    .use(
      crudRoutes({
        ...common,
        plural: 'customers',
        noun: 'customer',
        read: 'sales:read',
        write: 'sales:write',
        View: m.Customer,
        Create: m.NewCustomer,
        Patch: m.CustomerPatch,
        filters: {
          phone: t.Optional(t.String({ maxLength: 32, description: 'Any format; matched in E.164' })),
        },
        service: customerService,
        toView: customerView,
      }),
    )
}
