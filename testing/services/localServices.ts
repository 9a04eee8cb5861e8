import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { projectRoot } from '../../runtime/projectRoot.js';

const run = promisify(execFile);

export const PROJECT_ROOT = projectRoot(import.meta.url, 'services/services.sh');
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
