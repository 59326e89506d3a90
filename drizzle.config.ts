import { defineConfig } from 'drizzle-kit'

// The partitioned tables (*-history.ts) are created by hand-written SQL migrations: drizzle-kit
// cannot express PARTITION BY, so it never sees them.
export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './db/schema/tenants.ts',
    './db/schema/org.ts',
    './db/schema/catalog.ts',
    './db/schema/sales.ts',
    './db/schema/stock.ts',
  ],
  out: './db/migrations',
  dbCredentials: { url: process.env.DATABASE_DIRECT_URL ?? process.env.DATABASE_URL ?? '' },
})
