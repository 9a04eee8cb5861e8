#!/usr/bin/env node
import { access, constants } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { ConfigError } from '../config/ConfigError.js';
import { loadProgramConfig, type ProgramConfig } from '../config/loadProgramConfig.js';
import { createKafka } from '../kafka/createKafka.js';
import { createLogger } from '../logging/createLogger.js';
import { formatTable } from '../replay/formatTable.js';
import { topicNames, type TopicNames } from '../wire/topics.js';
import { checkHistory } from './checkHistory.js';
import { CoinbaseRestClient } from './CoinbaseRestClient.js';
import { MalformedBodyError } from './core/Rejected.js';
import { CsvHeaderError } from './core/parseTradeCsv.js';
import { streamKey, type StreamKind } from './core/streams.js';
import { TokenBucket } from './core/TokenBucket.js';
import { HistoryWriter } from './HistoryWriter.js';
import { importFile, scanFile } from './importFile.js';
import { BACKFILL_HELP, BackfillUsageError, parseBackfillArgs, type BackfillFileCommand, type BackfillRangeCommand } from './parseBackfillArgs.js';
import { Progress, ProgressLine } from './Progress.js';
import { readResumePoints } from './readResumePoints.js';
import { runBackfill, type StreamOutcome } from './runBackfill.js';
import { Semaphore } from './Semaphore.js';

const EXIT = { done: 0, failed: 1, interrupted: 2, usage: 64, config: 78 } as const;

const out = (text: string) => { process.stdout.write(`${text}\n`); };
const fail = (problems: readonly string[]) => { for (const p of problems) process.stderr.write(`backfill: ${p}\n`); };
const iso = (us: number | null) => (us === null ? '' : new Date(us / 1000).toISOString());

/** Stops intake on the first SIGINT/SIGTERM (what was fetched is written, then the run ends); the second quits at once. */
function interruption(): { stopped: () => boolean; signal: AbortSignal } {
  const abort = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbackfill: ${signal}: writing what was fetched, then stopping (again to quit at once; a re-run resumes)\n`);
      abort.abort();
      process.once(signal, () => process.exit(130));
    });
  }
  return { stopped: () => abort.signal.aborted, signal: abort.signal };
}

/** Draws the progress bar on a TTY, or logs the same figures every 5 s. */
function reportProgress(progress: Progress, requests: () => number, events: () => number, logger: Logger): () => void {
  const line = new ProgressLine(process.stderr);
  const timer = setInterval(() => {
    const s = progress.snapshot(requests());
    if (line.enabled) line.draw(s, events());
    else logger.info({ ...s, percent: Number((s.fraction * 100).toFixed(1)), events: events() }, 'backfill progress');
  }, line.enabled ? 200 : 5000);
  return () => {
    clearInterval(timer);
    line.clear();
  };
}

function summaryTable(outcomes: readonly StreamOutcome[]): string {
  return formatTable(
    ['stream', 'events', 'first', 'last', 'intervals', 'coverage %', 'no trades', 'not fetched', 'already written', 'rejected', 'error'],
    outcomes.map(({ stream, quality: q, error }) => [stream, q.events, iso(q.firstTimeUs), iso(q.lastTimeUs), q.intervals,
      Number((q.coverage * 100).toFixed(2)), q.missingNoTrades, q.missingNotFetched, q.alreadyWritten,
      Object.entries(q.rejected).map(([r, n]) => `${r} ${n}`).join(', '), error ?? '']),
  );
}

async function connectProducer(kafka: Kafka): Promise<Producer> {
  // kafkajs's default partitioner, named as the producer and the engine name it, so that it does not warn on every run.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return producer;
}

async function requireTopic(kafka: Kafka, topics: TopicNames): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = [topics.history, topics.deadLetter].filter((t) => !present.has(t));
    if (missing.length > 0) throw new BackfillUsageError([`topic ${missing.join(', ')} does not exist: run \`make topics\` first`]);
  } finally {
    await admin.disconnect();
  }
}

