import { readdirSync, readFileSync } from 'node:fs';
import type { Dashboard, Panel, RowPanel, VariableModel } from '@grafana/schema';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { variablesUsed } from '../../testing/grafana/grafanaSql.js';
import { SCHEMA_VERSION } from './dashboard.js';
import { dashboards, renderDashboard } from './dashboards.js';

const GRAFANA_DIR = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, GRAFANA_DIR), 'utf8');

interface ProvisionedDatasource { readonly name: string; readonly type: string; readonly uid: string }
const provisioned = (parse(read('provisioning/datasources/datasources.yaml')) as { datasources: ProvisionedDatasource[] }).datasources;
const datasourceTypes = new Map<string, string>([['-- Grafana --', 'grafana'], ...provisioned.map((d): [string, string] => [d.uid, d.type])]);

/** React panel types of Grafana 11 and 12 (Angular panels no longer load). */
const PANEL_TYPES = new Set(['row', 'timeseries', 'stat', 'table', 'gauge', 'bargauge', 'barchart', 'state-timeline', 'text', 'heatmap']);

/** Every datasource reference in a dashboard: panels, targets, variables, annotations. */
function datasourceRefs(d: Dashboard): { where: string; uid: string; type: string }[] {
  const refs: { where: string; uid: string; type: string }[] = [];
  const add = (where: string, ref: unknown) => {
    const r = ref as { uid?: string; type?: string } | undefined;
    if (r !== undefined) refs.push({ where, uid: r.uid ?? '', type: r.type ?? '' });
  };
  for (const p of d.panels ?? []) {
    add(`panel ${String(p.id)}`, p.datasource);
    for (const t of (p as Panel).targets ?? []) add(`panel ${String(p.id)} target`, t['datasource']);
  }
  for (const v of d.templating?.list ?? []) add(`variable ${v.name}`, v.datasource);
  for (const a of d.annotations?.list ?? []) {
    add(`annotation ${a.name}`, a.datasource);
    add(`annotation ${a.name} target`, (a.target as { datasource?: unknown } | undefined)?.datasource);
  }
  return refs;
}

/** The text of every query, title and description, where Grafana substitutes variables. */
function templatedTexts(d: Dashboard): { where: string; text: string }[] {
  const texts: { where: string; text: string }[] = [];
  for (const p of d.panels ?? []) {
    texts.push({ where: `panel ${String(p.id)} title`, text: p.title ?? '' });
    for (const t of (p as Panel).targets ?? []) texts.push({ where: `panel ${String(p.id)} ${String(t['refId'])}`, text: String(t['rawSql'] ?? t['expr']) });
  }
  for (const v of d.templating?.list ?? []) texts.push({ where: `variable ${v.name}`, text: queryText(v) });
  for (const a of d.annotations?.list ?? []) texts.push({ where: `annotation ${a.name}`, text: (a.target as { rawSql?: string } | undefined)?.rawSql ?? '' });
  return texts;
}

const queryText = (v: VariableModel) => (typeof v.query === 'string' ? v.query : JSON.stringify(v.query));


describe.each(Object.entries(dashboards()))('dashboard %s', (file, d) => {
  const panels = d.panels ?? [];

  it('is committed as `make dashboards` writes it', () => {
    expect(read(`dashboards/${file}`)).toBe(renderDashboard(d));
  });

  it('loads by file provisioning as-is: schema version, fixed uid, no id, no import placeholders', () => {
    expect(d.schemaVersion).toBe(SCHEMA_VERSION);
    expect(d.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(d.id).toBeUndefined();
    expect(JSON.stringify(d)).not.toMatch(/__inputs|\$\{DS_/);
  });

  it('has unique integer panel ids, React panel types, and a title and description on every panel', () => {
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id) && (id ?? 0) > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(panels.filter((p) => !PANEL_TYPES.has(p.type)).map((p) => p.type)).toEqual([]);
    expect(panels.filter((p) => p.type !== 'row' && ((p as Panel).description ?? '') === '').map((p) => p.title)).toEqual([]);
    expect(panels.filter((p) => (p.title ?? '') === '').map((p) => p.id)).toEqual([]);
  });

  it('places panels on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const p of panels) {
      const g = p.gridPos ?? { x: 0, y: 0, w: 0, h: 0 };
      expect(g.x + g.w, `panel ${String(p.id)}`).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${String(x)},${String(y)}`), `panel ${String(p.id)} overlaps at ${String(x)},${String(y)}`).toBe(false);
          cells.add(`${String(x)},${String(y)}`);
        }
      }
    }
  });

  it('gives every query a unique refId and at least one query to every panel', () => {
    for (const p of panels.filter((p): p is Panel => p.type !== 'row')) {
      const refIds = (p.targets ?? []).map((t) => t['refId']);
      expect(refIds.length, p.title).toBeGreaterThan(0);
      expect(new Set(refIds).size, p.title).toBe(refIds.length);
    }
    expect(panels.filter((p) => p.type === 'row').every((r) => (r as RowPanel).panels.length === 0), 'rows hold no collapsed panels').toBe(true);
  });

  it('refers only to provisioned datasources, by uid and matching type', () => {
    const refs = datasourceRefs(d);
    expect(refs.length).toBeGreaterThan(panels.length);
    expect(refs.filter((r) => datasourceTypes.get(r.uid) !== r.type)).toEqual([]);
  });

  it('uses only variables it defines, each defined before the variables that use it', () => {
    const names = (d.templating?.list ?? []).map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    const undefinedUses = templatedTexts(d).flatMap(({ where, text }) => variablesUsed(text).filter((n) => !names.includes(n)).map((n) => `${where}: $${n}`));
    expect(undefinedUses).toEqual([]);
    for (const [index, v] of (d.templating?.list ?? []).entries()) {
      const later = variablesUsed(queryText(v)).filter((n) => names.indexOf(n) >= index);
      expect(later, `variable ${v.name}`).toEqual([]);
    }
  });
});

describe('grafana/dashboards', () => {
  it('holds exactly the generated dashboards, with unique uids and titles', () => {
    const files = readdirSync(new URL('dashboards/', GRAFANA_DIR)).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(Object.keys(dashboards()).sort());
    const all = Object.values(dashboards());
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    expect(new Set(all.map((d) => d.title)).size).toBe(all.length);
  });

  it('are loaded by the provisioned dashboard provider from the directory docker-compose.yml mounts', () => {
    const providers = (parse(read('provisioning/dashboards/dashboards.yaml')) as { apiVersion: number; providers: { type: string; options: { path: string } }[] });
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers.map((p) => [p.type, p.options.path])).toEqual([['file', '/etc/grafana/dashboards']]);
  });

  it('provisions the datasources with fixed uids, PostgreSQL as the read-only role with TimescaleDB macros', () => {
    expect(provisioned.map((d) => [d.uid, d.type])).toEqual([
      ['prometheus', 'prometheus'], ['timescaledb', 'grafana-postgresql-datasource'], ['alertmanager', 'alertmanager'],
    ]);
    const pg = provisioned[1] as unknown as { user: string; jsonData: { timescaledb: boolean }; secureJsonData: { password: string } };
    expect([pg.user, pg.jsonData.timescaledb, pg.secureJsonData.password]).toEqual(['grafana_reader', true, '$GRAFANA_DB_PASSWORD']);
  });
});
