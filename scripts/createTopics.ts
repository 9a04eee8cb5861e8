import { createKafka } from '../kafka/createKafka.js';
import { ensureTopics } from '../kafka/ensureTopics.js';
import { planTopics } from '../kafka/planTopics.js';
import { startProgram } from '../runtime/startProgram.js';
import { topicNames } from '../wire/topics.js';

/** `make topics`: creates the project's topics with the admin API; safe to run again. */
await startProgram('topics', async (config, logger) => {
  const admin = createKafka('topics', config.KAFKA_BROKERS, logger).admin();
  await admin.connect();
  try {
    const plans = planTopics(topicNames(config.KAFKA_TOPIC_PREFIX), {
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
      retentionMs: config.KAFKA_TOPIC_RETENTION_MS,
      maxFrameBytes: config.COINBASE_MAX_FRAME_BYTES,
      historyRetentionMs: config.KAFKA_TOPIC_HISTORY_RETENTION_MS,
    });
    const { created, existing } = await ensureTopics(admin, plans, logger);
    logger.info({ created, existing }, 'topics ready');
  } finally {
    await admin.disconnect();
  }
});
