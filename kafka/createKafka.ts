import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own logs go through the service's pino logger (as `component: kafkajs`). */
export function createKafka(clientId: string, brokers: readonly string[], logger: Logger): Kafka {
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
      kafkaLogger[LEVELS[level] ?? 'info']({ namespace, ...extra }, message);
    },
    retry: { initialRetryTime: 100, maxRetryTime: 5000, retries: 8 },
  });
}
