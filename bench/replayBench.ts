import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { pino } from 'pino';
import { createKafka } from '../kafka/createKafka.js';
import { createTestSchema } from '../testing/db/createTestSchema.js';
import { publishEvents } from '../testing/engine/publishEvents.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { PROJECT_ROOT } from '../testing/services/localServices.js';
import { resolveServices } from '../testing/services/resolveServices.js';
import { trades } from './engineThroughput.js';

/**
 * `make bench` (replay): 1 000 000 trades recorded in Kafka (10 products over a day of event time, 1-minute
 * bars) replayed through sma_cross and the statistics by the replay CLI, results written to PostgreSQL; then
 * a 10-combination sweep over the same records in one pass, against the single run.
 */
const TRADES = Number(process.env['BENCH_REPLAY_TRADES'] ?? 1_000_000);

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

const { services, stop } = await resolveServices(process.env);
const kafka = createKafka('bench', services.kafkaBrokers, pino({ level: 'warn' }));
const { prefix, topics } = await createTestTopics(kafka, 3);
const schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
progress(`publishing ${TRADES} trades`);
await publishEvents(kafka, topics.normalized, trades(TRADES, 10, 1440));
const env = {
  KAFKA_BROKERS: services.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix, DATABASE_URL: services.databaseUrl, DATABASE_SCHEMA: schema.schema,
};

async function replay(args: string[]): Promise<{ records: number; seconds: number; wallSeconds: number; instances: number }> {
  progress(`replay ${args.join(' ')}`);
  const start = performance.now();
  const cli = new ProgramProcess('replay/main.js', env, [...args, '--json']);
  const code = await cli.exited;
  if (code !== 0) throw new Error(`replay exited with ${code}: ${cli.stderr.join('\n')}`);
  const report = JSON.parse(cli.stdout.join('\n')) as { records: number; seconds: number; results: unknown[] };
  return { records: report.records, seconds: report.seconds, wallSeconds: (performance.now() - start) / 1000, instances: report.results.length };
}

const single = await replay(['--strategy', 'sma_cross']);
const sweep = await replay(['--strategy', 'sma_cross', '--grid', 'fast=5..14,slow=30']);
progress('');
await schema.drop();
await stop();

const result = {
  benchmark: 'replay',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version },
  setup: `${services.origin} Kafka and PostgreSQL; ${TRADES} trades of 10 products over 1 440 minutes on 3 partitions; 1-minute bars, statistics windows 60,1440; results written to PostgreSQL; time from the replay's first fetch to its last commit (the process's wall time beside it)`,
  single: { ...single, tradesPerSecond: Math.round(single.records / single.seconds) },
  sweep: { combinations: 10, ...sweep, tradesPerSecond: Math.round(sweep.records / sweep.seconds) },
  sweepToSingleTimeRatio: Number((sweep.seconds / single.seconds).toFixed(2)),
  goals: {
    tradesPerSecond: { goal: 500_000, met: single.records / single.seconds >= 500_000 },
    sweepRatio: { goal: 2, met: sweep.seconds / single.seconds <= 2 },
  },
};
const file = `${PROJECT_ROOT}bench/results/replay.json`;
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
console.log(`written to ${file}`);