async function loadRange(command: BackfillRangeCommand, config: ProgramConfig<'backfill'>, kafka: Kafka, topics: TopicNames, logger: Logger): Promise<{ outcomes: StreamOutcome[]; stats: Record<string, unknown>; interrupted: boolean }> {
  const { stopped, signal } = interruption();
  const runId = `backfill-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomUUID().slice(0, 4)}`;
  const streams: StreamKind[] = [...command.granularitiesS.map((granularityS) => ({ kind: 'candle', granularityS }) as const), ...(command.trades ? [{ kind: 'trade' } as const] : [])];
  const wanted = new Set(command.products.flatMap((p) => streams.map((s) => streamKey(p, s))));
  const resume = await readResumePoints(kafka, topics.history, wanted);
  const producer = await connectProducer(kafka);
  try {
    const inFlight = new Semaphore(config.BACKFILL_CONCURRENCY);
    const retry = { baseMs: config.BACKFILL_RETRY_BASE_MS, maxMs: config.BACKFILL_RETRY_MAX_MS };
    const client = (baseUrl: string) => new CoinbaseRestClient({
      baseUrl, bucket: new TokenBucket(config.BACKFILL_REQUESTS_PER_S, config.BACKFILL_BURST, Date.now()), inFlight, retry,
      maxRetries: config.BACKFILL_MAX_RETRIES, logger, signal,
    });
    const [candles, trades] = [client(config.COINBASE_REST_URL), client(config.COINBASE_EXCHANGE_REST_URL)];
    const writer = new HistoryWriter({ producer, topics, compression: config.KAFKA_COMPRESSION, runId });
    const progress = new Progress();
    const requests = () => candles.stats.requests + trades.stats.requests;
    const stopProgress = reportProgress(progress, requests, () => writer.events, logger);
    let outcomes: StreamOutcome[];
    try {
      outcomes = await runBackfill({ candles, trades, writer, resume, progress, logger, lookahead: config.BACKFILL_CONCURRENCY, stopped }, {
        products: command.products, fromS: Math.ceil(command.fromMs / 1000), toS: Math.floor(command.toMs / 1000),
        granularitiesS: command.granularitiesS, trades: command.trades,
      });
    } finally {
      stopProgress();
    }
    const seconds = (performance.now() - progress.startMs) / 1000;
    const events = writer.events;
    return {
      outcomes, interrupted: stopped(),
      stats: {
        runId, seconds: Number(seconds.toFixed(3)), requests: requests(), retries: candles.stats.retries + trades.stats.retries,
        requestsPerS: Number((requests() / Math.max(seconds, 1e-9)).toFixed(2)), events, eventsPerS: Math.round(events / Math.max(seconds, 1e-9)),
        deadLetters: writer.deadLetters, responses: { candles: candles.stats.outcomes, trades: trades.stats.outcomes },
      },
    };
  } finally {
    await producer.disconnect();
  }
}

