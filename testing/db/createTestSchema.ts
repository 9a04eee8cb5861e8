import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import postgres, { type Sql } from 'postgres';
import { EXACT_TIMESTAMPS } from '../../db/exactTimestamps.js';
import { runMigrations } from '../../db/runMigrations.js';

export interface TestSchema {
  readonly schema: string;
  /** The engine's role, in the schema. */
  readonly sql: Sql;
  drop(): Promise<void>;
}

/** A fresh, migrated schema under a unique name, so that test files never see each other's rows. */
export async function createTestSchema(migrationUrl: string, engineUrl: string): Promise<TestSchema> {
  const schema = `it_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const owner = postgres(migrationUrl, { max: 1, onnotice: () => undefined, connection: { search_path: `${schema}, public` } });
  await owner`CREATE SCHEMA ${owner(schema)}`;
  await runMigrations(owner, pino({ level: 'silent' }));
  const sql = postgres(engineUrl, { max: 2, onnotice: () => undefined, types: EXACT_TIMESTAMPS, connection: { search_path: `${schema}, public` } });
  return {
    schema,
    sql,
    drop: async () => {
      await sql.end();
      await owner`DROP SCHEMA ${owner(schema)} CASCADE`;
      await owner.end();
    },
  };
}
