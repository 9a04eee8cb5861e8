import { VariableRefresh, VariableSort, type Dashboard, type VariableModel } from '@grafana/schema';
import { dashboard } from './dashboard.js';
import { TIMESCALEDB } from './datasources.js';
import { layout, sql, sqlTarget, type PanelSpec } from './panels.js';

/**
 * One strategy instance of a run. Numeric variables are compared as text, so that a dashboard over an empty
 * database (variables without values) shows "No data" rather than a SQL error.
 */
const INSTANCE = "strategy_id = '$strategy' AND params_key = '$params' AND product_id = '$product' AND interval_s::text = '$interval'";
const RUNS = "run_id IN ('$run', '$compare_run')";
/** Grafana cannot draw NaN or ±Infinity (a ratio over no dispersion): they become gaps. */
const finite = (column: string) => `NULLIF(NULLIF(NULLIF(${column}, 'NaN'), 'Infinity'), '-Infinity')`;
/** A sweep's combinations (`<run>.<n>`) share the bars of the sweep's run. */
const BARS_RUN = "regexp_replace('$run', '\\.[0-9]+$', '')";

const sqlVariable = (name: string, label: string, query: string, refresh: VariableRefresh, description: string): VariableModel => ({
  name, label, description, type: 'query', datasource: TIMESCALEDB, query: sql(query).sql,
  refresh, sort: VariableSort.disabled, multi: false, includeAll: false, options: [],
});

const VARIABLES: readonly VariableModel[] = [
  sqlVariable('run', 'Run', `
    SELECT run_id AS __value, run_id || ' (' || kind || coalesce(': ' || label, '') || ', ' || status
      || coalesce(', superseded by ' || superseded_by, '') || ')' AS __text
    FROM strategy_runs ORDER BY kind = 'live' AND superseded_by IS NULL DESC, started_at DESC`,
  VariableRefresh.onDashboardLoad, 'A run: the live engine\'s current run first (`live`, then `live-2`, … each time the engine started with other settings), earlier live runs, or a replay.'),
  sqlVariable('compare_run', 'Compare with', `
    SELECT run_id AS __value, run_id || ' (' || kind || coalesce(': ' || label, '') || ', ' || status || ')' AS __text
    FROM strategy_runs ORDER BY kind = 'replay' DESC, started_at DESC`,
  VariableRefresh.onDashboardLoad, 'A second run drawn beside the first: a replay of the same range, or another parameter set.'),
  sqlVariable('strategy', 'Strategy', `
    SELECT DISTINCT s->>'id' AS strategy FROM strategy_runs r CROSS JOIN jsonb_array_elements(r.strategies) s
    WHERE r.run_id = '$run' ORDER BY 1`,
  VariableRefresh.onDashboardLoad, 'A strategy of the run.'),
  sqlVariable('params', 'Parameters', `
    SELECT DISTINCT s->>'paramsKey' AS params FROM strategy_runs r CROSS JOIN jsonb_array_elements(r.strategies) s
    WHERE r.run_id = '$run' AND s->>'id' = '$strategy' ORDER BY 1`,
  VariableRefresh.onDashboardLoad, 'The strategy\'s parameter set (a run may hold several).'),
  sqlVariable('product', 'Product', `
    SELECT DISTINCT product_id FROM strategy_metrics
    WHERE run_id = '$run' AND strategy_id = '$strategy' AND params_key = '$params' AND $__timeFilter(time) ORDER BY 1`,
  VariableRefresh.onTimeRangeChanged, 'A product the strategy traded in the time range.'),
  sqlVariable('interval', 'Bar interval (s)', `
    SELECT DISTINCT interval_s FROM strategy_metrics
    WHERE run_id = '$run' AND strategy_id = '$strategy' AND params_key = '$params' AND product_id = '$product'
      AND $__timeFilter(time) ORDER BY 1`,
  VariableRefresh.onTimeRangeChanged, 'The bar interval, in seconds.'),
  sqlVariable('window', 'Rolling window (bars)', `
    SELECT DISTINCT window_bars FROM strategy_metrics
    WHERE run_id = '$run' AND ${INSTANCE} AND window_bars > 0 AND $__timeFilter(time) ORDER BY 1`,
  VariableRefresh.onTimeRangeChanged, 'The rolling window of the rolling statistics (ENGINE_STAT_WINDOWS).'),
];

