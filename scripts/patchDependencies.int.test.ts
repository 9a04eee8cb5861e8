import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../testing/services/localServices.js';

const run = promisify(execFile);

/** Runs a Node program of the project; its exit code, stdout and stderr, whether it succeeded or not. */
async function node(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: PROJECT_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the postgres.js patch (porsager/postgres#1066, #1154, #1208)', () => {
  const services = inject('services');

  it('is applied to the installed postgres package', async () => {
    const check = await node('scripts/patchDependencies.js', '--check');
    expect(check.stderr, 'node scripts/patchDependencies.js has been run after npm ci').toBe('');
    expect(check.code).toBe(0);
    const again = await node('scripts/patchDependencies.js');
    expect(again, 'applying it again changes nothing').toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('fails a transaction whose connection the server closed instead of killing the process', async () => {
    // Unpatched, this program dies with `TypeError: Cannot read properties of null (reading 'write')` at
    // nextWrite, status 1: the statement after the close is written through a socket closed() has nulled.
    const result = await node('dist/testing/db/queryAfterServerClose.js', services.databaseUrl);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout), 'the transaction fails; the next query gets a new connection')
      .toEqual({ transaction: 'failed: CONNECTION_CLOSED', next: 42 });
  });
});
