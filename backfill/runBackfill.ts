import type { Logger } from 'pino';
import type { CandleEvent, TradeEvent } from '../wire/MarketEvent.js';
import type { CoinbaseRestClient } from './CoinbaseRestClient.js';
import { findFirstTradeId, tradePage, TRADES_PER_REQUEST, type TradeMark } from './core/findFirstTradeId.js';
import { granularityOfSeconds } from './core/granularity.js';
import { mapCandles, type MappedPage } from './core/mapCandles.js';
import { mapRestTrades } from './core/mapRestTrades.js';
import { planCandleWindows } from './core/planCandleWindows.js';
import { QualityReport, type QualitySummary } from './core/QualityReport.js';
import type { Rejected } from './core/Rejected.js';
import { streamKey, StreamGate, type ResumePoint, type StreamKind } from './core/streams.js';
import type { HistoryWriter } from './HistoryWriter.js';
import type { Progress } from './Progress.js';
import { runOrdered } from './runOrdered.js';

export interface BackfillRequest {
  readonly products: readonly string[];
  /** UNIX seconds, inclusive. */
  readonly fromS: number;
  /** UNIX seconds, exclusive: only candles that have closed. */
  readonly toS: number;
  /** Candle lengths in seconds; empty for none. */
  readonly granularitiesS: readonly number[];
  readonly trades: boolean;
}

/** Messages queued for Kafka beyond which fetching waits (memory bound). */
const MAX_QUEUED = 50_000;

export interface BackfillContext {
  readonly candles: CoinbaseRestClient;
  readonly trades: CoinbaseRestClient;
  readonly writer: HistoryWriter;
  readonly resume: ReadonlyMap<string, ResumePoint>;
  readonly progress: Progress;
  readonly logger: Logger;
  /** Requests fetched ahead per stream. */
  readonly lookahead: number;
  readonly stopped: () => boolean;
}

export interface StreamOutcome {
  readonly stream: string;
  readonly quality: QualitySummary;
  /** Why the stream stopped before its end, or null. */
  readonly error: string | null;
  /** The resume point this run started after (null: from the start of the range). */
  readonly resumedAfter: ResumePoint | null;
}

/** Every stream of the request, products in parallel (within the clients' shared rate limit and concurrency). */
export async function runBackfill(ctx: BackfillContext, request: BackfillRequest): Promise<StreamOutcome[]> {
  const jobs: Promise<StreamOutcome>[] = [];
  for (const productId of request.products) {
    for (const granularityS of request.granularitiesS) jobs.push(candleStream(ctx, productId, granularityS, request.fromS, request.toS));
    if (request.trades) jobs.push(tradeStream(ctx, productId, request.fromS, request.toS));
  }
  return Promise.all(jobs);
}

/** Applies the stream's gate to a page: new events to write; the rest counted or rejected. */
function admit<E extends CandleEvent | TradeEvent>(page: MappedPage<E>, gate: StreamGate, report: QualityReport): { events: E[]; rejected: Rejected[] } {
  const events: E[] = [];
  const rejected = [...page.rejected];
  for (const event of page.events) {
    const admission = gate.admit(event);
    if (admission === 'new') {
      events.push(event);
      report.taken(event);
    } else if (admission === 'written') {
      report.alreadyWritten(event);
    } else {
      rejected.push({ reason: admission, detail: `${event.type} at ${event.exchangeTimeUs} µs ${admission === 'duplicate' ? 'repeats' : 'is older than'} the last one taken`, payload: JSON.stringify(event) });
    }
  }
  for (const r of rejected) report.rejected(r.reason);
  return { events, rejected };
}

const failure = (error: unknown): string => (error as Error).message;

/**
 * Runs one stream's `load`, then writes what is queued and marks the stream done; a failure ends the stream
 * with its message (logged; a re-run resumes where it stopped), an interruption (Ctrl-C aborts the requests
 * in flight) ends it without one: the run then ends with status 2.
 */
async function runStream(ctx: BackfillContext, key: string, report: QualityReport, resume: StreamOutcome['resumedAfter'], load: () => Promise<void>): Promise<StreamOutcome> {
  let error: string | null = null;
  try {
    await load();
    await ctx.writer.flush();
    if (!ctx.stopped()) ctx.progress.finish(key);
  } catch (e) {
    if (!ctx.stopped()) {
      error = failure(e);
      ctx.logger.error({ stream: key, err: e }, 'stream stopped: a re-run resumes where it stopped');
    }
    await ctx.writer.flush().catch(() => undefined);
  }
  return { stream: key, quality: report.summary(), error, resumedAfter: resume };
}

