#!/usr/bin/env node
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import postgres, { type Sql } from 'postgres';
import { createKafka } from '../kafka/createKafka.js';
import { projectRoot } from '../runtime/projectRoot.js';
import { wallClockUs } from '../runtime/wallClockUs.js';
import { DEMO_PRODUCTS } from '../simulator/CoinbaseSimulator.js';
import { catchUpUs } from '../simulator/simulatedTimeUs.js';
import { startSimulatedCoinbase, type SimulatedCoinbase } from '../simulator/startSimulatedCoinbase.js';
import { topicNames } from '../wire/topics.js';
import { DemoChild } from './DemoChild.js';
import { describeChildExit, type ChildExit } from './describeChildExit.js';
import { DEMO_BACKTEST, DemoHistory } from './DemoHistory.js';
import { DEMO_HELP, DemoUsageError, parseDemoArgs, type DemoOptions } from './parseDemoArgs.js';

/**
 * `make demo`: the whole live pipeline offline. A simulated Coinbase (simulator/) runs in this process; the
 * real producer and engine run as child processes on the demo's own topics, consumer group and schema;
 * Prometheus (the local services') scrapes them through a file_sd target file. Beside them, unless
 * `--no-history`, the bundled sample history is imported and backtested (DemoHistory). Ctrl-C (or SIGTERM) stops the
 * producer (it flushes to Kafka), then the engine (it checkpoints), then the market; prints a summary and
 * exits 0. A second Ctrl-C kills everything at once (exit 130).
 */

const EXIT = { done: 0, failed: 1, interrupted: 130, usage: 64, config: 78 } as const;
const ROOT = projectRoot(import.meta.url, 'services/services.sh');
const STRATEGIES = 'sma_cross,rsi_reversion,bollinger_breakout';
const INTERVALS = '10s,1m';

const say = (text: string) => { process.stdout.write(`[demo] ${text}\n`); };
const warn = (text: string) => { process.stderr.write(`[demo] ${text}\n`); };
const clock = (us: number) => new Date(us / 1000).toISOString().slice(11, 19);
/** What describeChildExit needs of a child that ended, its log named from the project root. */
const exitOf = (child: DemoChild, status: number): ChildExit =>
  ({ name: child.name, status, signal: child.exitSignal, tail: child.tail, logPath: child.logPath.replace(ROOT, '') });
const elapsed = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;

interface RowCounts { bars: number; signals: number; trades: number; strategy_metrics: number }

/** Sum of every sample of the named metrics in a Prometheus text exposition. */
function sumSamples(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

async function scrape(port: number | null): Promise<string> {
  if (port === null) return '';
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}

/** The live engine's rows (the replays' runs, from the history part or `--replay`, are left out). */
async function rowCounts(sql: Sql): Promise<RowCounts | null> {
  try {
    const [row] = await sql<RowCounts[]>`
      WITH replays AS (SELECT run_id FROM strategy_runs WHERE kind <> 'live')
      SELECT (SELECT count(*) FROM bars WHERE run_id NOT IN (SELECT run_id FROM replays))::int AS bars,
             (SELECT count(*) FROM signals WHERE run_id NOT IN (SELECT run_id FROM replays))::int AS signals,
             (SELECT count(*) FROM trades WHERE run_id NOT IN (SELECT run_id FROM replays))::int AS trades,
             (SELECT count(*) FROM strategy_metrics WHERE run_id NOT IN (SELECT run_id FROM replays))::int AS strategy_metrics`;
    return row ?? null;
  } catch {
    return null;
  }
}

/** Runs one of the project's one-shot programs (topics, migrations) to its end; its output goes to the log. */
async function runToEnd(name: string, script: string, env: Record<string, string>, logDir: string, args: readonly string[] = []): Promise<DemoChild> {
  const child = new DemoChild(name, join(ROOT, 'dist', script), args, env, join(logDir, `${name}.log`), ROOT);
  await child.exited;
  return child;
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new DemoUsageError([`${name} is not set: run \`make demo\` (it starts the local services and reads .services.env), or set it`]);
  }
  return value;
}

