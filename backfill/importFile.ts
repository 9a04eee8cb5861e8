import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { gunzipSync, createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { wallClockUs } from '../runtime/wallClockUs.js';
import type { TradeEvent } from '../wire/MarketEvent.js';
import { mapRestTrade } from './core/mapRestTrades.js';
import { QualityReport } from './core/QualityReport.js';
import { checkCsvHeader, parseTradeCsvLine } from './core/parseTradeCsv.js';
import { MalformedBodyError, type Rejected } from './core/Rejected.js';
import { streamKey, StreamGate, type ResumePoint } from './core/streams.js';
import type { HistoryWriter } from './HistoryWriter.js';
import type { Progress } from './Progress.js';
import type { StreamOutcome } from './runBackfill.js';

export type FileFormat = 'csv' | 'json';

/** The format of a file by its name: `.csv[.gz]` vendor trades, `.json[.gz]` Coinbase REST trades. */
export function fileFormat(path: string): FileFormat | null {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  return name.endsWith('.csv') ? 'csv' : name.endsWith('.json') ? 'json' : null;
}

const BATCH = 5000;

/** Records of a file, one by one: trade events or rejections, in file order (JSON sorted by trade id, its pages being newest first). */
type FileRecord = TradeEvent | Rejected;

async function* csvRecords(path: string, onBytes: (bytes: number) => void): AsyncGenerator<FileRecord> {
  const file = createReadStream(path);
  file.on('data', (chunk) => { onBytes(chunk.length); });
  const text: Readable = path.toLowerCase().endsWith('.gz') ? file.pipe(createGunzip()) : file;
  let header = true;
  for await (const line of createInterface({ input: text, crlfDelay: Infinity })) {
    if (header) {
      checkCsvHeader(line);
      header = false;
      continue;
    }
    if (line.trim() === '') continue;
    yield parseTradeCsvLine(line);
  }
  if (header) checkCsvHeader('');
}

async function jsonRecords(path: string, productId: string): Promise<FileRecord[]> {
  const raw = await readFile(path);
  const text = (path.toLowerCase().endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new MalformedBodyError(`${path} is not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(body)) throw new MalformedBodyError(`${path}: expected the JSON array of Coinbase's REST trades`);
  const receivedAtUs = wallClockUs();
  const records = (body as unknown[]).map((item) => mapRestTrade(item, productId, receivedAtUs));
  const key = (r: FileRecord) => ('reason' in r ? -1n : BigInt(r.tradeId));
  return records.sort((a, b) => { const [x, y] = [key(a), key(b)]; return x < y ? -1 : x > y ? 1 : 0; });
}

/** The products of a file and the time span of each, read once before importing (for resume points and the report). */
export async function scanFile(path: string, format: FileFormat, productId: string | null): Promise<Map<string, { firstUs: number; lastUs: number }>> {
  const spans = new Map<string, { firstUs: number; lastUs: number }>();
  const records = format === 'csv' ? csvRecords(path, () => undefined) : (await jsonRecords(path, productId ?? ''))[Symbol.iterator]();
  for await (const r of records) {
    if ('reason' in r) continue;
    const span = spans.get(r.productId);
    if (span === undefined) spans.set(r.productId, { firstUs: r.exchangeTimeUs, lastUs: r.exchangeTimeUs });
    else spans.set(r.productId, { firstUs: Math.min(span.firstUs, r.exchangeTimeUs), lastUs: Math.max(span.lastUs, r.exchangeTimeUs) });
  }
  return spans;
}

/**
 * Imports a trades file into `prices.history` with the guarantees of a REST backfill: per product, only trades
 * after the stream's resume point are written, in order, in acknowledged batches (so an interrupted import
 * resumes exactly); repeated and out-of-order trades and invalid lines are dead-lettered with the reason.
 * Rejected lines whose product cannot be known count under `*`.
 */
export async function importFile(options: {
  readonly path: string;
  readonly format: FileFormat;
  /** The product of a JSON file (Coinbase's REST trades do not name it). */
  readonly productId: string | null;
  readonly spans: ReadonlyMap<string, { firstUs: number; lastUs: number }>;
  readonly resume: ReadonlyMap<string, ResumePoint>;
  readonly writer: HistoryWriter;
  /** The dead letters' origin. */
  readonly origin: string;
  readonly progress: Progress;
  readonly stopped: () => boolean;
}): Promise<StreamOutcome[]> {
  const { path, format, writer, progress } = options;
  const gates = new Map<string, StreamGate>();
  const reports = new Map<string, QualityReport>();
  for (const [productId, span] of options.spans) {
    const key = streamKey(productId, { kind: 'trade' });
    const report = new QualityReport(productId, { kind: 'trade' }, Math.floor(span.firstUs / 60e6) * 60e6, (Math.floor(span.lastUs / 60e6) + 1) * 60e6);
    gates.set(productId, new StreamGate(options.resume.get(key) ?? null));
    reports.set(productId, report);
  }
  const unknown = new QualityReport('*', { kind: 'trade' }, 0, 0);
  const size = (await stat(path)).size;
  progress.plan(path, size);
  let events: TradeEvent[] = [];
  let rejected: Rejected[] = [];
  const flush = async () => {
    writer.write(events, rejected, wallClockUs(), options.origin);
    events = [];
    rejected = [];
    await writer.drain(50_000);
  };
  const records = format === 'csv' ? csvRecords(path, (bytes) => { progress.advance(path, bytes); }) : (await jsonRecords(path, options.productId ?? ''))[Symbol.iterator]();
  for await (const record of records) {
    if (options.stopped()) break;
    if ('reason' in record) {
      rejected.push(record);
      unknown.rejected(record.reason);
    } else {
      const gate = gates.get(record.productId);
      const report = reports.get(record.productId);
      if (gate === undefined || report === undefined) continue;
      const admission = gate.admit(record);
      if (admission === 'new') {
        events.push(record);
        report.taken(record);
      } else if (admission === 'written') {
        report.alreadyWritten(record);
      } else {
        rejected.push({ reason: admission, detail: `trade ${record.tradeId} ${admission === 'duplicate' ? 'repeats' : 'is older than'} the last one taken`, payload: JSON.stringify(record) });
        report.rejected(admission);
      }
    }
    if (events.length + rejected.length >= BATCH) await flush();
  }
  await flush();
  await writer.flush();
  if (format === 'json') progress.advance(path, size);
  const complete = !options.stopped();
  const outcomes: StreamOutcome[] = [];
  for (const [productId, report] of reports) {
    const span = options.spans.get(productId);
    if (complete && span !== undefined) report.loaded(0, Number.MAX_SAFE_INTEGER);
    outcomes.push({ stream: streamKey(productId, { kind: 'trade' }), quality: report.summary(), error: null, resumedAfter: options.resume.get(streamKey(productId, { kind: 'trade' })) ?? null });
  }
  const invalid = unknown.summary();
  if (Object.keys(invalid.rejected).length > 0) outcomes.push({ stream: '* invalid lines', quality: invalid, error: null, resumedAfter: null });
  if (complete) progress.finish(path);
  return outcomes;
}
