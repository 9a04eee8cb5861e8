import postgres, { type Sql } from 'postgres';
import type { ProgramConfig } from '../config/loadProgramConfig.js';
import { assertPostgresPatched } from '../db/assertPostgresPatched.js';
import { EXACT_TIMESTAMPS } from '../db/exactTimestamps.js';

/**
 * The replay's connection pool (the main thread's, and each worker's): at most 4 connections, in
 * DATABASE_SCHEMA, timestamps exact to the µs. Throws when postgres.js lacks the project's patch.
 */
export function replayDatabase(config: Pick<ProgramConfig<'replay'>, 'DATABASE_URL' | 'DATABASE_SCHEMA'>): Sql {
  assertPostgresPatched();
  return postgres(config.DATABASE_URL, {
    max: 4, onnotice: () => undefined, types: EXACT_TIMESTAMPS, connection: { application_name: 'replay', search_path: `${config.DATABASE_SCHEMA}, public` },
  });
}
