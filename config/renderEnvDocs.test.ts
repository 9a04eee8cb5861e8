import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from './envVars.js';
import { enumValues, renderEnvExample, renderEnvTable, withEnvTable } from './renderEnvDocs.js';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

describe('the documentation of the environment', () => {
  it('README.md lists every variable exactly as config/envVars.ts declares it (run `make docs` after a change)', () => {
    const readme = read('README.md');
    expect(readme).toBe(withEnvTable(readme));
    for (const name of Object.keys(ENV_VARS)) expect(readme, name).toContain(`| \`${name}\` |`);
  });

  it('shows the values of every enumerated variable in its row', () => {
    const rows = renderEnvTable().split('\n');
    const enums = Object.entries(ENV_VARS).filter(([, spec]) => enumValues(spec) !== null);
    expect(enums.map(([name]) => name)).toContain('ENGINE_START_FROM');
    for (const [name, spec] of enums) {
      const row = rows.find((r) => r.startsWith(`| \`${name}\` |`)) ?? '';
      for (const value of enumValues(spec) ?? []) expect(row, `${name} names ${value}`).toContain(`\`${value}\``);
    }
    expect(rows.find((r) => r.startsWith('| `LOG_LEVEL` |'))).toContain('One of `fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`.');
  });

  it('.env.example is current and holds no secret', () => {
    expect(read('.env.example')).toBe(renderEnvExample());
    expect(read('.env.example')).toContain('\nDATABASE_URL=\n');
  });
});
