import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../testing/services/localServices.js';

const run = promisify(execFile);
const FILES = ['node_modules/postgres/src/connection.js', 'node_modules/postgres/cjs/src/connection.js', 'node_modules/postgres/cf/src/connection.js'];

async function patch(root: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [`${PROJECT_ROOT}scripts/patchDependencies.js`, '--root', root, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The upstream postgres 3.4.9 file, recovered from the installed (patched) one by taking the patch's lines out. */
function upstream(patched: string): string {
  return patched
    .replace(/ {4}\/\* patched by scripts\/patchDependencies\.js[^\n]*\n {4}if \(socket === null\)\n[^\n]*\n\n/, '')
    .replace('  function nextWrite(fn) {\n    if (socket === null)\n      return (chunk = nextWriteTimer = null, false)\n', '  function nextWrite(fn) {\n')
    .replace('clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener', 'clearImmediate(nextWriteTimer)\n    socket.removeListener');
}

describe('scripts/patchDependencies.js', () => {
  let root: string;
  const installed = FILES.map((file) => readFileSync(`${PROJECT_ROOT}${file}`, 'utf8'));
  const write = (index: number, text: string) => {
    const path = join(root, FILES[index] ?? '');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };
  const read = (index: number) => readFileSync(join(root, FILES[index] ?? ''), 'utf8');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'patch-dependencies-'));
    installed.forEach((text, i) => { write(i, upstream(text)); });
  });
  afterEach(() => { rmSync(root, { recursive: true, force: true }); });

  it('patches the upstream files, then leaves them alone', async () => {
    expect((await patch(root, '--check')).code, 'upstream files are not patched').toBe(1);
    expect(await patch(root)).toEqual({ code: 0, stdout: FILES.map((f) => `patched ${f}\n`).join(''), stderr: '' });
    FILES.forEach((_, i) => { expect(read(i), 'the same result as the installed package').toBe(installed[i]); });
    expect(await patch(root), 'idempotent').toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await patch(root, '--check')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('fails loudly, writing nothing, when an installed file is not the one the patch was written for', async () => {
    write(2, `${upstream(installed[2] ?? '')}// a later release\n`);
    const result = await patch(root);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^patchDependencies: node_modules\/postgres\/cf\/src\/connection\.js: sha256 [0-9a-f]{64} is neither upstream [0-9a-f]{64} nor its patched form\. The dependency changed/);
    expect(read(0), 'the files that did match are left as they were').toBe(upstream(installed[0] ?? ''));
  });
});
