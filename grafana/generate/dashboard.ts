import { DashboardCursorSync, type AnnotationQuery, type Dashboard, type Panel, type RowPanel, type VariableModel } from '@grafana/schema';
import type { SqlDataQuery } from './panels.js';
import { GRAFANA } from './datasources.js';

/**
 * The dashboard schema version written: 41 is what Grafana 11.6 and 12.0 write, so the pinned Grafana
 * (docker-compose.yml) loads the files without migrating them, and newer versions migrate them on load.
 */
export const SCHEMA_VERSION = 41;

/** The tag every dashboard of the project carries: the dashboards' links to each other list it. */
export const PROJECT_TAG = 'crypto-strategy-engine';

/** Built-in "Annotations & Alerts": Grafana's own annotations and alert state changes. */
const BUILT_IN_ANNOTATIONS: AnnotationQuery = {
  builtIn: 1, datasource: GRAFANA, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard',
};

/** A dashboard as file provisioning loads it: fixed uid, no id, no `__inputs`, UTC, linked to the others. */
export function dashboard(d: {
  uid: string; title: string; description: string; tags: readonly string[]; refresh: string; timeFrom: string;
  variables: readonly VariableModel[]; annotations: readonly AnnotationQuery<SqlDataQuery>[]; panels: (Panel | RowPanel)[];
}): Dashboard {
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: [...d.tags],
    timezone: 'utc',
    editable: true,
    graphTooltip: DashboardCursorSync.Crosshair,
    refresh: d.refresh,
    time: { from: d.timeFrom, to: 'now' },
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    links: [{ title: 'Dashboards', type: 'dashboards', tags: [PROJECT_TAG], asDropdown: true, includeVars: false, keepTime: true, icon: 'external link', targetBlank: false, tooltip: '', url: '' }],
    templating: { list: [...d.variables] },
    annotations: { list: [BUILT_IN_ANNOTATIONS, ...d.annotations] },
    panels: d.panels,
  };
}
