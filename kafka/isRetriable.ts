/**
 * Whether a Kafka error may go away on its own, so that the same request is worth sending again: kafkajs
 * marks each of its errors `retriable` (a partition whose leader is not serving yet, a coordinator that is
 * loading, a lost connection). Two of its errors hide that mark: `KafkaJSNumberOfRetriesExceeded` (kafkajs's
 * own retries ran out; it is retriable when its cause is), and `KafkaJSAggregateError` (one error per topic
 * of a createTopics; retriable when each is, or says the topic already exists, which a concurrent creator
 * causes and which the next attempt sees as an existing topic).
 * @see https://kafka.js.org/docs/retry-detailed
 */
export function isRetriable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; retriable?: unknown; cause?: unknown; errors?: unknown; type?: unknown };
  if (e.name === 'KafkaJSNumberOfRetriesExceeded') return isRetriable(e.cause);
  if (e.name === 'KafkaJSAggregateError' && Array.isArray(e.errors)) {
    return e.errors.length > 0 && e.errors.every((inner: unknown) => isTopicAlreadyExists(inner) || isRetriable(inner));
  }
  return e.retriable === true;
}

/** Kafka's TOPIC_ALREADY_EXISTS: someone else created the topic first. */
export function isTopicAlreadyExists(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'TOPIC_ALREADY_EXISTS';
}
