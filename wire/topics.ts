/** The project's Kafka topics, before `KAFKA_TOPIC_PREFIX` is applied. */
export const TOPICS = {
  /** Every WebSocket frame exactly as received, keyed by source, in arrival order: the replayable record. */
  raw: 'prices.raw',
  /** Normalized market events ({@link MarketEvent}), keyed by product id. */
  normalized: 'prices.normalized',
  /** Frames and records that could not be used, with the reason and the raw bytes. */
  deadLetter: 'prices.dlq',
} as const;

export type TopicRole = keyof typeof TOPICS;
export type TopicNames = { readonly [R in TopicRole]: string };

/** Topic names with the deployment's prefix applied. */
export function topicNames(prefix: string): TopicNames {
  return {
    raw: prefix + TOPICS.raw,
    normalized: prefix + TOPICS.normalized,
    deadLetter: prefix + TOPICS.deadLetter,
  };
}
