/** The project's Kafka topics, before `KAFKA_TOPIC_PREFIX` is applied. */
export const TOPICS = {
  /** Every WebSocket frame exactly as received, keyed by source, in arrival order: the replayable record. */
  raw: 'prices.raw',
  /** Normalized market events ({@link MarketEvent}), keyed by product id. */
  normalized: 'prices.normalized',
  /**
   * Historical market events (candles and trades loaded by `backfill`), keyed by product id, in event-time
   * order per product; kept long. Replays read it with `--topic history`.
   */
  history: 'prices.history',
  /** Frames and records that could not be used, with the reason and the raw bytes. */
  deadLetter: 'prices.dlq',
  /** Trades the engine received after their bar had closed (the late side output), keyed by product id. */
  late: 'prices.late',
  /** The engine's strategy decisions, keyed by strategy instance. */
  decisions: 'signals.decisions',
  /** The engine's per-bar performance statistics, keyed by strategy instance. */
  performance: 'metrics.performance',
} as const;

export type TopicRole = keyof typeof TOPICS;
export type TopicNames = { readonly [R in TopicRole]: string };

/** Topic names with the deployment's prefix applied. */
export function topicNames(prefix: string): TopicNames {
  return Object.fromEntries(Object.entries(TOPICS).map(([role, name]) => [role, prefix + name])) as Record<TopicRole, string>;
}
