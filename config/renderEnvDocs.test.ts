import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from './envVars.js';
import { renderEnvExample, withEnvTable } from './renderEnvDocs.js';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

describe('the documentation of the environment', () => {
  it('README.md lists every variable exactly as config/envVars.ts declares it (run `make docs` after a change)', () => {
    const readme = read('README.md');
    expect(readme).toBe(withEnvTable(readme));
    for (const name of Object.keys(ENV_VARS)) expect(readme, name).toContain(`| \`${name}\` |`);
  });

  it('.env.example is current and holds no secret', () => {
    expect(read('.env.example')).toBe(renderEnvExample());
    expect(read('.env.example')).toContain('\nDATABASE_URL=\n');
  });
});
