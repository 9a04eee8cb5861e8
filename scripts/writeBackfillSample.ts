import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE, sampleCsvGz } from '../backfill/samples/makeSampleCsv.js';
import { PROJECT_ROOT } from '../testing/services/localServices.js';

/** Writes the bundled sample trades file (synthetic, deterministic); a unit test keeps it equal to the generator. */
const path = join(PROJECT_ROOT, SAMPLE.path);
writeFileSync(path, sampleCsvGz());
console.log(`wrote ${path}`);
