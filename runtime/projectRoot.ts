import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root (with a trailing slash) for a module, from its source or from its compiled copy in
 * dist/: the nearest ancestor holding `marker`.
 */
export function projectRoot(moduleUrl: string, marker: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  while (!existsSync(join(dir, marker))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the project root (no ${marker} above ${fileURLToPath(moduleUrl)})`);
    dir = parent;
  }
  return `${dir}/`;
}
