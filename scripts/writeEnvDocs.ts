import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample, withEnvTable } from '../config/renderEnvDocs.js';
import { PROJECT_ROOT } from '../testing/services/localServices.js';

/** `make docs`: rewrites the README's env-var table and `.env.example` from config/envVars.ts. */
const readme = `${PROJECT_ROOT}README.md`;
writeFileSync(readme, withEnvTable(readFileSync(readme, 'utf8')));
writeFileSync(`${PROJECT_ROOT}.env.example`, renderEnvExample());
console.log('README.md and .env.example updated');
