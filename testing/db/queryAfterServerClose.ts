import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';

/**
 * A program for engine/postgresRestart.int.test.ts: inside a transaction, the server closes the connection
 * (pg_terminate_backend: the same FATAL and close as `pg_ctl stop -m fast`), then the transaction sends its
 * next statement. Unpatched postgres 3.4.9 dies of an uncaught TypeError in `nextWrite`
 * (porsager/postgres#1066); patched (scripts/patchDependencies.js), the transaction fails with
 * CONNECTION_CLOSED and the next query gets a new connection. Prints one JSON line: how the transaction ended
 * and the next query's result.
 */
const url = process.argv[2];
if (url === undefined) throw new Error('usage: queryAfterServerClose.js DATABASE_URL');
const sql = postgres(url, { max: 2, onnotice: () => undefined });
const killer = postgres(url, { max: 1, onnotice: () => undefined });
const transaction = await sql.begin(async (tx) => {
  const [row] = await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
  await killer`SELECT pg_terminate_backend(${row?.pid ?? 0})`;
  await sleep(300);
  await tx`SELECT 1`;
  return 'committed';
}).catch((error: unknown) => `failed: ${(error as { code?: string }).code ?? String(error)}`);
await sleep(300);
const [next] = await sql<{ answer: number }[]>`SELECT 42 AS answer`;
process.stdout.write(`${JSON.stringify({ transaction, next: next?.answer ?? null })}\n`);
await sql.end({ timeout: 5 });
await killer.end({ timeout: 5 });
