import type { DataSourceRef } from '@grafana/schema';

/**
 * The provisioned datasources, by the fixed uids of grafana/provisioning/datasources/datasources.yaml: every
 * panel, variable and annotation refers to these, so dashboards load without any import step.
 */
export const PROMETHEUS = { type: 'prometheus', uid: 'prometheus' } as const satisfies DataSourceRef;
export const TIMESCALEDB = { type: 'grafana-postgresql-datasource', uid: 'timescaledb' } as const satisfies DataSourceRef;
export const ALERTMANAGER = { type: 'alertmanager', uid: 'alertmanager' } as const satisfies DataSourceRef;
/** Grafana's own datasource (the built-in annotations). */
export const GRAFANA = { type: 'grafana', uid: '-- Grafana --' } as const satisfies DataSourceRef;
