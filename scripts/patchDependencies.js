// Applies the project's patches to installed dependencies. Run right after every `npm ci`: package.json's
// `postinstall` runs it after a plain `npm ci` or `npm install`; the Makefile's node_modules target, .ci/run and
// the Dockerfile install with `--ignore-scripts` (no dependency's install script runs) and run it themselves.
// Idempotent: an already patched file is left alone. It fails loudly, changing nothing, when an installed file
// is neither the exact upstream file the patch was written for nor the patched result: then the dependency was
// upgraded, and the patch must be re-checked against the new release (or dropped, once upstream has the fix).
//
//   node scripts/patchDependencies.js          apply (or confirm) every patch
//   node scripts/patchDependencies.js --check  exit 1 unless every patch is applied
//   ... --root DIR                             the installation under DIR instead of this checkout's
//
// postgres 3.4.9, src/connection.js (and its cjs and cf copies): porsager/postgres#1066, #1154, #1208.
//   When the server closes a connection (pg_ctl stop -m fast or immediate, a failover, a proxy), a query sent on
//   it afterwards (the next statement of a transaction whose connection died, or its ROLLBACK) is written
//   through a setImmediate that dereferences the socket closed() has set to null: an uncaught
//   `TypeError: Cannot read properties of null (reading 'write')` that kills the process. The patch
//   (1) rejects a query executed on a closed connection with CONNECTION_CLOSED, like any query the close
//       interrupted, (2) makes nextWrite a no-op without a socket (the guard of porsager/postgres#1168/#1176),
//   and (3) forgets the unsent bytes and the cancelled write timer on close, so that the next connection's
//   startup message is neither appended to a dead connection's bytes nor left unsent.
//   Drop this patch once a postgres release contains a fix (3.4.9 does not), after
//   scripts/patchDependencies.int.test.ts passes without it.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

// The project root; `--root DIR` patches another installation (the tests use a copy).
const rootAt = process.argv.indexOf('--root');
const ROOT = rootAt > 0 && process.argv[rootAt + 1] !== undefined ? process.argv[rootAt + 1] : join(dirname(fileURLToPath(import.meta.url)), '..');

// As npm's postinstall hook of a package installed into another project (from git or a tarball), the
// dependencies are the other project's (hoisted out of ROOT): leave them alone, and say so. The engine and
// replay refuse to start on an unpatched postgres.js (db/assertPostgresPatched.ts).
const initCwd = process.env.INIT_CWD;
if (process.env.npm_lifecycle_event === 'postinstall' && initCwd !== undefined && resolve(initCwd) !== resolve(ROOT)) {
  process.stderr.write(`patchDependencies: installed as a dependency of ${initCwd}: postgres.js not patched here; `
    + `run node ${join(ROOT, 'scripts/patchDependencies.js')} --root ${initCwd} to patch that project's copy\n`);
  process.exit(0);
}

// Also in db/assertPostgresPatched.ts, which checks it at the programs' start.
const MARK = '/* patched by scripts/patchDependencies.js: porsager/postgres#1066 */';
const connectionEdits = [
  {
    from: '    if (stream)\n      return queryError(q, Errors.generic(\'COPY_IN_PROGRESS\'',
    to: `    ${MARK}\n    if (socket === null)\n      return (queryError(q, Errors.connection('CONNECTION_CLOSED', options)), true)\n\n` +
      '    if (stream)\n      return queryError(q, Errors.generic(\'COPY_IN_PROGRESS\'',
  },
  {
    from: '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    to: '  function nextWrite(fn) {\n    if (socket === null)\n      return (chunk = nextWriteTimer = null, false)\n    const x = socket.write(chunk, fn)',
  },
  {
    from: '    incomings = null\n    clearImmediate(nextWriteTimer)\n    socket.removeListener(\'data\', data)',
    to: '    incomings = null\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener(\'data\', data)',
  },
];

/** Each patched file: the sha256 of the upstream file it applies to, and the edits. */
const PATCHES = [
  { file: 'node_modules/postgres/src/connection.js', upstream: 'ee3a218d9aa6a6f2887c1a19da50009335fe84c11a5431d5cab72d6bc528632f', edits: connectionEdits },
  { file: 'node_modules/postgres/cjs/src/connection.js', upstream: 'ce6d375809baad79963ef9b3773e6ac757bcf6da2362d4d85482bb14c2c751be', edits: connectionEdits },
  { file: 'node_modules/postgres/cf/src/connection.js', upstream: '3efad812b825f76708f2e62e8dd00088900206e04afed2dc4b75b9aecd435fa9', edits: connectionEdits },
];

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** The patched text of an upstream file, or an error naming the edit that does not fit. */
function patched(text, patch) {
  let result = text;
  for (const edit of patch.edits) {
    const at = result.indexOf(edit.from);
    if (at < 0 || result.indexOf(edit.from, at + 1) >= 0) throw new Error(`${patch.file}: an edit does not apply exactly once:\n${edit.from}`);
    result = result.slice(0, at) + edit.to + result.slice(at + edit.from.length);
  }
  return result;
}

const checkOnly = process.argv.includes('--check');
const problems = [];
const writes = [];
for (const patch of PATCHES) {
  const path = join(ROOT, patch.file);
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`${patch.file}: cannot be read (${error.message}); run npm ci first`);
    continue;
  }
  const hash = sha256(text);
  if (hash === patch.upstream) {
    if (checkOnly) {
      problems.push(`${patch.file}: not patched; run node scripts/patchDependencies.js`);
      continue;
    }
    writes.push({ path, file: patch.file, text: patched(text, patch) });
    continue;
  }
  // Already patched: the file is exactly the upstream file with the edits applied.
  if (text.includes(MARK) || text.includes('chunk = nextWriteTimer = null\n    socket.removeListener')) {
    const original = patch.edits.reduceRight((t, edit) => t.replace(edit.to, edit.from), text);
    if (sha256(original) === patch.upstream) continue;
  }
  problems.push(`${patch.file}: sha256 ${hash} is neither upstream ${patch.upstream} nor its patched form. ` +
    'The dependency changed: re-check the patch in scripts/patchDependencies.js against the new release ' +
    '(drop it if the release fixes porsager/postgres#1066), then update the hash.');
}
if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`patchDependencies: ${problem}\n`);
  process.exit(1);
}
// Written only once every file is known to be either upstream or patched, so a failure changes nothing.
for (const { path, file, text } of writes) {
  writeFileSync(path, text);
  process.stdout.write(`patched ${file}\n`);
}