async function candleStream(ctx: BackfillContext, productId: string, granularityS: number, fromS: number, toS: number): Promise<StreamOutcome> {
  const stream: StreamKind = { kind: 'candle', granularityS };
  const key = streamKey(productId, stream);
  const resume = ctx.resume.get(key) ?? null;
  const startS = resume === null ? fromS : Math.max(fromS, resume.timeUs / 1_000_000 + granularityS);
  const report = new QualityReport(productId, stream, startS * 1_000_000, toS * 1_000_000);
  const windows = planCandleWindows(startS, toS, granularityS);
  const gate = new StreamGate(resume);
  const granularity = granularityOfSeconds(granularityS) ?? 'ONE_MINUTE';
  ctx.progress.plan(key, windows.length);
  return runStream(ctx, key, report, resume, async () => {
    await runOrdered({
      next: (k) => windows[k] ?? null,
      lookahead: ctx.lookahead,
      stopped: ctx.stopped,
      fetch: (w) => ctx.candles.get(`/api/v3/brokerage/market/products/${productId}/candles`, { start: w.startS, end: w.endS, granularity },
        (body, receivedAtUs) => ({ page: mapCandles(body, productId, granularityS, w, receivedAtUs), receivedAtUs })),
      write: async ({ page, receivedAtUs }, w) => {
        const { events, rejected } = admit(page, gate, report);
        ctx.writer.write(events, rejected, receivedAtUs, 'backfill:coinbase-advanced-trade');
        await ctx.writer.drain(MAX_QUEUED);
        report.loaded(startS * 1_000_000, w.endS * 1_000_000);
        ctx.progress.advance(key);
        return !ctx.stopped();
      },
    });
  });
}

async function tradeStream(ctx: BackfillContext, productId: string, fromS: number, toS: number): Promise<StreamOutcome> {
  const stream: StreamKind = { kind: 'trade' };
  const key = streamKey(productId, stream);
  const resume = ctx.resume.get(key) ?? null;
  const [fromUs, toUs] = [fromS * 1_000_000, toS * 1_000_000];
  const startUs = resume === null ? fromUs : Math.max(fromUs, resume.timeUs);
  const report = new QualityReport(productId, stream, startUs, toUs);
  const gate = new StreamGate(resume);
  const path = `/products/${productId}/trades`;
  const mark = (page: MappedPage<TradeEvent>): TradeMark | null => {
    const last = page.events.at(-1);
    return last === undefined ? null : { id: Number(last.tradeId), timeUs: last.exchangeTimeUs };
  };
  ctx.progress.plan(key, 1);
  return runStream(ctx, key, report, resume, async () => {
    const newest = await ctx.trades.get(path, { limit: 1 }, (body, rx) => mark(mapRestTrades(body, productId, rx)));
    const resumeId = resume?.tradeId === undefined || resume.tradeId === null ? null : Number(resume.tradeId);
    let firstId: number | null = null;
    if (newest !== null && startUs < toUs) {
      firstId = resumeId !== null && resume !== null && resume.timeUs >= fromUs
        ? resumeId + 1
        : await findFirstTradeId((after) => ctx.trades.get(path, { after, limit: 1 }, (body, rx) => mark(mapRestTrades(body, productId, rx))), newest, startUs);
      if (firstId !== null && resumeId !== null) firstId = Math.max(firstId, resumeId + 1);
    }
    if (firstId === null || newest === null) {
      report.loaded(startUs, toUs);
    } else {
      const first = firstId;
      ctx.progress.replan(key, Math.max(1, Math.ceil((newest.id - first + 1) / TRADES_PER_REQUEST)));
      let done = false;
      await runOrdered({
        next: (k) => (done ? null : tradePage(first, k, newest.id)),
        lookahead: ctx.lookahead,
        stopped: ctx.stopped,
        fetch: (p) => ctx.trades.get(path, { after: p.after, limit: TRADES_PER_REQUEST }, (body, receivedAtUs) => ({ page: mapRestTrades(body, productId, receivedAtUs), receivedAtUs })),
        write: async ({ page, receivedAtUs }, p) => {
          const inPage = page.events.filter((e) => Number(e.tradeId) >= p.fromId && Number(e.tradeId) <= p.toId && e.exchangeTimeUs >= startUs);
          const inRange = inPage.filter((e) => e.exchangeTimeUs < toUs);
          done = inRange.length < inPage.length || p.toId >= newest.id;
          const { events, rejected } = admit({ events: inRange, rejected: page.rejected }, gate, report);
          ctx.writer.write(events, rejected, receivedAtUs, 'backfill:coinbase-exchange');
          await ctx.writer.drain(MAX_QUEUED);
          report.loaded(startUs, done ? toUs : (inRange.at(-1)?.exchangeTimeUs ?? startUs));
          ctx.progress.advance(key);
          return !done && !ctx.stopped();
        },
      });
    }
  });
}
