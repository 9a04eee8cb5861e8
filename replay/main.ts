#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { pino, type Logger } from 'pino';
import type { Sql } from 'postgres';
import { ConfigError } from '../config/ConfigError.js';
import type { ProgramConfig } from '../config/loadProgramConfig.js';
import type { StrategyInstance } from '../engine/core/EngineSettings.js';
import { createKafka } from '../kafka/createKafka.js';
import { createLogger } from '../logging/createLogger.js';
import { topicNames } from '../wire/topics.js';
import { formatTable } from './formatTable.js';
import { parseReplayArgs, REPLAY_HELP, ReplayUsageError, type ReplayRunCommand } from './parseReplayArgs.js';
import { loadReplayConfig, planReplay } from './planReplay.js';
import { ProgressBar } from './ProgressBar.js';
import { replayDatabase } from './replayDatabase.js';
import { ReplayRangeError, resolveReplayRange } from './replayRange.js';
import { findRun, finishReplayRun, insertReplayRun, listRuns, rankResults, runResults, type RunResult } from './replayRuns.js';
import { runReplay } from './runReplay.js';
import { runReplayWorkers } from './runReplayWorkers.js';
import { shareRanges } from './shareRanges.js';

/** Exit statuses (README and --help): sysexits.h's EX_USAGE, EX_NOINPUT and EX_CONFIG for bad arguments, an empty range and bad environment. */
const EXIT = { done: 0, failed: 1, interrupted: 2, usage: 64, empty: 66, config: 78 } as const;

/**
 * `--workers auto` starts a thread per this many records, at most: each takes about 2 s of CPU to start (its
 * modules, plan, Kafka client and group join, pool), which a smaller share does not win back (measured: 187 k
 * records ran faster on one thread than on two, 432 k faster on two).
 */
const RECORDS_PER_AUTO_WORKER = 200_000n;

const out = (text: string) => { process.stdout.write(`${text}\n`); };
const fail = (problems: readonly string[]) => { for (const p of problems) process.stderr.write(`replay: ${p}\n`); };
const round = (x: number, digits: number) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

function resultsTable(results: readonly RunResult[]): string {
  return formatTable(
    ['run', 'strategy', 'params', 'product', 'interval s', 'bars', 'return %', 'sharpe', 'sortino', 'max dd %', 'round trips', 'win %'],
    results.map((r) => [r.runId, r.strategyId, r.paramsKey, r.productId, r.intervalS, r.bars, round(r.cumulativeReturn * 100, 3),
      round(r.sharpe, 3), round(r.sortino, 3), round(r.maxDrawdown * 100, 3), r.tradeCount, round(r.winRate * 100, 1)]),
  );
}

