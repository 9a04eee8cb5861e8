import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = new URL('doctorPreflight.js', import.meta.url).pathname;

describe('scripts/doctorPreflight.js (make doctor, before the install and the build)', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'preflight-')); });
  afterEach(() => { rmSync(root, { recursive: true, force: true }); });

  async function preflight(engines: string): Promise<{ code: number; stdout: string; stderr: string }> {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ engines: { node: engines } }));
    try {
      const { stdout, stderr } = await run(process.execPath, [SCRIPT, '--root', root]);
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('says nothing when this Node.js satisfies package.json\'s engines', async () => {
    expect(await preflight('>=20.19')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await preflight(`>=${process.versions.node}`), 'the exact minimum').toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('fails with one line and the fix when this Node.js is older', async () => {
    expect(await preflight('>=99.1')).toEqual({
      code: 1, stdout: '',
      stderr: `missing  Node.js  ${process.version} is older than package.json's >=99.1; fix: install Node.js >=99.1 (https://nodejs.org or NodeSource's apt repository)\n`,
    });
  });

  it('fails when the engines range is not one it can compare', async () => {
    expect((await preflight('^20')).stderr).toBe(`missing  Node.js  cannot compare ${process.version} with package.json's engines "^20"; fix: use a Node.js that package.json's engines allows\n`);
  });
});
