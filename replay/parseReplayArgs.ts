import { parseArgs } from 'node:util';
import { parseDurationUs } from '../config/parseDuration.js';
import { PRODUCT_ID_PATTERN } from '../wire/MarketEvent.js';
import { GridSyntaxError, parseGrid, type ParameterGrid } from './parseGrid.js';

/** Where a replay starts or ends: a time (every partition's first record at or after it) or explicit offsets. */
export type RangeBound = { readonly kind: 'time'; readonly ms: number } | { readonly kind: 'offsets'; readonly offsets: ReadonlyMap<number, bigint> };

/** `max`: as fast as possible; otherwise event time runs `factor` times as fast as the wall clock. */
export type ReplaySpeed = { readonly kind: 'max' } | { readonly kind: 'paced'; readonly factor: number };

export const RANK_BY = ['sharpe', 'sortino', 'return', 'drawdown', 'trades', 'win_rate'] as const;
export type RankBy = (typeof RANK_BY)[number];

/** The topics a replay reads: the live recording, or the history the backfill loaded. */
export const REPLAY_TOPICS = ['normalized', 'history'] as const;
export type ReplayTopic = (typeof REPLAY_TOPICS)[number];

export interface ReplayRunCommand {
  readonly kind: 'run';
  /** `normalized` (prices.normalized, the default) or `history` (prices.history: candles and trades, event time per product). */
  readonly topic: ReplayTopic;
  readonly from: RangeBound | null;
  readonly to: RangeBound | null;
  readonly products: readonly string[] | null;
  /** As STRATEGY_MODULE; null takes the environment's. */
  readonly strategy: readonly string[] | null;
  /** As STRATEGY_PARAMS; null takes the environment's. */
  readonly params: string | null;
  readonly grid: ParameterGrid | null;
  readonly speed: ReplaySpeed;
  /**
   * `--record-every`: bars and statistics rows written every this many µs of event time (and each series'
   * last), instead of at every bar; null: every bar. A multiple of every ENGINE_INTERVALS interval (checked
   * against the configuration by the caller).
   */
  readonly recordEveryUs: number | null;
  /**
   * `--workers`: engine threads, each reading its share of the partitions (a partition's products are
   * independent of the others'); `auto`: one per core, at most one per partition holding records to replay
   * and one per 200 000 records, and one when paced.
   */
  readonly workers: number | 'auto';
  readonly label: string | null;
  readonly rankBy: RankBy;
  readonly json: boolean;
}

export type ReplayCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'list'; readonly json: boolean }
  | { readonly kind: 'show'; readonly runId: string; readonly json: boolean }
  | ReplayRunCommand;

/** Bad command-line arguments: every problem found, one per line. */
export class ReplayUsageError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ReplayUsageError';
    this.problems = problems;
  }
}

export const REPLAY_HELP = `replay: run strategies over market data recorded in Kafka (prices.normalized, or the history the backfill
loaded in prices.history), through the live engine's code

Usage: replay [range] [strategy] [options]
       replay --list | --show RUN

Source:
  --topic TOPIC        normalized (default: prices.normalized, what the producer recorded) or history
                       (prices.history: candles and trades from the backfill; event time is kept per product)
Range (default: everything the topic holds now; the end is fixed when the run starts):
  --from WHEN          a time (ISO 8601, e.g. 2026-11-20T00:00:00Z, or Unix ms) or offsets "0:120,1:0,2:77"
                       (partitions missing from the list are read from their first record)
  --to WHEN            exclusive end, as --from (an offset at most the partition's end; partitions missing
                       from the list are read to their end)
  --products A,B       only these products (their records; the others are skipped)
Strategy (default: STRATEGY_MODULE and STRATEGY_PARAMS):
  --strategy IDS       as STRATEGY_MODULE: built-in ids or module paths, comma-separated
  --params JSON        as STRATEGY_PARAMS
  --grid GRID          a parameter sweep in one pass over the records, one run per combination:
                       name=from..to[:step] or name=a|b|c, comma-separated (one strategy only; quote
                       it: | is the shell's pipe)
  --rank-by STAT       order of the results table: ${RANK_BY.join(', ')} (default sharpe)
Options:
  --speed max|1x|Nx    max (default), or paced in event time (10x: ten times real time)
  --record-every DUR   write bars and statistics rows only for bars ending on a multiple of DUR (UTC; 1h, 1d),
                       and each series' last bar, instead of every bar: for long backtests. Signals, fills
                       and the results are exact and complete; a multiple of every ENGINE_INTERVALS interval
  --workers N|auto     engine threads, each reading its share of the partitions (default auto: one per core, at
                       most one per partition to read and one per 200 000 records; 1 when paced). Results do
                       not depend on it
  --label TEXT         a name for the run (shown by --list)
  --json               machine-readable output
  --list               the recorded runs, newest first
  --show RUN           one run: its settings, range and results
  -h, --help           this text

Exit status: 0 done; 1 failed; 2 interrupted (Ctrl-C: what was read is committed); 64 bad arguments or
range; 66 the range holds no records (nothing replayed, no run recorded); 78 bad environment; 130 a second
Ctrl-C (quit at once: the run stays "running"). Through make, every failure is make's status 2; make's last
line names the replay's ("Error 66").

Examples:
  replay --from 2026-11-20T00:00:00Z --to 2026-11-21T00:00:00Z --strategy sma_cross --params '{"fast":5,"slow":20}'
  replay --from 0:0,1:0,2:0 --to 0:50000,1:50000,2:50000 --products BTC-USD --label "BTC baseline"
  replay --strategy sma_cross --grid fast=5..20:5,slow=20..60:10 --rank-by sortino
  replay --topic history --from 2026-10-01T00:00:00Z --strategy sma_cross --grid 'fast=5..20:5,slow=30|60'
  replay --topic history --record-every 1h --label "two years, hourly rows"
  replay --list
`;

