import type { EnvVarName } from './envVars.js';

/**
 * Which variables each program reads. A program validates exactly these at start-up, so the producer does
 * not fail on a bad `DATABASE_URL` it never uses; the README's "used by" column is derived from here.
 */
export const PROGRAM_ENV = {
  producer: [
    'LOG_LEVEL', 'KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX', 'KAFKA_COMPRESSION',
    'COINBASE_FEED', 'COINBASE_WS_URL', 'COINBASE_PRODUCT_IDS', 'COINBASE_STALL_TIMEOUT_MS',
    'COINBASE_SUBSCRIBE_TIMEOUT_MS', 'COINBASE_RECONNECT_BASE_MS', 'COINBASE_RECONNECT_MAX_MS',
    'COINBASE_MAX_FRAME_BYTES', 'PRODUCER_QUEUE_MAX_BYTES', 'PRODUCER_DEDUPE_WINDOW',
    'PRODUCER_SHUTDOWN_TIMEOUT_MS', 'METRICS_HOST', 'METRICS_PORT',
  ],
  topics: [
    'LOG_LEVEL', 'KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX', 'KAFKA_TOPIC_PARTITIONS',
    'KAFKA_TOPIC_REPLICATION_FACTOR', 'KAFKA_TOPIC_RETENTION_MS', 'COINBASE_MAX_FRAME_BYTES',
  ],
  tests: ['KAFKA_BROKERS', 'DATABASE_URL', 'PROMETHEUS_URL'],
} as const satisfies Record<string, readonly EnvVarName[]>;

export type ProgramName = keyof typeof PROGRAM_ENV;
