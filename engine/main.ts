import { CompressionTypes, Partitioners } from 'kafkajs';
import postgres from 'postgres';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createKafka } from '../kafka/createKafka.js';
import { createEngineMetrics } from '../metrics/engineMetrics.js';
import { startMetricsServer } from '../metrics/startMetricsServer.js';
import { startProgram } from '../runtime/startProgram.js';
import { wallClockUs } from '../runtime/wallClockUs.js';
import { topicNames } from '../wire/topics.js';
import { EngineCore } from './core/EngineCore.js';
import { engineSettings, LIVE_RUN_ID } from './engineSettings.js';
import { EngineRunner } from './EngineRunner.js';
import { kafkaBatches } from './pipeline/kafkaBatches.js';
import { runPipeline } from './pipeline/runPipeline.js';
import { resolveStrategies } from './resolveStrategies.js';
import { OutboxRelay } from './sinks/OutboxRelay.js';
import { PostgresCheckpointer } from './sinks/PostgresCheckpointer.js';
import { recordLiveRun } from './sinks/recordLiveRun.js';

const COMPRESSION = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP } as const;

await startProgram('engine', async (config, logger, onStop) => {
  const strategies = await resolveStrategies(config.STRATEGY_MODULE, config.STRATEGY_PARAMS);
  const settings = engineSettings(config, strategies);
  const topics = topicNames(config.KAFKA_TOPIC_PREFIX);
  const group = config.ENGINE_GROUP_ID;
  logger.info({ strategies: strategies.map((s) => `${s.plugin.id}(${s.paramsKey})`), intervalsUs: settings.intervalsUs }, 'strategies');

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createEngineMetrics(registry);
  const server = await startMetricsServer(registry, config.METRICS_HOST, config.ENGINE_METRICS_PORT);
  onStop(() => server.close());
  logger.info({ port: server.port }, 'metrics on /metrics');

  const sql = postgres(config.DATABASE_URL, {
    max: 4, onnotice: () => undefined,
    connection: { application_name: 'engine', search_path: `${config.DATABASE_SCHEMA}, public` },
  });
  onStop(() => sql.end({ timeout: 5 }));
  const [migrated] = await sql<{ ready: boolean }[]>`SELECT to_regclass('engine_offsets') IS NOT NULL AS ready`;
  if (migrated?.ready !== true) throw new Error(`schema "${config.DATABASE_SCHEMA}" has no engine tables: run \`make migrate\` first`);
  await recordLiveRun(sql, LIVE_RUN_ID, settings);

  const kafka = createKafka('engine', config.KAFKA_BROKERS, logger);
  const admin = kafka.admin();
  await admin.connect();
  onStop(() => admin.disconnect());
  const producer = kafka.producer({
    idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  await producer.connect();
  onStop(() => producer.disconnect());
  const consumer = kafka.consumer({
    groupId: group, maxWaitTimeInMs: 250, sessionTimeout: config.ENGINE_SESSION_TIMEOUT_MS,
    heartbeatInterval: Math.floor(config.ENGINE_SESSION_TIMEOUT_MS / 10), allowAutoTopicCreation: false,
  });
  await consumer.connect();
  onStop(() => consumer.disconnect());

  const core = new EngineCore(settings, topics.normalized);
  const checkpointer = new PostgresCheckpointer(sql, group, topics);
  let runner: EngineRunner | null = null;
  const relay = new OutboxRelay({
    sql, producer, group, compression: COMPRESSION[config.KAFKA_COMPRESSION], logger,
    onPublished: (n) => { metrics.outboxPublished.inc(n); },
    ownedPartitions: () => runner?.ownedPartitions ?? [],
  });
  runner = new EngineRunner({
    core, checkpointer, metrics, logger, nowUs: wallClockUs,
    checkpointIntervalMs: config.ENGINE_CHECKPOINT_INTERVAL_MS, checkpointMaxRows: config.ENGINE_CHECKPOINT_MAX_ROWS,
    onCommitted: (partition, offset) => {
      relay.notify();
      // For lag tools only: the engine resumes from its own checkpoints.
      consumer.commitOffsets([{ topic: topics.normalized, partition, offset }]).catch(() => undefined);
    },
    seek: (partition, offset) => {
      if (offset !== null) {
        consumer.seek({ topic: topics.normalized, partition, offset });
        return;
      }
      void admin.fetchTopicOffsets(topics.normalized).then((ends) => {
        const end = ends.find((e) => e.partition === partition);
        if (end !== undefined) consumer.seek({ topic: topics.normalized, partition, offset: config.ENGINE_START_FROM === 'earliest' ? end.low : end.high });
      });
    },
  });
  const engine = runner;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = payload.memberAssignment[topics.normalized] ?? [];
    logger.info({ partitions }, 'partitions assigned');
    engine.assign(partitions).catch((error: unknown) => { logger.error({ err: error, partitions }, 'restoring partitions failed while stopping'); });
  });
  // Before partitions move, commit what this engine has: the next owner then has less to recompute.
  consumer.on(consumer.events.REBALANCING, () => { void engine.checkpointAll(); });
  await consumer.subscribe({ topic: topics.normalized, fromBeginning: config.ENGINE_START_FROM === 'earliest' });
  relay.start();
  engine.start();
  const pipeline = runPipeline(kafkaBatches(consumer), (batch) => engine.handle(batch)).subscribe({
    error: (error: unknown) => { logger.fatal({ err: error }, 'the Kafka consumer failed'); process.kill(process.pid, 'SIGTERM'); },
  });
  onStop(async () => {
    await consumer.stop();
    pipeline.unsubscribe();
    if (!(await engine.stop())) logger.warn('some results were not committed; the next start recomputes them from the last checkpoint');
    await relay.stop(5000);
    await sql`UPDATE strategy_runs SET status = 'interrupted', finished_at = now() WHERE run_id = ${LIVE_RUN_ID}`.catch(() => undefined);
  });
});