function bound(name: string, text: string, problems: string[]): RangeBound | null {
  if (/^\d+:\d+(,\d+:\d+)*$/.test(text)) {
    const offsets = new Map<number, bigint>();
    for (const pair of text.split(',')) {
      const [partition, offset] = pair.split(':') as [string, string];
      if (offsets.has(Number(partition))) problems.push(`--${name}: partition ${partition} is listed twice`);
      offsets.set(Number(partition), BigInt(offset));
    }
    return { kind: 'offsets', offsets };
  }
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    problems.push(`--${name}: "${text}" is neither a time (ISO 8601 or Unix ms) nor offsets (partition:offset,…)`);
    return null;
  }
  return { kind: 'time', ms };
}

function speed(text: string, problems: string[]): ReplaySpeed {
  if (text === 'max') return { kind: 'max' };
  const match = /^(\d+(?:\.\d+)?)x$/.exec(text);
  const factor = Number(match?.[1]);
  if (match === null || !(factor > 0)) {
    problems.push(`--speed: "${text}" is not max or Nx (1x, 10x, 0.5x)`);
    return { kind: 'max' };
  }
  return { kind: 'paced', factor };
}

/** The replay command a command line asks for; throws {@link ReplayUsageError} naming every problem. */
export function parseReplayArgs(argv: readonly string[]): ReplayCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        topic: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, products: { type: 'string' },
        strategy: { type: 'string' }, params: { type: 'string' }, grid: { type: 'string' }, 'rank-by': { type: 'string' },
        speed: { type: 'string' }, 'record-every': { type: 'string' }, workers: { type: 'string' }, label: { type: 'string' }, json: { type: 'boolean' },
        list: { type: 'boolean' }, show: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ReplayUsageError([(error as Error).message]);
  }
  if (values.help === true) return { kind: 'help' };
  const json = values.json === true;
  if (values.list === true) return { kind: 'list', json };
  if (values.show !== undefined) return { kind: 'show', runId: values.show, json };

  const problems: string[] = [];
  const topicText = (values.topic ?? 'normalized').replace(/^prices\./, '');
  const topic = REPLAY_TOPICS.find((t) => t === topicText) ?? 'normalized';
  if (topic !== topicText) problems.push(`--topic: "${values.topic ?? ''}" is not one of ${REPLAY_TOPICS.join(', ')}`);
  const from = values.from === undefined ? null : bound('from', values.from, problems);
  const to = values.to === undefined ? null : bound('to', values.to, problems);
  if (from?.kind === 'time' && to?.kind === 'time' && from.ms >= to.ms) problems.push('--from must be before --to');
  const products = values.products === undefined ? null : values.products.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (products?.length === 0) problems.push('--products: no product given');
  for (const id of (products ?? []).filter((p) => !new RegExp(PRODUCT_ID_PATTERN).test(p))) {
    problems.push(`--products: "${id}" is not a Coinbase product id: upper-case letters and digits in two to four dash-separated parts, e.g. BTC-USD or BTC-PERP-INTX`);
  }
  const strategy = values.strategy === undefined ? null : values.strategy.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (strategy?.length === 0) problems.push('--strategy: no strategy given');
  if (values.params !== undefined) {
    try {
      JSON.parse(values.params);
    } catch (error) {
      problems.push(`--params: not JSON (${(error as Error).message})`);
    }
  }
  let grid: ParameterGrid | null = null;
  if (values.grid !== undefined) {
    try {
      grid = parseGrid(values.grid);
    } catch (error) {
      if (!(error instanceof GridSyntaxError)) throw error;
      problems.push(`--grid: ${error.message}`);
    }
    if (strategy !== null && strategy.length !== 1) problems.push('--grid sweeps the parameters of one strategy: give exactly one --strategy');
  }
  const rankBy = (values['rank-by'] ?? 'sharpe') as RankBy;
  if (!RANK_BY.includes(rankBy)) problems.push(`--rank-by: "${rankBy}" is not one of ${RANK_BY.join(', ')}`);
  const pace = speed(values.speed ?? 'max', problems);
  const recordEveryText = values['record-every'];
  const recordEveryUs = recordEveryText === undefined ? null : parseDurationUs(recordEveryText);
  if (recordEveryText !== undefined && recordEveryUs === null) problems.push(`--record-every: "${recordEveryText}" is not a duration such as 15m, 1h or 1d`);
  const workersText = values.workers ?? 'auto';
  const workers = workersText === 'auto' ? 'auto' : /^[1-9]\d{0,2}$/.test(workersText) ? Number(workersText) : null;
  if (workers === null) problems.push(`--workers: "${workersText}" is not auto or a whole number from 1 to 999`);
  else if (workers !== 'auto' && workers > 1 && pace.kind === 'paced') problems.push('--workers: a paced replay runs on one worker (each would keep its own pace)');
  if (problems.length > 0) throw new ReplayUsageError(problems);
  return {
    kind: 'run', topic, from, to, products, strategy, params: values.params ?? null, grid, speed: pace, recordEveryUs, workers: workers ?? 'auto',
    label: values.label ?? null, rankBy, json,
  };
}
