import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertPostgresPatched } from './assertPostgresPatched.js';

describe('assertPostgresPatched', () => {
  it('accepts the installed postgres.js, which every install path patches', () => {
    expect(() => { assertPostgresPatched(); }).not.toThrow();
  });

  it('names the unpatched file and the fix', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pg-patch-')), 'connection.js');
    writeFileSync(file, '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n');
    expect(() => { assertPostgresPatched(file); }).toThrow(`postgres.js is not patched (${file}): run \`node scripts/patchDependencies.js\` after \`npm ci\``);
    expect(() => { assertPostgresPatched(join(file, 'missing')); }).toThrow(/^cannot read .*missing to check the postgres\.js patch/);
  });
});
