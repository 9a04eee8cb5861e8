import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (with a trailing slash), from sources or from their compiled copies in dist/. */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'services', 'services.sh'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root (services/services.sh)');
    dir = parent;
  }
  return `${dir}/`;
}

export const PROJECT_ROOT = findProjectRoot();
const SCRIPT = `${PROJECT_ROOT}services/services.sh`;

/** Runs `services/services.sh` with arguments; rejects with its stderr when it fails. */
export async function servicesScript(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('bash', [SCRIPT, ...args], { cwd: PROJECT_ROOT, maxBuffer: 16 << 20 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`services/services.sh ${args.join(' ')} failed:\n${e.stderr ?? e.message}`);
  }
}

/** True when every local service is already running (then the tests use them and leave them running). */
export async function localServicesRunning(): Promise<boolean> {
  try {
    await run('bash', [SCRIPT, 'status'], { cwd: PROJECT_ROOT });
    return true;
  } catch {
    return false;
  }
}

/** The settings `make services-up` wrote to `.services.env`. */
export function readServicesEnv(): Record<string, string> {
  const text = readFileSync(`${PROJECT_ROOT}.services.env`, 'utf8');
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2];
  }
  return env;
}