async function main(): Promise<number> {
  let options: DemoOptions;
  let env: { kafkaBrokers: string; databaseUrl: string; migrationUrl: string };
  try {
    options = parseDemoArgs(process.argv.slice(2));
    if (options.help) {
      process.stdout.write(DEMO_HELP);
      return EXIT.done;
    }
    env = { kafkaBrokers: required('KAFKA_BROKERS'), databaseUrl: required('DATABASE_URL'), migrationUrl: required('MIGRATION_DATABASE_URL') };
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    for (const problem of error.problems) warn(problem);
    return error.problems.some((p) => p.includes('is not set')) ? EXIT.config : EXIT.usage;
  }

  const ns = options.namespace;
  const prefix = `${ns}.`;
  const group = `${ns}-engine`;
  const logDir = join(ROOT, '.demo', ns);
  mkdirSync(logDir, { recursive: true });
  for (const file of ['topics.log', 'migrate.log', 'producer.log', 'engine.log', 'replay.log', 'history-backfill.log', 'history-replay.log', 'history-sweep.log']) rmSync(join(logDir, file), { force: true });
  const targetsDir = options.prometheusTargets ?? join(ROOT, '.services/prometheus/targets');
  const targetsFile = existsSync(targetsDir) ? join(targetsDir, `demo-${ns}.json`) : null;
  const startedMs = Date.now();
  const base = { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', KAFKA_BROKERS: env.kafkaBrokers, KAFKA_TOPIC_PREFIX: prefix };

  // Stopping: the first signal asks the start-up or the run to end, in order; a second one kills at once.
  let stopReason: string | null = null;
  let wakeUp = () => {};
  const stopRequested = new Promise<void>((resolve) => { wakeUp = resolve; });
  const children: DemoChild[] = [];
  const killAll = () => { for (const child of children) child.kill(); };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopReason !== null) {
        warn(`${signal} again: killing everything now`);
        killAll();
        process.exit(EXIT.interrupted);
      }
      stopReason = signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM';
      process.stdout.write('\n');
      wakeUp();
    });
  }
  const stopped = () => stopReason !== null;

  let coinbase: SimulatedCoinbase | null = null;
  let producer: DemoChild | null = null;
  let engine: DemoChild | null = null;
  let history: DemoHistory | null = null;
  let ports: { producer: number | null; engine: number | null } = { producer: null, engine: null };
  const sql = postgres(env.databaseUrl, {
    max: 1, onnotice: () => undefined, connection: { application_name: 'demo', search_path: `${ns}, public` },
  });
  let failure: string | null = null;

  try {
    say(`namespace "${ns}": Kafka topics ${prefix}*, consumer group ${group}, PostgreSQL schema ${ns} (logs in .demo/${ns}/)`);
    // Afresh: the previous demo's records and results would otherwise meet a market that starts again.
    const kafka = createKafka('demo', env.kafkaBrokers.split(','), pino({ level: 'silent' }));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const ours = Object.values(topicNames(prefix)).filter((t) => existing.has(t));
      if (ours.length > 0) await admin.deleteTopics({ topics: ours, timeout: 30_000 });
    } finally {
      await admin.disconnect();
    }
    const owner = postgres(env.migrationUrl, { max: 1, onnotice: () => undefined });
    try {
      await owner`DROP SCHEMA IF EXISTS ${owner(ns)} CASCADE`;
    } finally {
      await owner.end({ timeout: 5 });
    }
    // Topic deletion completes in the background: creating them again may be refused for a moment.
    for (let attempt = 1; !stopped(); attempt++) {
      const topics = await runToEnd('topics', 'scripts/createTopics.js', base, logDir);
      if (await topics.exited === 0) break;
      if (attempt === 10) throw new Error(`creating the topics failed (log: .demo/${ns}/topics.log)`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if (!stopped()) {
      const migrate = await runToEnd('migrate', 'scripts/migrate.js', {
        PATH: base.PATH, LOG_LEVEL: 'info', MIGRATION_DATABASE_URL: env.migrationUrl, DATABASE_SCHEMA: ns,
      }, logDir);
      if (await migrate.exited !== 0) throw new Error(`the migrations failed (log: .demo/${ns}/migrate.log)`);
      say(`topics created, schema ${ns} migrated`);
    }

    if (!stopped()) {
      coinbase = await startSimulatedCoinbase({
        seed: options.seed, historyMs: options.historyMinutes * 60_000, speed: options.speed, port: options.coinbasePort,
      });
      const catchUpS = catchUpUs({ historyUs: options.historyMinutes * 60e6, speed: options.speed }) / 1e6;
      say(`simulated Coinbase on ${coinbase.server.url}: ${DEMO_PRODUCTS.map((p) => p.productId).join(', ')}, seed ${options.seed}; ` +
        (options.historyMinutes > 0
          ? `${options.historyMinutes} min of history at ${options.speed}×, ${Number.isFinite(catchUpS) ? `in the present after ${Math.round(catchUpS)} s` : 'never catching up'}`
          : 'in real time'));
      producer = new DemoChild('producer', join(ROOT, 'dist/producer/main.js'), [], {
        ...base, COINBASE_WS_URL: coinbase.server.url, COINBASE_PRODUCT_IDS: DEMO_PRODUCTS.map((p) => p.productId).join(','),
        METRICS_HOST: '127.0.0.1', METRICS_PORT: String(options.producerMetricsPort),
      }, join(logDir, 'producer.log'), ROOT);
      children.push(producer);
      engine = new DemoChild('engine', join(ROOT, 'dist/engine/main.js'), [], {
        ...base, DATABASE_URL: env.databaseUrl, DATABASE_SCHEMA: ns, ENGINE_GROUP_ID: group,
        METRICS_HOST: '127.0.0.1', ENGINE_METRICS_PORT: String(options.engineMetricsPort),
        ENGINE_INTERVALS: INTERVALS, STRATEGY_MODULE: STRATEGIES,
      }, join(logDir, 'engine.log'), ROOT);
      children.push(engine);
      const port = async (child: DemoChild): Promise<number | null> => {
        const line = await Promise.race([
          child.waitForLog((l) => l['msg'] === 'metrics on /metrics'), child.exited.then(() => null), stopRequested.then(() => null),
        ]);
        return typeof line?.['port'] === 'number' ? line['port'] : null;
      };
      ports = { producer: await port(producer), engine: await port(engine) };
      for (const child of [producer, engine]) {
        if (!stopped() && !child.running) throw new Error(describeChildExit(exitOf(child, await child.exited)));
      }
    }
    if (!stopped() && producer !== null && engine !== null) {
      // Registered for scraping before they are announced: whoever reads the lines finds the target file.
      if (targetsFile !== null) {
        writeFileSync(targetsFile, JSON.stringify([
          { targets: [`127.0.0.1:${ports.producer}`], labels: { job: 'producer', demo: ns } },
          { targets: [`127.0.0.1:${ports.engine}`], labels: { job: 'engine', demo: ns } },
        ]));
      }
      say(`producer  pid ${producer.pid}, metrics http://127.0.0.1:${ports.producer}/metrics, log .demo/${ns}/producer.log`);
      say(`engine    pid ${engine.pid}, metrics http://127.0.0.1:${ports.engine}/metrics, log .demo/${ns}/engine.log ` +
        `(${STRATEGIES} on ${INTERVALS} bars)`);
      if (targetsFile !== null) {
        say(`Prometheus scrapes both (jobs producer and engine, label demo="${ns}"; target file ${targetsFile.replace(ROOT, '')})`);
      } else {
        say(`no Prometheus target directory at ${targetsDir}: nothing registers the producer and engine for scraping`);
      }
      say(`results: PostgreSQL schema ${ns}, tables bars, signals, trades, strategy_metrics. Ctrl-C stops everything.`);
      if (options.history) {
        say(`history: importing the bundled sample into ${prefix}prices.history, then a replay and a sweep over it (--no-history skips this)`);
        history = new DemoHistory({
          namespace: ns, root: ROOT, logDir, say, warn, started: (child) => { children.push(child); },
          env: {
            ...base, LOG_LEVEL: 'warn', DATABASE_URL: env.databaseUrl, DATABASE_SCHEMA: ns,
            ENGINE_INTERVALS: DEMO_BACKTEST.intervals, ENGINE_ALLOWED_LATENESS_MS: '0',
          },
        });
      }
    }

    // Running: a status line now and then, until a signal, the duration, or a child that ends on its own.
    const running = [producer, engine].filter((c): c is DemoChild => c !== null);
    const childEnded = Promise.race(running.map((c) => c.exited.then((status) => ({ child: c, status }))));
    const deadline = options.durationS > 0 ? new Promise<void>((resolve) => setTimeout(resolve, options.durationS * 1000).unref()) : null;
    let nextStatusMs = Date.now() + options.statusEveryS * 1000;
    while (!stopped() && running.length > 0) {
      const tick = new Promise<'tick'>((resolve) => setTimeout(() => { resolve('tick'); }, Math.max(0, nextStatusMs - Date.now())).unref());
      const woke = await Promise.race([tick, stopRequested.then(() => 'stop' as const), childEnded, ...(deadline === null ? [] : [deadline.then(() => 'deadline' as const)])]);
      if (woke === 'deadline') {
        stopReason = `--duration ${options.durationS}`;
      } else if (typeof woke === 'object') {
        // Why, at once (the stop of the others takes a while); the summary repeats its first line.
        const why = describeChildExit(exitOf(woke.child, woke.status));
        warn(why);
        failure = why.split('\n')[0] ?? why;
        stopReason = `the ${woke.child.name} ended`;
      } else if (woke === 'tick' && coinbase !== null) {
        nextStatusMs += options.statusEveryS * 1000;
        const market = coinbase.market.stats;
        const behindS = (wallClockUs() - market.publishedUs) / 1e6;
        const metrics = await scrape(ports.producer);
        const rows = await rowCounts(sql);
        say([
          `${elapsed(Date.now() - startedMs)}  event time ${clock(market.publishedUs)}${behindS > 5 ? ` (${(behindS / 60).toFixed(1)} min behind, catching up)` : ''}`,
          `market ${market.trades} trades, ${market.disconnects} dropped connections`,
          `producer ${sumSamples(metrics, 'producer_trades_published_total')} trades published, ${sumSamples(metrics, 'producer_ws_reconnects_total')} reconnects, ${sumSamples(metrics, 'producer_gap_markers_published_total')} gap markers`,
          rows === null ? 'tables not readable yet' : `bars ${rows.bars}, signals ${rows.signals}, fills ${rows.trades}, strategy_metrics ${rows.strategy_metrics}`,
        ].join(' · '));
      }
    }
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    stopReason ??= 'a failure';
  }

  // Stopping, in order: intake first (the producer flushes what it holds to Kafka), then the engine (it
  // commits its last checkpoint), then the market; the Prometheus target goes with them.
  say(`stopping (${stopReason ?? 'done'}): ${history?.running === true ? 'the history part, ' : ''}producer, then engine, then the simulated Coinbase`);
  await history?.stop(20_000);
  const statuses: Record<string, number> = {};
  const finalMetrics = await scrape(ports.producer);
  for (const [child, graceMs] of [[producer, 20_000], [engine, 30_000]] as const) {
    if (child === null) continue;
    statuses[child.name] = await child.stop(graceMs);
    say(`${child.name} stopped (exit ${statuses[child.name]})`);
  }
  if (targetsFile !== null) rmSync(targetsFile, { force: true });
  const market = coinbase?.market.stats ?? null;
  if (coinbase !== null) {
    await coinbase.close();
    say('simulated Coinbase stopped');
  }
  const rows = await rowCounts(sql);

  if (options.replay && failure === null && rows !== null && market !== null) {
    say(`replaying the demo's recorded range through the engine's code (node dist/replay/main.js, log .demo/${ns}/replay.log):`);
    const replay = new DemoChild('replay', join(ROOT, 'dist/replay/main.js'), ['--label', `demo ${ns} replay`], {
      ...base, LOG_LEVEL: 'warn', DATABASE_URL: env.databaseUrl, DATABASE_SCHEMA: ns, ENGINE_INTERVALS: INTERVALS, STRATEGY_MODULE: STRATEGIES,
    }, join(logDir, 'replay.log'), ROOT);
    children.push(replay);
    statuses['replay'] = await replay.exited;
    for (const line of replay.tail) if (!line.startsWith('{')) process.stdout.write(`${line}\n`);
  }
  await sql.end({ timeout: 5 });

  const ok = failure === null && Object.values(statuses).every((s) => s === 0) && history?.failed !== true;
  say('summary');
  const lines = [
    `ran ${elapsed(Date.now() - startedMs)} (namespace ${ns}, seed ${options.seed})`,
    market === null ? null
      : `market: event time ${clock(coinbase?.simulator.startUs ?? market.publishedUs)}–${clock(market.publishedUs)} UTC, ${market.trades} trades, ${market.disconnects} dropped connections`,
    finalMetrics === '' ? null
      : `producer: ${sumSamples(finalMetrics, 'producer_trades_published_total')} trades published, ${sumSamples(finalMetrics, 'producer_ws_reconnects_total')} reconnects, ${sumSamples(finalMetrics, 'producer_gap_markers_published_total')} gap markers`,
    rows === null ? null : `schema ${ns}, live engine: ${rows.bars} bars, ${rows.signals} signals, ${rows.trades} fills, ${rows.strategy_metrics} strategy_metrics rows`,
    history === null ? null
      : `history: ${Object.keys(history.statuses).length === 0 ? 'nothing was run' : `exit statuses: ${Object.entries(history.statuses).map(([name, status]) => `${name} ${status}`).join(', ')}`} (logs .demo/${ns}/history-*.log; runs in ${ns}.strategy_runs)`,
    `exit statuses: ${Object.entries(statuses).map(([name, status]) => `${name} ${status}`).join(', ') || 'nothing was started'}`,
    `logs: .demo/${ns}/`,
  ];
  for (const line of lines) if (line !== null) say(`  ${line}`);
  if (failure !== null) warn(`failed: ${failure}`);
  return ok ? EXIT.done : EXIT.failed;
}

process.exitCode = await main();
