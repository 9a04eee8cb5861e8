import { parseArgs } from 'node:util';
import { PRODUCT_ID_PATTERN } from '../wire/MarketEvent.js';
import { GRANULARITIES, parseGranularity, SHORT_GRANULARITIES } from './core/granularity.js';
import { fileFormat, type FileFormat } from './importFile.js';

/** Loads from Coinbase's REST APIs, or checks what the topic holds, over [fromMs, toMs). */
export interface BackfillRangeCommand {
  readonly kind: 'rest' | 'check';
  readonly products: readonly string[];
  readonly fromMs: number;
  readonly toMs: number;
  /** Candle lengths in seconds. */
  readonly granularitiesS: readonly number[];
  readonly trades: boolean;
  readonly json: boolean;
}

export interface BackfillFileCommand {
  readonly kind: 'file';
  readonly path: string;
  readonly format: FileFormat;
  readonly productId: string | null;
  readonly json: boolean;
}

export type BackfillCommand = { readonly kind: 'help' } | BackfillRangeCommand | BackfillFileCommand;

/** Bad command-line arguments: every problem found. */
export class BackfillUsageError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'BackfillUsageError';
    this.problems = problems;
  }
}

export const BACKFILL_HELP = `backfill: load Coinbase history (candles, trades) or trade files into Kafka (prices.history)

Usage: backfill --products A,B --from WHEN [--to WHEN] [--candles 1m,1h] [--trades]
       backfill --file PATH [--product ID]
       backfill --check --products A,B --from WHEN [--to WHEN] [--candles 1m] [--trades]

Coinbase (public endpoints, no credentials):
  --products A,B     Coinbase product ids (BTC-USD,ETH-USD)
  --from WHEN        start: ISO 8601 (2026-11-01T00:00:00Z), Unix ms, or an age (30d, 12h, 90m: that long ago)
  --to WHEN          exclusive end, as --from (default: now); candles that have not closed yet are never loaded
  --candles LIST     candle granularities: ${SHORT_GRANULARITIES.join(', ')} (default 1m unless only --trades)
  --trades           also every trade (Exchange REST; about 1000 per request: long ranges of busy products take hours)
Files:
  --file PATH        a trades CSV (tardis.dev format, header exchange,symbol,timestamp,local_timestamp,id,side,price,amount;
                     .csv or .csv.gz) or the JSON of Coinbase's REST trades (.json or .json.gz, with --product)
  --product ID       the product of a JSON file
Other:
  --check            report the quality of what prices.history holds for the products and range (writes nothing)
  --json             the summary as JSON on stdout
  -h, --help         this text

Re-running the same command (after Ctrl-C, kill -9 or a failure) continues where each product stopped and
never writes an event twice: each product's candles (per granularity) and trades resume after their last
record on the topic. Exit status: 0 done; 1 a request or Kafka failed (what was loaded stays; re-run); 2
interrupted; 64 bad arguments; 78 bad environment.

Examples:
  backfill --products BTC-USD,ETH-USD --from 30d
  backfill --products BTC-USD --from 2026-01-01T00:00:00Z --to 2026-02-01T00:00:00Z --candles 1m,1h --trades
  backfill --file backfill/samples/coinbase-BTC-USD-trades-sample.csv.gz
  backfill --check --products BTC-USD,ETH-USD --from 30d
`;

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A time: ISO 8601, Unix ms, or an age before `nowMs` (`30d`). */
function when(name: string, text: string, nowMs: number, problems: string[]): number {
  const age = /^(\d+)([mhd])$/.exec(text);
  if (age !== null) return nowMs - Number(age[1]) * (UNIT_MS[age[2] ?? 'd'] ?? 0);
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) problems.push(`--${name}: "${text}" is not a time (ISO 8601, Unix ms, or an age like 30d)`);
  return ms;
}

/** The command a command line asks for; throws {@link BackfillUsageError} naming every problem. */
export function parseBackfillArgs(argv: readonly string[], nowMs: number): BackfillCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv], strict: true, allowPositionals: false,
      options: {
        products: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, candles: { type: 'string' },
        trades: { type: 'boolean' }, file: { type: 'string' }, product: { type: 'string' }, check: { type: 'boolean' },
        json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new BackfillUsageError([(error as Error).message]);
  }
  if (values.help === true) return { kind: 'help' };
  const json = values.json === true;
  const problems: string[] = [];
  const productPattern = new RegExp(PRODUCT_ID_PATTERN);
  if (values.file !== undefined) {
    for (const option of ['products', 'from', 'to', 'candles', 'trades', 'check'] as const) {
      if (values[option] !== undefined) problems.push(`--${option} does not apply to --file`);
    }
    const format = fileFormat(values.file);
    if (format === null) problems.push(`--file: "${values.file}" is neither .csv[.gz] nor .json[.gz]`);
    if (format === 'json' && values.product === undefined) problems.push('--file: a JSON file of Coinbase REST trades needs --product (the trades do not name it)');
    if (values.product !== undefined && !productPattern.test(values.product)) problems.push(`--product: "${values.product}" is not a Coinbase product id`);
    if (problems.length > 0) throw new BackfillUsageError(problems);
    return { kind: 'file', path: values.file, format: format ?? 'csv', productId: values.product ?? null, json };
  }
  if (values.product !== undefined) problems.push('--product applies to --file only (use --products)');
  const products = (values.products ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (products.length === 0) problems.push('--products: give at least one product (BTC-USD,ETH-USD)');
  for (const p of products) if (!productPattern.test(p)) problems.push(`--products: "${p}" is not a Coinbase product id`);
  if (new Set(products).size !== products.length) problems.push('--products: a product is listed twice');
  if (values.from === undefined) problems.push('--from: required (e.g. --from 30d)');
  const fromMs = values.from === undefined ? 0 : when('from', values.from, nowMs, problems);
  const toMs = values.to === undefined ? nowMs : when('to', values.to, nowMs, problems);
  if (Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs >= toMs) problems.push('--from must be before --to');
  if (toMs > nowMs) problems.push('--to is in the future');
  const trades = values.trades === true;
  const candleNames = values.candles === undefined ? (trades ? [] : ['1m']) : values.candles.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const granularitiesS: number[] = [];
  for (const name of candleNames) {
    const g = parseGranularity(name);
    if (g === null) problems.push(`--candles: "${name}" is not one of ${SHORT_GRANULARITIES.join(', ')}`);
    else if (!granularitiesS.includes(GRANULARITIES[g])) granularitiesS.push(GRANULARITIES[g]);
  }
  if (values.candles !== undefined && candleNames.length === 0) problems.push('--candles: no granularity given');
  if (problems.length > 0) throw new BackfillUsageError(problems);
  return { kind: values.check === true ? 'check' : 'rest', products, fromMs, toMs, granularitiesS, trades, json };
}