async function loadFile(command: BackfillFileCommand, config: ProgramConfig<'backfill'>, kafka: Kafka, topics: TopicNames, logger: Logger): Promise<{ outcomes: StreamOutcome[]; stats: Record<string, unknown>; interrupted: boolean }> {
  const { stopped } = interruption();
  const runId = `backfill-file-${randomUUID().slice(0, 8)}`;
  const spans = await scanFile(command.path, command.format, command.productId);
  const resume = await readResumePoints(kafka, topics.history, new Set([...spans.keys()].map((p) => streamKey(p, { kind: 'trade' }))));
  const producer = await connectProducer(kafka);
  try {
    const writer = new HistoryWriter({ producer, topics, compression: config.KAFKA_COMPRESSION, runId });
    const progress = new Progress();
    const stopProgress = reportProgress(progress, () => 0, () => writer.events, logger);
    let outcomes: StreamOutcome[];
    try {
      outcomes = await importFile({ path: command.path, format: command.format, productId: command.productId, spans, resume, writer, origin: `backfill:file:${command.format}`, progress, stopped });
    } finally {
      stopProgress();
    }
    const seconds = (performance.now() - progress.startMs) / 1000;
    return { outcomes, interrupted: stopped(), stats: { runId, file: command.path, seconds: Number(seconds.toFixed(3)), events: writer.events, eventsPerS: Math.round(writer.events / Math.max(seconds, 1e-9)), deadLetters: writer.deadLetters } };
  } finally {
    await producer.disconnect();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseBackfillArgs(argv, Date.now());
  } catch (error) {
    if (!(error instanceof BackfillUsageError)) throw error;
    fail([...error.problems, 'run `backfill --help` for usage']);
    return EXIT.usage;
  }
  if (command.kind === 'help') {
    out(BACKFILL_HELP);
    return EXIT.done;
  }
  if (command.kind === 'file') {
    // An unreadable file is a bad argument, found before anything connects.
    try {
      await access(command.path, constants.R_OK);
    } catch (error) {
      fail([`--file: cannot read ${command.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'run `backfill --help` for usage']);
      return EXIT.usage;
    }
  }
  let config;
  try {
    config = loadProgramConfig('backfill', process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail([error.message]);
    return EXIT.config;
  }
  // JSON logs on stderr; on a terminal only warnings and errors (the progress bar shows the rest) unless LOG_LEVEL is set.
  const quiet = process.stderr.isTTY && process.env['LOG_LEVEL'] === undefined;
  const logger = createLogger('backfill', quiet ? 'warn' : config.LOG_LEVEL, pino.destination(2));
  const topics = topicNames(config.KAFKA_TOPIC_PREFIX);
  const kafka = createKafka('backfill', config.KAFKA_BROKERS, logger);
  try {
    await requireTopic(kafka, topics);
    let result;
    if (command.kind === 'check') {
      const streams: StreamKind[] = [...command.granularitiesS.map((granularityS) => ({ kind: 'candle', granularityS }) as const), ...(command.trades ? [{ kind: 'trade' } as const] : [])];
      const outcomes = await checkHistory(kafka, topics.history, command.products, streams, command.fromMs * 1000, command.toMs * 1000);
      result = { outcomes, stats: { checked: topics.history }, interrupted: false };
    } else {
      result = command.kind === 'file' ? await loadFile(command, config, kafka, topics, logger) : await loadRange(command, config, kafka, topics, logger);
    }
    const failed = result.outcomes.filter((o) => o.error !== null);
    const status = failed.length > 0 ? 'failed' : result.interrupted ? 'interrupted' : 'done';
    if (command.json) {
      out(JSON.stringify({ status, ...result.stats, streams: result.outcomes }, null, 2));
    } else {
      out(`backfill ${status}: ${JSON.stringify(result.stats)}`);
      out(summaryTable(result.outcomes));
      for (const f of failed) out(`${f.stream}: ${f.error ?? ''} — run the same command again to resume`);
      if (failed.some((f) => f.error?.includes(': cannot reach ') === true)) {
        out('Coinbase cannot be reached from here. Offline, `backfill --file` imports trade files (a sample: backfill/samples/), and `make demo` runs everything against a simulated Coinbase.');
      }
    }
    return failed.length > 0 ? EXIT.failed : result.interrupted ? EXIT.interrupted : EXIT.done;
  } catch (error) {
    if (error instanceof BackfillUsageError) {
      fail(error.problems);
      return EXIT.failed;
    }
    if (error instanceof CsvHeaderError || error instanceof MalformedBodyError) {
      fail([error.message]);
      return EXIT.usage;
    }
    logger.error({ err: error }, 'backfill failed');
    fail([(error as Error).message]);
    return EXIT.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
