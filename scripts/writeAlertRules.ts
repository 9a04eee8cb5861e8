import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/ConfigError.js';
import { loadProgramConfig } from '../config/loadProgramConfig.js';
import { alertRules, renderAlertRules } from '../metrics/alerts/alertRules.js';

/** `make alerts`: writes prometheus/alerts.yml with the thresholds of the ALERT_* variables. */
const file = fileURLToPath(new URL('../../prometheus/alerts.yml', import.meta.url));
try {
  writeFileSync(file, renderAlertRules(alertRules(loadProgramConfig('alerts', process.env))));
  process.stdout.write(`${file} written\n`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`alerts: ${error.message}\n`);
  process.exitCode = 78;
}
