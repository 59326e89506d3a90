// Operator commands: `bun run cli <command>` (also db:migrate and db:partitions in package.json).
import { ConfigError, loadConfig } from './config'
import { openDatabase } from './infra/db'
import { ensurePartitions, runMigrations } from './infra/migrate'
import { createTenant } from './modules/admin/service'

const usage = `usage: bun run cli <command>
  db:migrate                 apply pending migrations, then create partitions ahead
  db:partitions [months]     create monthly partitions up to [months] ahead (default 3)
  tenant:create <name>       create a tenant and print its first admin API key`

async function main(args: string[]) {
  const [command, ...rest] = args
  const config = loadConfig()
  const database = await openDatabase({ url: config.databaseDirectUrl, dataDir: config.dataDir, poolSize: 1 })
  try {
    switch (command) {
      case 'db:migrate':
        await runMigrations(database, config.databaseDirectUrl)
        console.log('migrations applied')
        return 0
      case 'db:partitions': {
        const months = Number(rest[0] ?? 3)
        if (!Number.isInteger(months) || months < 0 || months > 120) throw new ConfigError('months: 0..120')
        console.log(`created ${await ensurePartitions(database, months)} partitions`)
        return 0
      }
      case 'tenant:create': {
        const name = rest.join(' ').trim()
        if (!name) throw new ConfigError('tenant:create needs a name')
        if (config.migrate) await runMigrations(database, config.databaseDirectUrl)
        const { tenant, apiKey } = await createTenant(database.db, name)
        console.log(JSON.stringify({ tenant, apiKey }, null, 2))
        return 0
      }
      default:
        console.error(usage)
        return 2
    }
  } finally {
    await database.close()
  }
}

try {
  process.exit(await main(process.argv.slice(2)))
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  console.error(error.message)
  process.exit(2)
}