async function replay(argv: readonly string[], command: ReplayRunCommand, config: ProgramConfig<'replay'>, configured: readonly StrategyInstance[], sql: Sql, logger: Logger): Promise<number> {
  const runId = `replay-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomUUID().slice(0, 4)}`;
  const { instances, skipped, settings } = await planReplay(command, config, configured, runId);
  const products = command.products === null ? null : new Set(command.products);
  const topics = topicNames(config.KAFKA_TOPIC_PREFIX);
  const topic = topics[command.topic];
  const kafka = createKafka('replay', config.KAFKA_BROKERS, logger);
  const admin = kafka.admin();
  await admin.connect();
  const ranges = await resolveReplayRange(admin, topic, command.from, command.to).finally(() => admin.disconnect());
  if (ranges.every((r) => r.end === r.start)) {
    // Nothing to replay: no run is recorded (a sweep would add one empty run per combination) and no table printed.
    const range = ranges.map((r) => `${r.partition}:${r.start}..${r.end}`).join(' ');
    fail([`the range holds no records (${topic} offsets ${range}): nothing replayed, no run recorded`]);
    return EXIT.empty;
  }
  // Engine threads: by default one per core, at most one per partition to read (shareRanges) and one per
  // RECORDS_PER_AUTO_WORKER records; one when paced.
  const total = ranges.reduce((n, r) => n + (r.end - r.start), 0n);
  const workers = command.workers !== 'auto' ? command.workers : command.speed.kind === 'paced' ? 1
    : Math.max(1, Math.min(availableParallelism(), Number(total / RECORDS_PER_AUTO_WORKER)));
  const shares = shareRanges(ranges, workers);
  const [migrated] = await sql<{ ready: boolean }[]>`SELECT to_regclass('strategy_runs') IS NOT NULL AS ready`;
  if (migrated?.ready !== true) throw new Error('the database has no engine tables: run `make migrate` first');

  const runs = command.grid === null ? [{ runId, label: command.label, instances }] : [
    { runId, label: command.label ?? `sweep of ${instances.length} combinations`, instances },
    ...instances.map((instance) => ({ runId: instance.runId ?? runId, label: `${command.label ?? 'sweep'}: ${instance.paramsKey}`, instances: [instance] })),
  ];
  const bound = (b: ReplayRunCommand['from']) => (b?.kind === 'time' ? b.ms : null);
  // Recorded once a record of a selected product reaches the engine (or the replay fails or is interrupted first):
  // a range holding none of them is an empty range, and records no run.
  // Typed by assertion: set in callbacks, so flow analysis would take it for null where it is read.
  let recorded = null as Promise<void> | null;
  const record = () => (recorded ??= (async () => {
    for (const run of runs) await insertReplayRun(sql, { ...run, settings, topic, ranges, fromMs: bound(command.from), toMs: bound(command.to) });
  })());
  const selected = (productId: string) => products === null || products.has(productId);
  for (const s of skipped) process.stderr.write(`replay: skipped ${JSON.stringify(s.combination)}: ${s.problems.join('; ')}\n`);

  let interrupt = () => {};
  const interrupted = new Promise<void>((resolve) => { interrupt = resolve; });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nreplay: ${signal}: committing what was read, then stopping (again to quit at once)\n`);
      interrupt();
      process.once(signal, () => process.exit(130));
    });
  }
  const progress = new ProgressBar(process.stderr);
  const startMs = performance.now();
  let outcome;
  try {
    const onProgress = (read: bigint, total: bigint) => { progress.update(read, total, 'records'); };
    const onHandled = async (seen: ReadonlySet<string>) => { if (recorded === null && [...seen].some(selected)) await record(); };
    outcome = shares.length > 1
      ? await runReplayWorkers({ argv, runId, shares, onProgress, interrupted, onHandled })
      : await runReplay({
        kafka, brokers: config.KAFKA_BROKERS, sql, topics, topic: command.topic, settings, ranges, speed: command.speed,
        checkpointIntervalMs: config.ENGINE_CHECKPOINT_INTERVAL_MS, checkpointMaxRows: config.ENGINE_CHECKPOINT_MAX_ROWS, logger, onProgress, interrupted, onHandled,
      });
  } catch (error) {
    progress.clear();
    // Best effort: the replay's own error is the one to report.
    await record().catch(() => undefined);
    for (const run of runs) await finishReplayRun(sql, run.runId, 'failed', { error: (error as Error).message }).catch(() => undefined);
    throw error;
  }
  progress.clear();
  const range = ranges.map((r) => `${r.partition}:${r.start}..${r.end}`).join(' ');
  for (const productId of command.products ?? []) {
    if (!outcome.productsSeen.has(productId)) fail([`no record of ${productId} in the range (${topic} offsets ${range}): no results for it`]);
  }
  if (recorded === null && outcome.complete) {
    fail([`the range holds no record of ${products === null ? 'any product' : 'the selected products'}: nothing replayed, no run recorded`]);
    return EXIT.empty;
  }
  await record();
  // By product, whichever thread read which.
  const skippedCandles = [...outcome.skippedCandles].sort((a, b) => a.productId.localeCompare(b.productId) || a.granularityS - b.granularityS);
  for (const s of skippedCandles) {
    process.stderr.write(`replay: skipped ${s.count} candles of ${s.productId}: ${s.problem}${s.otherData ? ' (its bars are built from its other data)' : ''}\n`);
  }
  // Refused only now: which products have finer data is known once the range has been read.
  const unbuilt = skippedCandles.filter((s) => !s.otherData);
  if (unbuilt.length > 0) {
    const error = new Error(unbuilt.map((s) => `${s.productId}: nothing in the range builds its bars (${s.count} candles skipped: ${s.problem}); `
      + `set ENGINE_INTERVALS to multiples of the candles' granularity (${s.granularityS} s), or backfill finer candles or its trades`).join('; '));
    for (const run of runs) await finishReplayRun(sql, run.runId, 'failed', { error: error.message }).catch(() => undefined);
    throw error;
  }
  const seconds = (performance.now() - startMs) / 1000;
  const ranked = rankResults(await runResults(sql, runs.map((r) => r.runId)), command.rankBy);
  const status = outcome.complete ? 'finished' : 'interrupted';
  for (const run of runs) {
    await finishReplayRun(sql, run.runId, status, {
      // A sweep's own row holds every combination's results; a combination's, its own.
      records: outcome.records, seconds: round(seconds, 3), results: run.runId === runId ? ranked : ranked.filter((r) => r.runId === run.runId),
    });
  }
  if (command.json) {
    out(JSON.stringify({ runId, status, topic, records: outcome.records, seconds: round(seconds, 3), workers: Math.max(1, shares.length), ranges: ranges.map((r) => ({ ...r, start: String(r.start), end: String(r.end) })), skipped, skippedCandles, results: ranked }, null, 2));
  } else {
    out(`run ${runId} ${status}: ${outcome.records} records in ${seconds.toFixed(1)} s (${Math.round(outcome.records / Math.max(seconds, 1e-9))} records/s, ${Math.max(1, shares.length)} worker(s)); ${topic} offsets ${range}`);
    if (skipped.length > 0) out(`${skipped.length} combination(s) skipped (invalid parameters)`);
    out(`results since the start, by ${command.rankBy}:`);
    out(resultsTable(ranked));
  }
  return outcome.complete ? EXIT.done : EXIT.interrupted;
}

