import { describe, expect, it } from 'vitest';
import { formatInterval, grafanaSql, interpolateVariables, type GrafanaQueryContext } from './grafanaSql.js';

// The expectations are those of Grafana's pkg/tsdb/grafana-postgresql-datasource/macros_test.go.
const ctx: GrafanaQueryContext = {
  from: new Date('2018-04-12T18:00:00Z'), to: new Date('2018-04-12T18:05:00Z'), intervalMs: 60_000, timescaledb: false, variables: {},
};
const timescale = { ...ctx, timescaledb: true };

describe('Grafana SQL as sent to PostgreSQL', () => {
  it('expands the time macros', () => {
    expect(grafanaSql('select $__time(time_column)', ctx)).toBe('select time_column AS "time"');
    expect(grafanaSql('select $__timeEpoch(time)', ctx)).toBe('select extract(epoch from time) as "time"');
    expect(grafanaSql('WHERE $__timeFilter(time_column)', ctx)).toBe("WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'");
    expect(grafanaSql('select $__timeFrom(), $__timeTo()', ctx)).toBe("select '2018-04-12T18:00:00Z', '2018-04-12T18:05:00Z'");
    expect(grafanaSql('select $__unixEpochFilter(time)', ctx)).toBe('select time >= 1523556000 AND time <= 1523556300');
    expect(grafanaSql('select $__unixEpochNanoFilter(time)', ctx)).toBe('select time >= 1523556000000000000 AND time <= 1523556300000000000');
    expect(grafanaSql('select $__unixEpochFrom(), $__unixEpochTo()', ctx)).toBe('select 1523556000, 1523556300');
  });

  it('groups time in epoch seconds, or with time_bucket on TimescaleDB', () => {
    expect(grafanaSql("GROUP BY $__timeGroup(time_column,'5m')", ctx)).toBe('GROUP BY floor(extract(epoch from time_column)/300)*300');
    expect(grafanaSql("GROUP BY $__timeGroup(time_column,'5m')", timescale)).toBe("GROUP BY time_bucket('300.000s',time_column)");
    expect(grafanaSql("select $__timeGroupAlias(time_column,'5m')", ctx)).toBe('select floor(extract(epoch from time_column)/300)*300 AS "time"');
    expect(grafanaSql("select $__timeGroup(time_column, '20ms')", timescale)).toBe("select time_bucket('0.020s',time_column)");
    expect(grafanaSql("select $__unixEpochGroupAlias(time,'5m')", ctx)).toBe('select floor((time)/300)*300 AS "time"');
  });

  it('keeps the pre-5.3 quirk: a $__timeGroup followed by a comma is aliased', () => {
    expect(grafanaSql("SELECT $__timeGroup(time_column,'5m'), value", ctx)).toBe('SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value');
    expect(grafanaSql("SELECT $__timeGroup(t,'5m'), v GROUP BY $__timeGroup(t,'5m')", ctx), 'every identical occurrence, as Grafana does')
      .toBe('SELECT floor(extract(epoch from t)/300)*300 AS "time", v GROUP BY floor(extract(epoch from t)/300)*300 AS "time"');
  });

  it('substitutes $__interval as gtime formats it, before the macros', () => {
    expect(grafanaSql('select $__timeGroupAlias(t, $__interval), $__interval_ms', timescale)).toBe(`select time_bucket('60.000s',t) AS "time", 60000`);
    expect([formatInterval(500), formatInterval(1500), formatInterval(90 * 60_000), formatInterval(0)]).toEqual(['500ms', '1s', '1h', '1ms']);
  });

  it('rejects what Grafana rejects', () => {
    expect(() => grafanaSql('select $__timeGroupp(t)', ctx)).toThrow('unknown macro "__timeGroupp"');
    expect(() => grafanaSql('select $__timeGroup(t)', ctx)).toThrow('needs time column and interval');
  });

  it('interpolates single-value variables with quotes doubled, and refuses undefined ones', () => {
    expect(interpolateVariables("WHERE a = '$run' AND b = ${n} AND c = '[[p]]'", { run: "o'clock", n: '5', p: 'x' }))
      .toBe("WHERE a = 'o''clock' AND b = 5 AND c = 'x'");
    expect(() => interpolateVariables('$nope', {})).toThrow('undefined dashboard variable $nope');
  });
});
