import type { Dashboard } from '@grafana/schema';
import { pipelineHealthDashboard } from './pipelineHealthDashboard.js';
import { strategyPerformanceDashboard } from './strategyPerformanceDashboard.js';

/** Every provisioned dashboard, by its file name in grafana/dashboards/. */
export function dashboards(): Record<string, Dashboard> {
  return {
    'strategy-performance.json': strategyPerformanceDashboard(),
    'pipeline-health.json': pipelineHealthDashboard(),
  };
}

/** A dashboard file as `make dashboards` writes it. */
export function renderDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
