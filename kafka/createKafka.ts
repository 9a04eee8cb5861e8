import { Kafka, logLevel, type ISocketFactory, type LogEntry, type RetryOptions } from 'kafkajs';
import type { Logger } from 'pino';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose own logs go through the service's pino logger (as `component: kafkajs`); with a
 * socket factory (a `ConnectionGate`'s) when its connections must be closable for good, and other retries
 * where the default (8, backing off to 5 s: about 16 s before kafkajs gives up) does not suit. Once
 * `stopping()` is true, what kafkajs reports is a consequence of the stop (requests failed by closed
 * connections, a crash without restart) and is logged at debug level.
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
      kafkaLogger[options.stopping?.() === true ? 'debug' : LEVELS[level] ?? 'info']({ namespace, ...extra }, message);
    },
    retry: options.retry ?? { initialRetryTime: 100, maxRetryTime: 5000, retries: 8 },
    ...(options.socketFactory === undefined ? {} : { socketFactory: options.socketFactory }),
  });
}
