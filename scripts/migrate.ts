import postgres from 'postgres';
import { runMigrations } from '../db/runMigrations.js';
import { startProgram } from '../runtime/startProgram.js';

/** `make migrate`: applies db/migrations to DATABASE_SCHEMA as the schema owner. */
await startProgram('migrate', async (config, logger, onStop) => {
  const schema = config.DATABASE_SCHEMA;
  const sql = postgres(config.MIGRATION_DATABASE_URL, {
    max: 1, onnotice: (notice) => { logger.info({ notice: notice.message }, 'database notice'); },
    connection: { application_name: 'migrate', search_path: `${schema}, public` },
  });
  onStop(() => sql.end({ timeout: 5 }));
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`;
  const applied = await runMigrations(sql, logger);
  logger.info({ schema, applied }, applied.length === 0 ? 'database is up to date' : 'migrations applied');
  await sql.end({ timeout: 5 });
});
