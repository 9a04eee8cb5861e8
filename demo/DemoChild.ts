import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/**
 * One of the project's compiled programs run by the demo: in a process group of its own, so that the
 * terminal's Ctrl-C reaches only the demo, which then stops its children one by one, in order. Its output
 * goes to a log file; its JSON log lines are also kept in memory, a bounded tail, for the demo to read.
 */
export class DemoChild {
  readonly name: string;
  readonly logPath: string;
  /** Exit status (a signal that ended it counts as 128 + its number), once it has ended. */
  readonly exited: Promise<number>;
  readonly #child: ChildProcess;
  readonly #log: WriteStream;
  readonly #tail: string[] = [];
  readonly #watchers: ((line: Record<string, unknown>) => void)[] = [];
  #status: number | null = null;
  #signal: NodeJS.Signals | null = null;

  constructor(name: string, script: string, args: readonly string[], env: Record<string, string>, logPath: string, cwd: string) {
    this.name = name;
    this.logPath = logPath;
    this.#log = createWriteStream(logPath, { flags: 'a' });
    this.#child = spawn(process.execPath, [script, ...args], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        this.#log.write(chunk);
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.#line(line);
      });
    }
    this.exited = new Promise((resolve) => {
      this.#child.on('close', (code, signal) => {
        this.#status = code ?? 128 + (signal === null ? 0 : signalNumber(signal));
        this.#signal = signal;
        this.#log.end(() => { resolve(this.#status ?? 1); });
      });
      this.#child.on('error', (error) => {
        this.#log.write(`${error.message}\n`);
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The signal that ended it; null while it runs, or when it exited by itself. */
  get exitSignal(): NodeJS.Signals | null {
    return this.#signal;
  }

  get running(): boolean {
    return this.#status === null;
  }

  /** The last lines it wrote (at most 50). */
  get tail(): readonly string[] {
    return this.#tail;
  }

  /** Resolves with the first JSON log line `match` accepts (past lines included). */
  waitForLog(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (const text of this.#tail) {
      const line = parseJson(text);
      if (line !== null && match(line)) return Promise.resolve(line);
    }
    return new Promise((resolve) => {
      const watcher = (line: Record<string, unknown>) => {
        if (!match(line)) return;
        this.#watchers.splice(this.#watchers.indexOf(watcher), 1);
        resolve(line);
      };
      this.#watchers.push(watcher);
    });
  }

  /**
   * Asks it to stop (SIGTERM: it finishes its work, as on Ctrl-C) and waits for it; after `graceMs`, kills its
   * whole process group. Resolves with its exit status.
   */
  async stop(graceMs: number): Promise<number> {
    if (this.#status !== null) return this.#status;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => { timer = setTimeout(() => { resolve(null); }, graceMs); });
    const status = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (status !== null) return status;
    this.kill();
    return await this.exited;
  }

  signal(signal: NodeJS.Signals): void {
    try {
      if (this.#status === null) this.#child.kill(signal);
    } catch { /* already gone */ }
  }

  /** SIGKILL to its process group (it and anything it started). */
  kill(): void {
    const pid = this.#child.pid;
    if (pid === undefined || this.#status !== null) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch { /* already gone */ }
  }

  #line(text: string): void {
    this.#tail.push(text);
    if (this.#tail.length > 50) this.#tail.shift();
    if (this.#watchers.length === 0) return;
    const line = parseJson(text);
    if (line !== null) for (const watcher of [...this.#watchers]) watcher(line);
  }
}

function parseJson(text: string): Record<string, unknown> | null {
  if (!text.startsWith('{')) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Partial<Record<NodeJS.Signals, number>>)[signal] ?? 0;
}
