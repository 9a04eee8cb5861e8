// `make doctor`'s first check, before anything is installed or built (so plain JavaScript, no dependency):
// whether this Node.js satisfies package.json's `engines` (a `>=X.Y.Z` range). Prints one line and exits 1
// when it is older, or when the range cannot be read; prints nothing and exits 0 otherwise. The built doctor
// (dist/scripts/doctor.js) reports it again among its other checks.
//
//   node scripts/doctorPreflight.js              this checkout's package.json
//   node scripts/doctorPreflight.js --root DIR   DIR/package.json instead (the tests use a copy)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const rootAt = process.argv.indexOf('--root');
const ROOT = rootAt > 0 && process.argv[rootAt + 1] !== undefined ? process.argv[rootAt + 1] : join(dirname(fileURLToPath(import.meta.url)), '..');

const parts = (text) => {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  return match === null ? null : [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
};

const engines = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines?.node ?? '';
const minimum = /^>=\s*(\S+)$/.exec(engines.trim());
const want = minimum === null ? null : parts(minimum[1]);
const have = parts(process.version);
if (want === null || have === null) {
  process.stderr.write(`missing  Node.js  cannot compare ${process.version} with package.json's engines "${engines}"; fix: use a Node.js that package.json's engines allows\n`);
  process.exitCode = 1;
} else {
  const cmp = have[0] - want[0] || have[1] - want[1] || have[2] - want[2];
  if (cmp < 0) {
    process.stderr.write(`missing  Node.js  ${process.version} is older than package.json's ${engines}; fix: install Node.js ${engines} (https://nodejs.org or NodeSource's apt repository)\n`);
    process.exitCode = 1;
  }
}
