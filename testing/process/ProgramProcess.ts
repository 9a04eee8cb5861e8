import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PROJECT_ROOT } from '../services/localServices.js';
import { waitFor } from '../waitFor.js';

/**
 * One of the project's programs (compiled, from dist/) as a child process, with its output kept line by line.
 * Integration tests use it to check what only a real process shows: exit codes, signals, JSON logs.
 */
export class ProgramProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;

  /** `nodeArgs`: options for node itself, before the script (`--cpu-prof`, which NODE_OPTIONS refuses). */
  constructor(script: string, env: Record<string, string>, args: readonly string[] = [], nodeArgs: readonly string[] = []) {
    const path = `${PROJECT_ROOT}dist/${script}`;
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`make build\` first (make test-integration does).`);
    this.#child = spawn(process.execPath, [...nodeArgs, path, ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (stream: NodeJS.ReadableStream | null, into: string[]) => {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        into.push(...lines);
      });
      stream?.on('end', () => { if (partial !== '') into.push(partial); });
    };
    collect(this.#child.stdout, this.stdout);
    collect(this.#child.stderr, this.stderr);
    // 'close', not 'exit': the process has ended and its output has been read to the end.
    this.exited = new Promise((resolve) => this.#child.on('close', (code) => { resolve(code); }));
  }

  /** The parsed JSON log lines written so far. */
  logs(): Record<string, unknown>[] {
    return this.stdout.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** The port of the program's `/metrics` server, once the program has logged it. */
  async metricsPort(): Promise<number> {
    let port: unknown;
    await waitFor('the metrics endpoint', () => {
      port = this.logs().find((l) => l['msg'] === 'metrics on /metrics')?.['port'];
      return typeof port === 'number';
    });
    return port as number;
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }
}
