import { isAbsolute, resolve } from 'node:path';

/**
 * Whether a process runs one of `scripts` (absolute paths: one script of this checkout, as written and with
 * its symlinks resolved), from its arguments and its working directory: `make producer` runs
 * `node dist/producer/main.js` from the checkout's root, the demo passes the absolute path. Matching the
 * path's end instead would take another checkout's producer for this one's. A relative argument of a process
 * whose working directory cannot be read (another user's) matches nothing.
 */
export function runsScript(argv: readonly string[], cwd: string | null, scripts: readonly string[]): boolean {
  return argv.slice(1).some((arg) => {
    if (isAbsolute(arg)) return scripts.includes(resolve(arg));
    return cwd !== null && scripts.includes(resolve(cwd, arg));
  });
}
