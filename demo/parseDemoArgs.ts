import { parseArgs } from 'node:util';

/** What `make demo ARGS="…"` can change. */
export interface DemoOptions {
  /** Names the demo's Kafka topics (`<namespace>.prices.raw`, …), PostgreSQL schema and consumer group. */
  readonly namespace: string;
  readonly seed: number;
  /** Minutes of market history the demo opens with, played `speed` times as fast as the wall clock. */
  readonly historyMinutes: number;
  readonly speed: number;
  /** Stop on its own after this many seconds (0: run until Ctrl-C). */
  readonly durationS: number;
  /** After stopping, replay the demo's recorded range through the engine's code (`node dist/replay/main.js`). */
  readonly replay: boolean;
  /**
   * At start, import the bundled sample history and backtest it (a replay and a small sweep) beside the live
   * pipeline; `--no-history` skips it.
   */
  readonly history: boolean;
  readonly producerMetricsPort: number;
  readonly engineMetricsPort: number;
  /** The simulated Coinbase's port (0: a free one). */
  readonly coinbasePort: number;
  /** Prometheus file_sd directory to register the producer and engine in; null: the local services' one, if present. */
  readonly prometheusTargets: string | null;
  /** Seconds between two status lines. */
  readonly statusEveryS: number;
  readonly help: boolean;
}

export const DEMO_HELP = `Usage: make demo [ARGS="options"]   (or: node dist/demo/main.js [options])

The whole live pipeline offline: a simulated Coinbase (BTC-USD, ETH-USD, SOL-USD), the real producer and
engine, results in PostgreSQL, metrics scraped by Prometheus. Ctrl-C stops everything and prints a summary.
Each start begins afresh: it deletes the previous demo's topics and schema (its namespace only).

  --seed N                the simulated market's seed (default 1): the same seed, the same market
  --history-minutes N     open the market N minutes in the past (default 20) ...
  --speed N               ... and play that history N times as fast as the wall clock (default 20), so bars
                          and signals appear within a minute or two; then the market runs in real time
  --duration S            stop on its own after S seconds (default 0: run until Ctrl-C)
  --replay                after stopping, replay the recorded range through the engine's code
  --no-history            do not import the bundled sample history at start, nor backtest it (by default the
                          demo loads it into NAME.prices.history, then runs a replay and a small sma_cross
                          sweep over it, beside the live pipeline, and prints their tables)
  --namespace NAME        topics NAME.*, schema NAME, consumer group NAME-engine (default demo)
  --producer-metrics-port N   (default 9474; 0 picks a free port)
  --engine-metrics-port N     (default 9475; 0 picks a free port)
  --coinbase-port N       port of the simulated Coinbase (default 0: a free port)
  --prometheus-targets DIR    Prometheus file_sd directory (default .services/prometheus/targets, if present)
  --status-every S        seconds between status lines (default 10)
`;

export class DemoUsageError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'DemoUsageError';
    this.problems = problems;
  }
}

/** The demo's options from its command line; every problem at once in a {@link DemoUsageError}. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv], strict: true, allowPositionals: false,
      options: {
        namespace: { type: 'string', default: 'demo' }, seed: { type: 'string', default: '1' },
        'history-minutes': { type: 'string', default: '20' }, speed: { type: 'string', default: '20' },
        duration: { type: 'string', default: '0' }, replay: { type: 'boolean', default: false },
        'no-history': { type: 'boolean', default: false },
        'producer-metrics-port': { type: 'string', default: '9474' }, 'engine-metrics-port': { type: 'string', default: '9475' },
        'coinbase-port': { type: 'string', default: '0' }, 'prometheus-targets': { type: 'string' },
        'status-every': { type: 'string', default: '10' }, help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new DemoUsageError([(error as Error).message]);
  }
  const problems: string[] = [];
  const number = (name: keyof typeof values, min: number, max: number, integer = true): number => {
    const text = String(values[name]);
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      problems.push(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not "${text}"`);
    }
    return value;
  };
  const options: DemoOptions = {
    namespace: values.namespace,
    seed: number('seed', 0, 2 ** 32 - 1),
    historyMinutes: number('history-minutes', 0, 24 * 60, false),
    speed: number('speed', 1, 1000, false),
    durationS: number('duration', 0, 7 * 86_400, false),
    replay: values.replay,
    history: !values['no-history'],
    producerMetricsPort: number('producer-metrics-port', 0, 65_535),
    engineMetricsPort: number('engine-metrics-port', 0, 65_535),
    coinbasePort: number('coinbase-port', 0, 65_535),
    prometheusTargets: values['prometheus-targets'] ?? null,
    statusEveryS: number('status-every', 1, 3600, false),
    help: values.help,
  };
  // Also a schema name and part of a topic prefix and a group id.
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(options.namespace)) {
    problems.push(`--namespace must be a lower-case letter then up to 40 letters, digits or _, not "${options.namespace}"`);
  }
  if (options.namespace === 'public') problems.push('--namespace public would delete the engine\'s default schema');
  if (problems.length > 0) throw new DemoUsageError(problems);
  return options;
}