/** The instance's statistic since the start (`column`: a select-list item), at its last bar in the time range. */
const latest = (title: string, column: string, unit: string, description: string): PanelSpec => ({
  title, description, type: 'stat', width: 4, height: 4, unit, decimals: 2,
  queries: [sql(`
    SELECT ${column} FROM strategy_metrics
    WHERE run_id = '$run' AND ${INSTANCE} AND window_bars = 0 AND $__timeFilter(time)
    ORDER BY time DESC LIMIT 1`, 'table')],
});

/** Strategy performance: one strategy instance of a run, and a second run beside it. */
export function strategyPerformanceDashboard(): Dashboard {
  return dashboard({
    uid: 'strategy-performance',
    title: 'Strategy performance',
    description: 'Equity, returns, risk-adjusted ratios, drawdown, position and trades of one strategy instance, live or replayed (TimescaleDB).',
    tags: ['crypto-strategy-engine', 'strategy'],
    refresh: '30s',
    timeFrom: 'now-24h',
    variables: VARIABLES,
    annotations: [{
      name: 'Signals', datasource: TIMESCALEDB, enable: true, hide: false, iconColor: 'orange',
      target: sqlTarget(sql(`
        SELECT time AS "time", upper(target) || ' at ' || price || ': ' || reason AS text, target AS tags
        FROM signals WHERE run_id = '$run' AND ${INSTANCE} AND $__timeFilter(time) ORDER BY time`, 'table'), 'Signals'),
    }],
    panels: layout([
      {
        title: 'Since the start of $run',
        rows: [[
          latest('Cumulative return', 'cumulative_return', 'percentunit', 'Equity growth since the instance started, fees and slippage included.'),
          latest('Sharpe ratio', `${finite('sharpe')} AS sharpe`, 'none', 'Annualised Sharpe ratio of bar returns since the start (empyrical conventions, risk-free rate 0).'),
          latest('Sortino ratio', `${finite('sortino')} AS sortino`, 'none', 'Annualised Sortino ratio: like Sharpe, but only downside moves count as risk.'),
          latest('Max drawdown', 'max_drawdown', 'percentunit', 'The largest fall of equity from a peak, since the start.'),
          latest('Win rate', 'win_rate', 'percentunit', 'Share of closed round trips with a profit after fees.'),
          latest('Trades', 'trade_count', 'none', 'Fills since the start (a reversal is two).'),
        ]],
      },
      {
        title: 'Over time',
        rows: [[
          {
            title: 'Equity: $run and $compare_run', type: 'timeseries', width: 12, unit: 'currencyUSD',
            queries: [sql(`
              SELECT time AS "time", run_id AS metric, equity FROM strategy_metrics
              WHERE ${RUNS} AND ${INSTANCE} AND window_bars = 0 AND $__timeFilter(time) ORDER BY 1`)],
            description: 'Marked-to-market equity at each bar close. A replay of the live range draws over the live curve: any difference is a bug.',
          },
          {
            title: 'Price (bar close) and signals', type: 'timeseries', width: 12, unit: 'currencyUSD',
            queries: [sql(`
              SELECT bucket + make_interval(secs => interval_s) AS "time", close FROM bars
              WHERE run_id = ${BARS_RUN} AND product_id = '$product' AND interval_s::text = '$interval'
                AND $__timeFilter(bucket) ORDER BY 1`)],
            description: 'The product\'s closing prices; the orange marks are the strategy\'s signals, with their reason.',
          },
        ], [
          {
            title: 'Bar returns', type: 'timeseries', width: 12, unit: 'percentunit', style: 'bars',
            queries: [sql(`
              SELECT time AS "time", bar_return AS "return" FROM strategy_metrics
              WHERE run_id = '$run' AND ${INSTANCE} AND window_bars = 0 AND $__timeFilter(time) ORDER BY 1`)],
            description: 'The return of each bar: what the statistics are computed from.',
          },
          {
            title: 'Position: $run and $compare_run', type: 'timeseries', width: 12, style: 'steps',
            queries: [sql(`
              SELECT time AS "time", run_id AS metric, position FROM strategy_metrics
              WHERE ${RUNS} AND ${INSTANCE} AND window_bars = 0 AND $__timeFilter(time) ORDER BY 1`)],
            description: 'Quantity held after each bar (negative: short).',
          },
        ], [
          {
            title: 'Rolling Sharpe and Sortino ($window bars)', type: 'timeseries', width: 12,
            queries: [sql(`
              SELECT time AS "time", ${finite('sharpe')} AS sharpe, ${finite('sortino')} AS sortino FROM strategy_metrics
              WHERE run_id = '$run' AND ${INSTANCE} AND window_bars::text = '$window' AND $__timeFilter(time) ORDER BY 1`)],
            description: 'Annualised ratios over the last $window bars: is the strategy still earning for its risk? Gaps: no dispersion yet.',
          },
          {
            title: 'Drawdown', type: 'timeseries', width: 12, unit: 'percentunit',
            queries: [
              sql(`
                SELECT time AS "time", max_drawdown AS "max drawdown since the start" FROM strategy_metrics
                WHERE run_id = '$run' AND ${INSTANCE} AND window_bars = 0 AND $__timeFilter(time) ORDER BY 1`),
              sql(`
                SELECT time AS "time", max_drawdown AS "max drawdown over the window" FROM strategy_metrics
                WHERE run_id = '$run' AND ${INSTANCE} AND window_bars::text = '$window' AND $__timeFilter(time) ORDER BY 1`),
            ],
            description: 'The largest fall from a peak, since the start and within the rolling window.',
          },
        ], [
          {
            title: 'Signals per interval', type: 'timeseries', width: 12, style: 'bars',
            queries: [sql(`
              SELECT $__timeGroupAlias(time, $__interval), target AS metric, count(*) AS signals FROM signals
              WHERE run_id = '$run' AND ${INSTANCE} AND $__timeFilter(time) GROUP BY 1, 2 ORDER BY 1`)],
            description: 'How often the strategy changes its mind, by target position.',
          },
          {
            title: 'Equity, hourly', type: 'timeseries', width: 12, unit: 'currencyUSD',
            queries: [sql(`
              SELECT bucket AS "time", run_id AS metric, equity FROM strategy_metrics_hourly
              WHERE ${RUNS} AND ${INSTANCE} AND window_bars = 0
                AND bucket BETWEEN $__timeFrom()::timestamptz - INTERVAL '1 hour' AND $__timeTo() ORDER BY 1`)],
            description: 'Equity at the last bar of each hour (drawn at the hour\'s start), from the hourly continuous aggregate: for ranges of weeks or months.',
          },
        ]],
      },
      {
        title: 'Runs and trades',
        rows: [[
          {
            title: 'Run comparison', type: 'table', width: 24, height: 6,
            queries: [sql(`
              SELECT DISTINCT ON (m.run_id) m.run_id AS run, r.kind, r.label, r.status, m.time AS "last bar", m.bars,
                m.equity, m.cumulative_return, ${finite('m.sharpe')} AS sharpe, ${finite('m.sortino')} AS sortino,
                m.max_drawdown, m.win_rate, m.trade_count AS trades
              FROM strategy_metrics m JOIN strategy_runs r ON r.run_id = m.run_id
              WHERE m.${RUNS} AND m.strategy_id = '$strategy' AND m.params_key = '$params' AND m.product_id = '$product'
                AND m.interval_s::text = '$interval' AND m.window_bars = 0 AND $__timeFilter(m.time)
              ORDER BY m.run_id, m.time DESC`, 'table')],
            description: 'The two runs side by side at their last bar in the time range: a replay of the live range must match it exactly.',
          },
        ], [
          {
            title: 'Trade log', type: 'table', width: 24, height: 10,
            queries: [sql(`
              SELECT time AS "time", seq, side, quantity, price, fee, realized_pnl, position_after, signal_time, liquidation FROM trades
              WHERE run_id = '$run' AND ${INSTANCE} AND $__timeFilter(time) ORDER BY time DESC, seq DESC LIMIT 500`, 'table')],
            description: 'Simulated fills, newest first: each at the first trade (or quote) at or after its decision (the signal\'s bar end + the allowed lateness), with slippage and fees; realized P&L when a round trip closes; liquidation when a short\'s equity reached zero.',
          },
        ]],
      },
    ]),
  });
}
