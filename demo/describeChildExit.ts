/** How one of the demo's children ended, as DemoChild observed it. */
export interface ChildExit {
  readonly name: string;
  /** Exit status; 128 + the signal's number when a signal ended it. */
  readonly status: number;
  /** The signal that ended it, or null when it exited by itself. */
  readonly signal: string | null;
  /** Its last output lines: pino JSON log lines, or plain text (a crash's stack trace). */
  readonly tail: readonly string[];
  readonly logPath: string;
}

const LEVELS: Readonly<Record<number, string>> = { 50: 'error', 60: 'fatal' };

/**
 * Why a child of the demo stopped unexpectedly, in plain words for the demo's console: its exit code or the
 * signal that killed it, then its last error and fatal log lines (message, and the error's own message when
 * pino logged one as `err`, as startProgram does on a failed start); when it logged none, its last lines as
 * they are (an uncaught crash writes a stack trace, not JSON). The first line stands alone as the summary.
 */
export function describeChildExit(exit: ChildExit, maxLines = 3): string {
  const how = exit.signal === null ? `exit code ${exit.status}` : `killed by ${exit.signal}`;
  const head = `the ${exit.name} stopped unexpectedly (${how}); its log: ${exit.logPath}`;
  const errors = exit.tail.flatMap((text) => {
    const line = parseLogLine(text);
    const level = typeof line?.['level'] === 'number' ? LEVELS[line['level']] : undefined;
    if (line === null || level === undefined) return [];
    const err = line['err'] as { message?: unknown } | undefined;
    const cause = typeof err?.message === 'string' && err.message !== '' ? `: ${err.message}` : '';
    const msg = typeof line['msg'] === 'string' ? line['msg'] : '';
    return [`  ${level}: ${msg}${cause}`];
  });
  const shown = errors.slice(-maxLines);
  if (shown.length > 0) return [head, `its last ${shown.length === 1 ? 'error' : 'errors'}:`, ...shown].join('\n');
  const last = exit.tail.filter((t) => t.trim() !== '').slice(-maxLines);
  return last.length === 0 ? `${head}; it wrote nothing` : [head, 'it logged no error; its last lines:', ...last.map((t) => `  ${t}`)].join('\n');
}

function parseLogLine(text: string): Record<string, unknown> | null {
  if (!text.startsWith('{')) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}
