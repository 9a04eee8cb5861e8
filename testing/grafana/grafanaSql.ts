/**
 * A panel's SQL as Grafana's PostgreSQL datasource sends it to the database: dashboard variables first (the
 * frontend), then `$__interval`/`$__interval_ms`/`$__unixEpochFrom()`/`$__unixEpochTo()` and the macros (the
 * backend). Follows Grafana's pkg/tsdb/grafana-postgresql-datasource/macros.go and sqleng.Interpolate, so the
 * tests can run every panel query without Grafana. The fill argument of `$__timeGroup` does not change the
 * SQL (Grafana fills missing buckets after the query) and is ignored here.
 */
export interface GrafanaQueryContext {
  readonly from: Date;
  readonly to: Date;
  readonly intervalMs: number;
  /** The datasource's `timescaledb` setting: `$__timeGroup` becomes `time_bucket(...)`. */
  readonly timescaledb: boolean;
  /** Single values of the dashboard's variables. */
  readonly variables: Readonly<Record<string, string>>;
}

/** A reference to a variable: `$name`, `${name}` (with an optional `:format`) or `[[name]]`. */
const VARIABLE = /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g;

/** The dashboard variables a text refers to (Grafana's own, `$__…`, left out). */
export function variablesUsed(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => m[1] ?? m[2] ?? m[3] ?? '').filter((n) => !n.startsWith('__'));
}

/** Dashboard variables (`$name`, `${name}`, `[[name]]`); single string values with `'` doubled, as Grafana's SQL datasources do. */
export function interpolateVariables(sql: string, variables: Readonly<Record<string, string>>): string {
  return sql.replace(VARIABLE, (match, braced?: string, bracketed?: string, plain?: string) => {
    const name = braced ?? bracketed ?? plain ?? '';
    if (name.startsWith('__')) return match;
    const value = variables[name];
    if (value === undefined) throw new Error(`undefined dashboard variable $${name}`);
    return value.replaceAll("'", "''");
  });
}

/** Go's time.RFC3339Nano in UTC: no fraction when it is zero, else without trailing zeros. */
function rfc3339Nano(date: Date): string {
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits === '' ? 'Z' : `.${digits}Z`));
}

/** grafana-plugin-sdk-go gtime.FormatInterval. */
export function formatInterval(ms: number): string {
  const units: [number, string][] = [[365 * 86_400_000, 'y'], [86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's'], [1, 'ms']];
  for (const [size, unit] of units) if (ms >= size) return `${String(Math.floor(ms / size))}${unit}`;
  return '1ms';
}

/** gtime.ParseInterval for the widths dashboards use: Go durations of one unit, and days and weeks. */
function parseIntervalSeconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text);
  if (match === null) throw new Error(`error parsing interval ${text}`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[match[2] as 'ms'];
  return Number(match[1]) * factor;
}

function expandMacro(name: string, args: string[], ctx: GrafanaQueryContext): string {
  const from = rfc3339Nano(ctx.from);
  const to = rfc3339Nano(ctx.to);
  const fromS = Math.floor(ctx.from.getTime() / 1000);
  const toS = Math.floor(ctx.to.getTime() / 1000);
  const column = () => {
    if (args[0] === undefined || args[0] === '') throw new Error(`missing time column argument for macro ${name}`);
    return args[0];
  };
  const seconds = () => {
    if (args.length < 2) throw new Error(`macro ${name} needs time column and interval and optional fill value`);
    return parseIntervalSeconds((args[1] ?? '').replaceAll("'", '').trim());
  };
  switch (name) {
    case '__time': return `${column()} AS "time"`;
    case '__timeEpoch': return `extract(epoch from ${column()}) as "time"`;
    case '__timeFilter': return `${column()} BETWEEN '${from}' AND '${to}'`;
    case '__timeFrom': return `'${from}'`;
    case '__timeTo': return `'${to}'`;
    case '__timeGroup':
    case '__timeGroupAlias': {
      const width = seconds();
      const group = ctx.timescaledb
        ? `time_bucket('${width.toFixed(3)}s',${column()})`
        : `floor(extract(epoch from ${column()})/${String(width)})*${String(width)}`;
      return name === '__timeGroupAlias' ? `${group} AS "time"` : group;
    }
    case '__unixEpochFilter': return `${column()} >= ${String(fromS)} AND ${column()} <= ${String(toS)}`;
    case '__unixEpochNanoFilter':
      return `${column()} >= ${String(BigInt(ctx.from.getTime()) * 1_000_000n)} AND ${column()} <= ${String(BigInt(ctx.to.getTime()) * 1_000_000n)}`;
    case '__unixEpochNanoFrom': return String(BigInt(ctx.from.getTime()) * 1_000_000n);
    case '__unixEpochNanoTo': return String(BigInt(ctx.to.getTime()) * 1_000_000n);
    case '__unixEpochGroup':
    case '__unixEpochGroupAlias': {
      const width = seconds();
      const group = `floor((${column()})/${String(width)})*${String(width)}`;
      return name === '__unixEpochGroupAlias' ? `${group} AS "time"` : group;
    }
    default: throw new Error(`unknown macro "${name}"`);
  }
}

/** The SQL Grafana sends for a panel target: variables, then interval and epoch substitutions, then macros. */
export function grafanaSql(sql: string, ctx: GrafanaQueryContext): string {
  const interpolated = interpolateVariables(sql, ctx.variables)
    .replaceAll('$__interval_ms', String(ctx.intervalMs))
    .replaceAll('$__interval', formatInterval(ctx.intervalMs))
    .replaceAll('$__unixEpochFrom()', String(Math.floor(ctx.from.getTime() / 1000)))
    .replaceAll('$__unixEpochTo()', String(Math.floor(ctx.to.getTime() / 1000)));
  return interpolated.replace(/\$([_a-zA-Z0-9]+)\(([^)]*)\)/g, (match, name: string, args: string) => {
    // Grafana before 5.3 wrote `$__timeGroup(...)` followed by a comma to mean the aliased form; it still does,
    // looking after the first occurrence of the same macro text (so every identical occurrence is aliased).
    const followedByComma = interpolated[interpolated.indexOf(match) + match.length] === ',';
    const macro = name === '__timeGroup' && followedByComma ? '__timeGroupAlias' : name;
    return expandMacro(macro, args.split(',').map((a) => a.trim()), ctx);
  });
}