async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseReplayArgs(argv);
  } catch (error) {
    if (!(error instanceof ReplayUsageError)) throw error;
    fail([...error.problems, 'run `replay --help` for usage']);
    return EXIT.usage;
  }
  if (command.kind === 'help') {
    out(REPLAY_HELP);
    return EXIT.done;
  }
  let config;
  let strategies: StrategyInstance[];
  try {
    ({ config, strategies } = await loadReplayConfig(command.kind === 'run' ? command : null, process.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail([error.message]);
    return EXIT.config;
  }
  // A command-line tool: only warnings and errors unless LOG_LEVEL asks for more; on stderr, beside the progress bar.
  const logger = createLogger('replay', process.env['LOG_LEVEL'] === undefined ? 'warn' : config.LOG_LEVEL, pino.destination(2));
  const sql = replayDatabase(config);
  try {
    if (command.kind === 'list') {
      const runs = await listRuns(sql);
      if (command.json) out(JSON.stringify(runs, null, 2));
      else out(formatTable(['run', 'kind', 'status', 'started', 'label'], runs.map((r) => [r.runId, r.kind, r.status, r.startedAt.toISOString(), r.label ?? ''])));
      return EXIT.done;
    }
    if (command.kind === 'show') {
      const run = await findRun(sql, command.runId);
      if (run === null) {
        fail([`no run "${command.runId}" (replay --list shows them)`]);
        return EXIT.usage;
      }
      const results = await runResults(sql, [run.runId]);
      if (command.json) {
        out(JSON.stringify({ ...run, results }, null, 2));
      } else {
        out(`run ${run.runId} (${run.kind}) ${run.status}${run.label === null ? '' : `: ${run.label}`}`);
        out(`started ${run.startedAt.toISOString()}${run.finishedAt === null ? '' : `, finished ${run.finishedAt.toISOString()}`}`);
        out(`strategies ${JSON.stringify(run.strategies)}`);
        out(`settings ${JSON.stringify(run.settings)}`);
        if (run.offsets !== null) out(`offsets ${JSON.stringify(run.offsets)}`);
        out(resultsTable(rankResults(results, 'sharpe')));
      }
      return EXIT.done;
    }
    return await replay(argv, command, config, strategies, sql, logger);
  } catch (error) {
    if (error instanceof ReplayUsageError || error instanceof ReplayRangeError) {
      fail(error.problems);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      // Strategies and parameters from the environment are configuration (78); from the command line, arguments (64).
      const flag = (name: string) => (command.kind !== 'run' ? null
        : name === 'STRATEGY_MODULE' && command.strategy !== null ? '--strategy' : name === 'STRATEGY_PARAMS' && command.params !== null ? '--params' : null);
      fail(error.problems.map((p) => `${flag(p.name) ?? p.name}: ${p.message}`));
      return error.problems.some((p) => flag(p.name) !== null) ? EXIT.usage : EXIT.config;
    }
    logger.error({ err: error }, 'replay failed');
    fail([(error as Error).message]);
    return EXIT.failed;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// Output piped to a program that has gone (`replay … | head`) ends the output, not the run, which still finishes and records.
process.stdout.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'EPIPE') throw error; });
process.exitCode = await main(process.argv.slice(2));
