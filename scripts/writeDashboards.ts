import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dashboards, renderDashboard } from '../grafana/generate/dashboards.js';

/** `make dashboards`: writes grafana/dashboards/*.json from grafana/generate/. */
for (const [name, dashboard] of Object.entries(dashboards())) {
  const file = fileURLToPath(new URL(`../../grafana/dashboards/${name}`, import.meta.url));
  writeFileSync(file, renderDashboard(dashboard));
  process.stdout.write(`${file} written\n`);
}
