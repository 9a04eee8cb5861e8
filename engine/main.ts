import { setTimeout as sleep } from 'node:timers/promises';
import { CompressionTypes, Partitioners } from 'kafkajs';
import postgres from 'postgres';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { assertPostgresPatched } from '../db/assertPostgresPatched.js';
import { EXACT_TIMESTAMPS } from '../db/exactTimestamps.js';
import { ConnectionGate } from '../kafka/ConnectionGate.js';
import { createKafka } from '../kafka/createKafka.js';
import { GroupConsumer } from '../kafka/GroupConsumer.js';
import { createEngineMetrics } from '../metrics/engineMetrics.js';
import { startMetricsServer } from '../metrics/startMetricsServer.js';
import { EXIT_CONFIG, StartRefused, startProgram } from '../runtime/startProgram.js';
import { wallClockUs } from '../runtime/wallClockUs.js';
import { topicNames } from '../wire/topics.js';
import { EngineCore } from './core/EngineCore.js';
import { engineSettings } from './engineSettings.js';
import { EngineRunner } from './EngineRunner.js';
import { IdleReporter } from './IdleReporter.js';
import { pollConsumerLag } from './pollConsumerLag.js';
import { kafkaBatches } from './pipeline/kafkaBatches.js';
import { runPipeline } from './pipeline/runPipeline.js';
import { strategyConfigLoader } from './loadStrategyProgramConfig.js';
import { OutboxRelay } from './sinks/OutboxRelay.js';
import { PostgresCheckpointer } from './sinks/PostgresCheckpointer.js';
import { currentLiveRun, startLiveRun } from './sinks/startLiveRun.js';
import { decideLiveStart, liveGroupMembers } from './decideLiveStart.js';
import { runSettings, settingsChanges } from './runSettings.js';

const COMPRESSION = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP } as const;
/** On stop, how long the consumer may take to finish its batch and leave the group before its connections are cut. */
const LEAVE_TIMEOUT_MS = 5000;
/** With other settings than the group's run, how long to wait for the group's live members to leave before refusing: an engine being stopped leaves within LEAVE_TIMEOUT_MS. */
const MEMBERS_LEAVE_WAIT_MS = 2 * LEAVE_TIMEOUT_MS;
const MEMBERS_CHECK_EVERY_MS = 500;
/** On stop, how long to wait for Kafka's list of the group's other members before marking the run interrupted. */
const MEMBERS_ON_STOP_TIMEOUT_MS = 2000;
/** With no record, the first "waiting for records" line after this long, then one every IDLE_REPORT_EVERY_MS. */
const IDLE_FIRST_REPORT_MS = 30_000;
const IDLE_REPORT_EVERY_MS = 300_000;
/** How often the consumer lag is read from the broker (batches update it too, but none arrive while paused). */
const LAG_POLL_EVERY_MS = 10_000;

// Resolving the strategies is part of checking the configuration: their problems are reported with the others (78).
const loadConfig = strategyConfigLoader('engine');

