import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What scripts/patchDependencies.js writes into each file it patches (its `MARK`). */
const PATCH_MARK = 'patched by scripts/patchDependencies.js: porsager/postgres#1066';

/**
 * Fails fast when the installed postgres.js lacks the project's patch (scripts/patchDependencies.js): without
 * it a PostgreSQL restart kills the program with an uncaught `TypeError` (porsager/postgres#1066). Installs with
 * `--ignore-scripts`, or a Docker layer that installs before copying `scripts/`, skip the `postinstall` hook
 * that applies it. `connectionFile`: the ESM build's src/connection.js, which programs load (by default, the one
 * `import 'postgres'` resolves to). Throws an Error naming the file and the fix.
 */
export function assertPostgresPatched(connectionFile = fileURLToPath(new URL('connection.js', import.meta.resolve('postgres')))): void {
  let text: string;
  try {
    text = readFileSync(connectionFile, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${connectionFile} to check the postgres.js patch: ${(error as Error).message}`);
  }
  if (!text.includes(PATCH_MARK)) {
    throw new Error(`postgres.js is not patched (${connectionFile}): run \`node scripts/patchDependencies.js\` after \`npm ci\` `
      + '(make, .ci/run and the Dockerfile do; `npm ci --ignore-scripts` does not). Unpatched, a PostgreSQL restart kills this program (porsager/postgres#1066)');
  }
}
