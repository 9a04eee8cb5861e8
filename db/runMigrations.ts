import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { projectRoot } from '../runtime/projectRoot.js';

export const MIGRATIONS_DIR = join(projectRoot(import.meta.url, 'db/migrations'), 'db/migrations');

interface Migration {
  readonly version: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

/** `NNNN_purpose.sql` files, in version order. */
export function readMigrations(directory = MIGRATIONS_DIR): Migration[] {
  return readdirSync(directory)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(directory, file), 'utf8');
      return { version: file.slice(0, 4), name: file.slice(5, -4), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Earlier texts of migrations that were corrected in place, by version: a database that applied one of them
 * is up to date with that version (the correction only changes what happens where the earlier text failed),
 * and its recorded checksum is updated to the current text.
 */
export const SUPERSEDED_CHECKSUMS: Readonly<Record<string, readonly string[]>> = {
  // 0002 read shared_preload_libraries, which only superusers may examine: it failed for the schema owner on
  // servers with TimescaleDB installed; where it succeeded, the corrected text does the same.
  '0002': ['6506d9503308427a1ea0597a8b09975f0d290be555667c77604a853bf1f1df10'],
};

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/**
 * Applies the migrations not applied yet to the connection's schema, each in its own transaction, recording
 * them in `schema_migrations`; refuses to continue if an applied migration's file has changed since. An
 * advisory lock makes concurrent runs (two engines starting) wait for each other. `sql` must be a client
 * with a single connection whose search_path starts with the target schema.
 */
export async function runMigrations(sql: Sql, logger: Logger, directory = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = readMigrations(directory);
  const applied: string[] = [];
  await sql`SELECT pg_advisory_lock(hashtext('crypto-strategy-engine migrations'))`;
  try {
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Map((await sql<{ version: string; checksum: string }[]>`SELECT version, checksum FROM schema_migrations`)
      .map((row) => [row.version, row.checksum]));
    for (const migration of migrations) {
      const checksum = done.get(migration.version);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum && SUPERSEDED_CHECKSUMS[migration.version]?.includes(checksum) === true) {
          await sql`UPDATE schema_migrations SET checksum = ${migration.checksum} WHERE version = ${migration.version}`;
          logger.info({ migration: `${migration.version}_${migration.name}` }, 'migration corrected in place; recorded checksum updated');
          continue;
        }
        if (checksum !== migration.checksum) {
          throw new MigrationError(`migration ${migration.version}_${migration.name} was changed after it was applied; add a new migration instead`);
        }
        continue;
      }
      await sql.begin(async (tx) => {
        await tx.unsafe(migration.sql);
        await tx`INSERT INTO schema_migrations (version, name, checksum) VALUES (${migration.version}, ${migration.name}, ${migration.checksum})`;
      });
      logger.info({ migration: `${migration.version}_${migration.name}` }, 'migration applied');
      applied.push(`${migration.version}_${migration.name}`);
    }
  } finally {
    await sql`SELECT pg_advisory_unlock(hashtext('crypto-strategy-engine migrations'))`;
  }
  return applied;
}
