import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { createKafka } from '../kafka/createKafka.js';
import { createLogger } from '../logging/createLogger.js';
import { topicNames } from '../wire/topics.js';
import { parseReplayArgs } from './parseReplayArgs.js';
import { loadReplayConfig, planReplay } from './planReplay.js';
import { replayDatabase } from './replayDatabase.js';
import type { ReplayMainMessage, ReplayWorkerData, ReplayWorkerMessage } from './replayWorkerProtocol.js';
import { runReplay } from './runReplay.js';

/**
 * A replay worker thread (started by {@link runReplayWorkers}): the engine over its share of the partitions,
 * with its own Kafka consumer, connection pool and engine core, under the main thread's run id. It plans the
 * run from the same command line and environment as the main thread, which validated both.
 */
const port = parentPort;
if (port === null) throw new Error('replay/replayWorker.js runs as a worker thread of the replay');
const data = workerData as ReplayWorkerData;
const post = (message: ReplayWorkerMessage) => { port.postMessage(message); };

let interrupt = () => {};
const interrupted = new Promise<void>((resolve) => { interrupt = resolve; });
let handled = () => {};
port.on('message', (message: ReplayMainMessage) => {
  if (message.kind === 'interrupt') interrupt();
  else handled();
});

try {
  const command = parseReplayArgs(data.argv);
  if (command.kind !== 'run') throw new Error(`a replay worker runs replays, not ${command.kind}`);
  const { config, strategies } = await loadReplayConfig(command, process.env);
  const { settings } = await planReplay(command, config, strategies, data.runId);
  const logger = createLogger('replay', process.env['LOG_LEVEL'] === undefined ? 'warn' : config.LOG_LEVEL, pino.destination(2)).child({ worker: data.group });
  const sql = replayDatabase(config);
  const reported = new Set<string>();
  let outcome;
  try {
    outcome = await runReplay({
      kafka: createKafka('replay', config.KAFKA_BROKERS, logger), brokers: config.KAFKA_BROKERS, sql, topics: topicNames(config.KAFKA_TOPIC_PREFIX),
      topic: command.topic, settings, ranges: data.ranges, group: data.group, speed: command.speed, logger,
      checkpointIntervalMs: config.ENGINE_CHECKPOINT_INTERVAL_MS, checkpointMaxRows: config.ENGINE_CHECKPOINT_MAX_ROWS, interrupted,
      onProgress: (read) => { post({ kind: 'progress', read }); },
      onHandled: async (seen) => {
        if (seen.size === reported.size) return;
        const products = [...seen].filter((p) => !reported.has(p));
        for (const p of products) reported.add(p);
        await new Promise<void>((resolve) => {
          handled = resolve;
          post({ kind: 'seen', products });
        });
      },
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
  // Last: the main thread terminates the worker on this message.
  post({ kind: 'done', records: outcome.records, complete: outcome.complete, skippedCandles: outcome.skippedCandles, productsSeen: [...outcome.productsSeen] });
} catch (error) {
  post({ kind: 'failed', message: (error as Error).message, stack: (error as Error).stack });
}
