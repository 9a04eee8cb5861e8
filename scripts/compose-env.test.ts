import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENV_VARS } from '../config/envVars.js';
import { PROGRAM_ENV } from '../config/programs.js';

/** scripts/compose-env.sh: the .env `make up` writes when there is none. */
const SCRIPT = new URL('compose-env.sh', import.meta.url).pathname;
const dirs: string[] = [];
const tempEnv = () => {
  const dir = mkdtempSync(join(tmpdir(), 'compose-env-'));
  dirs.push(dir);
  return join(dir, '.env');
};
const parse = (text: string) => Object.fromEntries(text.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('scripts/compose-env.sh', () => {
  it('writes every variable docker-compose.yml requires: strong URL-safe passwords, the webhook empty', () => {
    const file = tempEnv();
    const run = spawnSync('bash', [SCRIPT, file], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const env = parse(readFileSync(file, 'utf8'));
    expect(Object.keys(env).sort()).toEqual([...PROGRAM_ENV.compose].sort());
    expect(env['ALERT_WEBHOOK_URL'], 'optional: alerts stay in Alertmanager and Grafana').toBe('');
    const secrets = PROGRAM_ENV.compose.filter((name) => !('default' in ENV_VARS[name]));
    for (const name of secrets) {
      const value = env[name] ?? '';
      expect(value, `${name}: 128 random bits as hex`).toMatch(/^[0-9a-f]{32}$/);
      expect(value, `${name} matches the declared schema`).toMatch(new RegExp((ENV_VARS[name].schema as { pattern?: string }).pattern ?? '^.{12,}$'));
      expect(encodeURIComponent(value), `${name} is URL-safe`).toBe(value);
    }
    expect(new Set(secrets.map((n) => env[n])).size, 'every password differs').toBe(secrets.length);
    expect(`${run.stdout}${run.stderr}`, 'never prints a secret').not.toMatch(new RegExp(secrets.map((n) => env[n]).join('|')));
  });

  it('makes the file private to its owner (mode 0600)', () => {
    const file = tempEnv();
    execFileSync('bash', [SCRIPT, file], { stdio: 'ignore' });
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
  });

  it('never overwrites an existing .env, and says nothing then', () => {
    const file = tempEnv();
    writeFileSync(file, 'POSTGRES_PASSWORD=mine\n', { mode: 0o644 });
    const run = spawnSync('bash', [SCRIPT, file], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('POSTGRES_PASSWORD=mine\n');
    expect((statSync(file).mode & 0o777).toString(8), 'its mode untouched too').toBe('644');
  });

  it('writes new passwords each time it creates a file', () => {
    const [a, b] = [tempEnv(), tempEnv()];
    execFileSync('bash', [SCRIPT, a], { stdio: 'ignore' });
    execFileSync('bash', [SCRIPT, b], { stdio: 'ignore' });
    expect(parse(readFileSync(a, 'utf8'))['POSTGRES_PASSWORD']).not.toBe(parse(readFileSync(b, 'utf8'))['POSTGRES_PASSWORD']);
  });
});
