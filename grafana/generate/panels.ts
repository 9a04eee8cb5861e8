import { ThresholdsMode, type DataQuery, type Panel, type RowPanel } from '@grafana/schema';
import { PROMETHEUS, TIMESCALEDB } from './datasources.js';

/** A PromQL query of a panel; `legend` is Grafana's legend format (`{{label}}`). */
export interface PromQuery {
  readonly kind: 'prom';
  readonly expr: string;
  readonly legend: string;
}

/**
 * A SQL query of a panel, with Grafana's macros (`$__timeFilter(time)`…) and the dashboard's variables.
 * `time_series` results need a `time` column; a string column named `metric` names the series.
 */
export interface SqlQuery {
  readonly kind: 'sql';
  readonly sql: string;
  readonly format: 'time_series' | 'table';
}

export type Query = PromQuery | SqlQuery;

export const prom = (expr: string, legend = '__auto'): PromQuery => ({ kind: 'prom', expr, legend });
export const sql = (text: string, format: SqlQuery['format'] = 'time_series'): SqlQuery =>
  ({ kind: 'sql', sql: text.replace(/\s+/g, ' ').trim(), format });

/** What a panel shows and how; its place and id come from {@link layout}. */
export interface PanelSpec {
  readonly title: string;
  /** The question the panel answers (shown in Grafana's panel info, and in the README). */
  readonly description: string;
  readonly type: 'timeseries' | 'stat' | 'table';
  readonly queries: readonly Query[];
  /** Columns of the 24-column grid. */
  readonly width: number;
  readonly height?: number;
  readonly unit?: string;
  readonly decimals?: number;
  readonly min?: number;
  /** Draw style of a time series: lines (default), bars, or steps (a value held until the next). */
  readonly style?: 'line' | 'bars' | 'steps';
  /** Red at or above this value (stat panels). */
  readonly redAbove?: number;
}

/** A raw SQL query as Grafana's PostgreSQL datasource stores it (panel targets, annotations). */
export interface SqlDataQuery extends DataQuery {
  readonly editorMode: 'code';
  readonly format: SqlQuery['format'];
  readonly rawQuery: true;
  readonly rawSql: string;
}

export const sqlTarget = (query: SqlQuery, refId: string): SqlDataQuery =>
  ({ refId, datasource: TIMESCALEDB, editorMode: 'code', format: query.format, rawQuery: true, rawSql: query.sql });

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function target(query: Query, index: number): Record<string, unknown> {
  const refId = REF_IDS[index] ?? `Q${String(index)}`;
  if (query.kind === 'sql') return { ...sqlTarget(query, refId) };
  return { refId, datasource: PROMETHEUS, editorMode: 'code', expr: query.expr, legendFormat: query.legend, range: true };
}

function options(spec: PanelSpec): Record<string, unknown> {
  switch (spec.type) {
    case 'timeseries':
      return { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } };
    case 'stat':
      return {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value', graphMode: 'area', justifyMode: 'auto', orientation: 'auto', textMode: 'auto',
      };
    case 'table':
      return { showHeader: true, cellHeight: 'sm' };
  }
}

function custom(spec: PanelSpec): Record<string, unknown> {
  if (spec.type !== 'timeseries') return {};
  if (spec.style === 'bars') return { drawStyle: 'bars', fillOpacity: 80, lineWidth: 1 };
  if (spec.style === 'steps') return { drawStyle: 'line', lineInterpolation: 'stepAfter', fillOpacity: 10, lineWidth: 1 };
  return { drawStyle: 'line', lineInterpolation: 'linear', fillOpacity: 0, lineWidth: 1, showPoints: 'never', spanNulls: false };
}

function panel(spec: PanelSpec, id: number, x: number, y: number): Panel {
  const datasources = new Set(spec.queries.map((q) => q.kind));
  if (datasources.size !== 1) throw new Error(`panel "${spec.title}" must query exactly one datasource`);
  const red = spec.redAbove === undefined ? [] : [{ color: 'red', value: spec.redAbove }];
  return {
    id,
    type: spec.type,
    title: spec.title,
    description: spec.description,
    gridPos: { x, y, w: spec.width, h: spec.height ?? 8 },
    datasource: datasources.has('prom') ? PROMETHEUS : TIMESCALEDB,
    targets: spec.queries.map(target),
    fieldConfig: {
      defaults: {
        ...(spec.unit === undefined ? {} : { unit: spec.unit }),
        ...(spec.decimals === undefined ? {} : { decimals: spec.decimals }),
        ...(spec.min === undefined ? {} : { min: spec.min }),
        custom: custom(spec),
        thresholds: { mode: ThresholdsMode.Absolute, steps: [{ color: 'green', value: null }, ...red] },
      },
      overrides: [],
    },
    options: options(spec),
  };
}

/** A titled group of panel rows. */
export interface Section {
  readonly title: string;
  readonly rows: readonly (readonly PanelSpec[])[];
}

/**
 * The dashboard's panels: a row header per section, then each row of panels left to right (at most 24
 * columns), ids numbered from 1 in reading order.
 */
export function layout(sections: readonly Section[]): (Panel | RowPanel)[] {
  const panels: (Panel | RowPanel)[] = [];
  let id = 1;
  let y = 0;
  for (const section of sections) {
    panels.push({ id: id++, type: 'row', title: section.title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
    y += 1;
    for (const row of section.rows) {
      const width = row.reduce((sum, p) => sum + p.width, 0);
      if (width > 24) throw new Error(`row "${row.map((p) => p.title).join(', ')}" is ${String(width)} columns wide`);
      let x = 0;
      for (const spec of row) {
        panels.push(panel(spec, id++, x, y));
        x += spec.width;
      }
      y += Math.max(...row.map((p) => p.height ?? 8));
    }
  }
  return panels;
}
