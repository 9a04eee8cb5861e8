import { projectRoot } from '../runtime/projectRoot.js';
import { readServicesEnvFile, runDoctor } from './doctor/runDoctor.js';
import { formatReport } from './doctor/verdicts.js';

/**
 * `make doctor`: checks each prerequisite and local service, prints a verdict (ok, warning, missing) and the
 * fix for each problem, and exits 1 when the main job (`make services-up producer`) cannot run.
 */
const root = projectRoot(import.meta.url, 'services/services.sh');
const results = await runDoctor(root, { ...readServicesEnvFile(root), ...process.env });
const { text, exitCode } = formatReport(results);
console.log(text);
process.exitCode = exitCode;
