import { Kafka, logLevel, type ISocketFactory, type LogEntry, type RetryOptions } from 'kafkajs';
import type { Logger } from 'pino';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Errors of a broker that is starting (a fresh one loads its group coordinator) or moving partition leaders:
 * kafkajs retries the request by itself, so they are not errors of the program (kafkajs's protocol messages).
 */
const TRANSIENT_BROKER_ERRORS: ReadonlySet<string> = new Set([
  'The coordinator is loading and hence can\'t process requests for this group',
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  'This server is not the leader for that topic-partition',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
]);

/** The pino level of one kafkajs log entry. */
export function kafkaLogLevel(level: logLevel, message: string, extra: { error?: unknown }, stopping: boolean): 'error' | 'warn' | 'info' | 'debug' {
  if (stopping) return 'debug';
  // A request's response carrying a transient error is retried: detail. The error itself, reported: a warning.
  if (message.startsWith('Response ') && typeof extra.error === 'string' && TRANSIENT_BROKER_ERRORS.has(extra.error)) return 'debug';
  if (TRANSIENT_BROKER_ERRORS.has(message) && level <= logLevel.WARN) return 'warn';
  return LEVELS[level] ?? 'info';
}

/**
 * A kafkajs client whose own logs go through the service's pino logger (as `component: kafkajs`); with a
 * socket factory (a `ConnectionGate`'s) when its connections must be closable for good, and other retries
 * where the default (8, backing off to 5 s: about 16 s before kafkajs gives up) does not suit. Once
 * `stopping()` is true, what kafkajs reports is a consequence of the stop (requests failed by closed
 * connections, a crash without restart) and is logged at debug level; so are responses with an error kafkajs
 * retries on a starting broker (`coordinator is loading`, `not the leader`: {@link kafkaLogLevel}).
 */
export function createKafka(clientId: string, brokers: readonly string[], logger: Logger,
  options: { socketFactory?: ISocketFactory; retry?: RetryOptions; stopping?: () => boolean } = {}): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      // The producer bounds kafkajs's retries on purpose and re-sends failed batches with the same
      // sequence numbers itself (KafkaPublisher), so this warning does not apply.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      kafkaLogger[kafkaLogLevel(level, message, extra, options.stopping?.() === true)]({ namespace, ...extra }, message);
    },
    retry: options.retry ?? { initialRetryTime: 100, maxRetryTime: 5000, retries: 8 },
    ...(options.socketFactory === undefined ? {} : { socketFactory: options.socketFactory }),
  });
}
