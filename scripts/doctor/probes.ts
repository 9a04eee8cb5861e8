import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import postgres from 'postgres';
import { WebSocket } from 'ws';
import { parseListeners, type CoinbaseProbe, type Listener, type MigrationsProbe, type TimescaleOnServer, type TopicsProbe } from './verdicts.js';

/** What `make doctor` observes: programs, sockets, the network, Kafka and PostgreSQL. Every probe is bounded. */

const run = promisify(execFile);

/** stdout and stderr of a command, or null when it is missing or fails (5 s at most). */
export async function commandOutput(file: string, args: readonly string[], timeoutMs = 5000): Promise<string | null> {
  try {
    const { stdout, stderr } = await run(file, args, { timeout: timeoutMs });
    return `${stdout}${stderr}`;
  } catch {
    return null;
  }
}

/** The first line of a command's output, trimmed of ANSI colours (mvn colours its banner). */
export const firstLine = (text: string | null): string | null =>
  text === null ? null : text.replace(/\x1b\[[0-9;]*m/g, '').split('\n')[0]?.trim() ?? null; // eslint-disable-line no-control-regex

/** PostgreSQL major versions installed the Debian way (/usr/lib/postgresql/N/bin/initdb), newest first. */
export function installedPostgres(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql').filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)).sort((a, b) => Number(b) - Number(a));
  } catch {
    return [];
  }
}

/** PostgreSQL major versions with TimescaleDB's extension files installed. */
export function timescaleOnDisk(): string[] {
  try {
    return readdirSync('/usr/share/postgresql').filter((v) => existsSync(`/usr/share/postgresql/${v}/extension/timescaledb.control`));
  } catch {
    return [];
  }
}

/** The listening TCP sockets, from `ss -Hltnp`; null when ss is missing. */
export async function listeners(): Promise<Listener[] | null> {
  const output = await commandOutput('ss', ['-Hltnp']);
  return output === null ? null : parseListeners(output);
}

/** The command line of a process, its arguments joined by spaces; empty when it cannot be read. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The arguments of a process (its program first); empty when they cannot be read. */
export function processArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
  } catch {
    return [];
  }
}

/** The working directory of a process; null when it cannot be read (another user's process). */
export function processCwd(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** The directories the local services' state may be named by: `.services` as written and as resolved. */
export function stateDirs(projectRoot: string): string[] {
  return pathVariants(`${projectRoot}.services`);
}

/** A path as written and, when it differs, with its symlinks resolved. */
export function pathVariants(written: string): string[] {
  try {
    const resolved = realpathSync(written);
    return resolved === written ? [written] : [written, resolved];
  } catch {
    return [written];
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => { reject(new Error(`${what} timed out after ${ms / 1000} s`)); }, ms); });
  return Promise.race([promise, timeout]).finally(() => { clearTimeout(timer); });
}

const reasonOf = (error: unknown): string => {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message ?? String(error);
};

/** Coinbase's WebSocket endpoint step by step: DNS (3 s), TLS (5 s), WebSocket handshake (5 s). */
export async function probeCoinbase(url: string): Promise<CoinbaseProbe> {
  const target = new URL(url);
  const port = Number(target.port || (target.protocol === 'wss:' ? 443 : 80));
  try {
    await withTimeout(lookup(target.hostname), 3000, 'lookup');
  } catch (error) {
    return { reached: 'none', failedAt: 'dns', reason: reasonOf(error) };
  }
  if (target.protocol === 'wss:') {
    try {
      await withTimeout(new Promise<void>((resolve, reject) => {
        const socket = tlsConnect({ host: target.hostname, port, ...(isIP(target.hostname) === 0 ? { servername: target.hostname } : {}) }, () => { socket.end(); resolve(); });
        socket.on('error', reject);
      }), 5000, 'TLS handshake');
    } catch (error) {
      return { reached: 'none', failedAt: 'tls', reason: reasonOf(error) };
    }
  }
  try {
    await withTimeout(new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: 5000 });
      ws.on('open', () => { ws.close(); resolve(); });
      ws.on('error', reject);
    }), 6000, 'WebSocket handshake');
  } catch (error) {
    return { reached: 'none', failedAt: 'websocket', reason: (error as Error).message };
  }
  return { reached: 'websocket' };
}

/** The topics of the cluster at `brokers`, asked once with short timeouts. */
export async function probeTopics(brokers: readonly string[]): Promise<TopicsProbe> {
  const admin = new Kafka({
    clientId: 'doctor', brokers: [...brokers], connectionTimeout: 2000, requestTimeout: 3000,
    retry: { retries: 0 }, logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await withTimeout(admin.connect(), 5000, 'connect');
    return { topics: await withTimeout(admin.listTopics(), 5000, 'listTopics') };
  } catch (error) {
    return { error: reasonOf(error) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** What the PostgreSQL server at `url` says about TimescaleDB and the migrations in `schema`. */
export async function probePostgres(url: string, schema: string): Promise<{ timescale: TimescaleOnServer; migrations: MigrationsProbe } | { error: string }> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, idle_timeout: 1, onnotice: () => undefined, connection: { application_name: 'doctor' } });
  try {
    const [row] = await withTimeout(sql<{ server_version: string; created: string | null; available: string | null; preloaded: boolean }[]>`
      SELECT current_setting('server_version') AS server_version,
             (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS created,
             (SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb') AS available,
             EXISTS (SELECT FROM pg_settings WHERE name = 'timescaledb.disable_load') AS preloaded`, 5000, 'query');
    if (row === undefined) return { error: 'no answer' };
    const timescale = { serverVersion: row.server_version.split(' ')[0] ?? row.server_version, created: row.created, available: row.available, preloaded: row.preloaded };
    const [table] = await sql<{ name: string | null }[]>`SELECT to_regclass(format('%I.schema_migrations', ${schema}::text))::text AS name`;
    if (table?.name === null || table?.name === undefined) return { timescale, migrations: { applied: [] } };
    const applied = await sql<{ version: string }[]>`SELECT version FROM ${sql(schema)}.schema_migrations`;
    return { timescale, migrations: { applied: applied.map((r) => r.version) } };
  } catch (error) {
    return { error: reasonOf(error) };
  } finally {
    await sql.end({ timeout: 1 });
  }
}
