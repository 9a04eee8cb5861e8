import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servicesScript } from '../services/localServices.js';

/**
 * A PostgreSQL server of the test's own, which it may stop and start again (data kept) to prove what the
 * engine does while its database is down. Started by the project's local-services script (Debian's
 * PostgreSQL binaries), with the project's roles.
 */
export class DedicatedPostgres {
  readonly databaseUrl: string;
  readonly migrationDatabaseUrl: string;
  readonly #dir: string;
  readonly #port: number;

  private constructor(dir: string, port: number, urls: Record<string, string>) {
    this.#dir = dir;
    this.#port = port;
    this.databaseUrl = urls['DATABASE_URL'] ?? '';
    this.migrationDatabaseUrl = urls['MIGRATION_DATABASE_URL'] ?? '';
  }

  static async start(): Promise<DedicatedPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'dedicated-postgres-'));
    const port = 26_000 + Math.floor(Math.random() * 4000);
    await servicesScript('pg-up', '--dir', dir, '--port', String(port));
    const urls = Object.fromEntries(readFileSync(join(dir, 'urls.env'), 'utf8').trim().split('\n').map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    }));
    return new DedicatedPostgres(dir, port, urls);
  }

  /**
   * Stops the server: `fast` disconnects every client cleanly (each gets FATAL 57P01, as in a restart);
   * `immediate` makes every server process quit at once, as a crash or a failover does (recovery on restart).
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await servicesScript('pg-down', '--dir', this.#dir, '--mode', mode);
  }

  async restart(): Promise<void> {
    await servicesScript('pg-up', '--dir', this.#dir, '--port', String(this.#port));
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