await startProgram('engine', async (config, logger, onStop, strategies) => {
  // A fatal condition stops the engine as a signal would, once (a second signal would exit at once).
  let stopRequested = false;
  const stopOnce = () => {
    if (stopRequested) return;
    stopRequested = true;
    process.kill(process.pid, 'SIGTERM');
  };
  const configured = engineSettings(config, strategies);
  const topics = topicNames(config.KAFKA_TOPIC_PREFIX);
  const group = config.ENGINE_GROUP_ID;
  logger.info({ strategies: strategies.map((s) => `${s.plugin.id}(${s.paramsKey})`), intervalsUs: configured.intervalsUs }, 'strategies');

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createEngineMetrics(registry);
  const server = await startMetricsServer(registry, config.METRICS_HOST, config.ENGINE_METRICS_PORT);
  onStop(() => server.close());
  logger.info({ port: server.port }, 'metrics on /metrics');

  assertPostgresPatched();
  const sql = postgres(config.DATABASE_URL, {
    max: 4, onnotice: () => undefined, types: EXACT_TIMESTAMPS,
    connection: { application_name: 'engine', search_path: `${config.DATABASE_SCHEMA}, public` },
  });
  onStop(() => sql.end({ timeout: 5 }));
  const [migrated] = await sql<{ ready: boolean }[]>`SELECT to_regclass('engine_offsets') IS NOT NULL AS ready`;
  if (migrated?.ready !== true) throw new Error(`schema "${config.DATABASE_SCHEMA}" has no engine tables: run \`make migrate\` first`);

  // The admin's and the outbox producer's client: after their disconnects, nothing reconnects.
  const connections = new ConnectionGate();
  onStop(() => { connections.close(); return Promise.resolve(); });
  const kafka = createKafka('engine', config.KAFKA_BROKERS, logger, { socketFactory: connections.socketFactory, stopping: () => connections.closed });
  const admin = kafka.admin();
  await admin.connect();
  onStop(() => admin.disconnect());
  // For what runs on a timer or during the stop (the lag poll, the last look at the group's members): no retries,
  // so that in a Kafka outage a request fails at once instead of keeping the process alive with kafkajs's
  // retry timers after the engine has stopped.
  const probe = kafka.admin({ retry: { retries: 0 } });
  await probe.connect();
  onStop(() => probe.disconnect());

  // One group runs one set of settings: other settings supersede the group's run only once its engines have
  // gone. Engines that start at the same moment, before either has joined, are not seen: the later supersedes.
  const current = await currentLiveRun(sql, group);
  const decision = await decideLiveStart(admin, {
    group, waitMs: MEMBERS_LEAVE_WAIT_MS, sessionTimeoutMs: config.ENGINE_SESSION_TIMEOUT_MS,
    current: current === null ? null : { runId: current.runId, changes: settingsChanges(current.settings, runSettings(configured, topics.normalized)) },
  }, { everyMs: MEMBERS_CHECK_EVERY_MS, logger });
  if (decision.kind === 'refuse') throw new StartRefused(decision.message, EXIT_CONFIG);
  // Continue or supersede is decided again under the group's lock, on the run current then.
  const run = await startLiveRun(sql, group, configured, topics.normalized);
  const settings = { ...configured, runId: run.runId };
  if (run.superseded !== null) {
    logger.warn({ run: run.runId, superseded: run.superseded.runId, changes: run.superseded.changes },
      `settings changed since live run ${run.superseded.runId} (${run.superseded.changes.join('; ')}): starting live run ${run.runId} with fresh state; ${run.superseded.runId} keeps its settings and results`);
  } else {
    logger.info({ run: run.runId }, `live run ${run.runId}`);
  }

  const producer = kafka.producer({
    idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  await producer.connect();
  onStop(() => producer.disconnect());
  // A client of its own, closed for good on stop, whatever the group is doing (GroupConsumer).
  const source = new GroupConsumer({
    clientId: 'engine', brokers: config.KAFKA_BROKERS, logger, leaveTimeoutMs: LEAVE_TIMEOUT_MS,
    config: {
      groupId: group, maxWaitTimeInMs: 250, sessionTimeout: config.ENGINE_SESSION_TIMEOUT_MS,
      heartbeatInterval: Math.floor(config.ENGINE_SESSION_TIMEOUT_MS / 10), allowAutoTopicCreation: false,
    },
    onFatal: (error) => { logger.fatal({ err: error }, 'the Kafka consumer crashed and does not restart'); stopOnce(); },
  });
  onStop(() => source.close());
  await source.connect();
  const { consumer } = source;

  const core = new EngineCore(settings, topics.normalized);
  const checkpointer = new PostgresCheckpointer(sql, group, topics, { runId: run.runId, publish: true });
  let runner: EngineRunner | null = null;
  const relay = new OutboxRelay({
    sql, producer, group, compression: COMPRESSION[config.KAFKA_COMPRESSION], logger,
    onPublished: (n) => { metrics.outboxPublished.inc(n); },
    ownedPartitions: () => runner?.ownedPartitions ?? [],
  });
  runner = new EngineRunner({
    core, checkpointer, metrics, logger, nowUs: wallClockUs,
    checkpointIntervalMs: config.ENGINE_CHECKPOINT_INTERVAL_MS, checkpointMaxRows: config.ENGINE_CHECKPOINT_MAX_ROWS,
    onFatal: stopOnce,
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
  source.onAssignment((assignment) => {
    const partitions = assignment[topics.normalized] ?? [];
    logger.info({ partitions }, 'partitions assigned');
    engine.assign(partitions).catch((error: unknown) => { logger.error({ err: error, partitions }, 'restoring partitions failed while stopping'); });
  });
  // Before partitions move, commit what this engine has: the next owner then has less to recompute.
  source.onRebalancing(() => { void engine.checkpointAll(); });
  await consumer.subscribe({ topic: topics.normalized, fromBeginning: config.ENGINE_START_FROM === 'earliest' });
  relay.start();
  engine.start();
  logger.info({ group }, 'joining the consumer group');
  const lag = pollConsumerLag({
    admin: probe, topic: topics.normalized, positions: () => engine.positions, startFrom: config.ENGINE_START_FROM,
    gauge: metrics.consumerLag, everyMs: LAG_POLL_EVERY_MS, logger,
  });
  // Idle and stuck must not look alike: say that the engine waits, and on what, while no record arrives.
  const idle = new IdleReporter({
    logger, topic: topics.normalized, group, partitions: () => engine.ownedPartitions, firstAfterMs: IDLE_FIRST_REPORT_MS, everyMs: IDLE_REPORT_EVERY_MS,
    backlog: () => ({ waitingRecords: lag.waitingRecords(), databaseFailure: engine.databaseFailure }),
  });
  idle.start();
  onStop(() => { idle.stop(); lag.stop(); return Promise.resolve(); });
  const pipeline = runPipeline(kafkaBatches(source), (batch) => { idle.received(batch.records.length); return engine.handle(batch); }).subscribe({
    error: (error: unknown) => { logger.fatal({ err: error }, 'the Kafka consumer failed'); stopOnce(); },
  });
  onStop(async () => {
    // Intake first: the batch in hand is finished and the group left (or the connections cut), for good.
    await source.close();
    pipeline.unsubscribe();
    if (!(await engine.stop())) logger.warn('some results were not committed; the next start recomputes them from the last checkpoint');
    await relay.stop(5000);
    // The run is interrupted only when this was its last engine: other members of the group (a scale-out) go
    // on writing it. (Two engines stopping at the same moment may each still see the other: the status then
    // stays `running` until the next start of the group.) Kafka unreachable or slow (an outage: kafkajs would
    // retry for many seconds): this engine's view, interrupted, within the shutdown's time.
    const members = liveGroupMembers(probe, group).catch(() => null);
    const others = await Promise.race([members, sleep(MEMBERS_ON_STOP_TIMEOUT_MS, null, { ref: false })]) ?? [];
    if (others.length > 0) {
      logger.info({ run: run.runId, members: others.length }, `run ${run.runId} goes on: ${others.length} other engine(s) of group ${group} still write it`);
      return;
    }
    await sql`UPDATE strategy_runs SET status = 'interrupted', finished_at = now() WHERE run_id = ${run.runId} AND superseded_by IS NULL`.catch(() => undefined);
  });
}, loadConfig);
