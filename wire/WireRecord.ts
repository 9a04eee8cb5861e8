/**
 * A Kafka record as the wire format defines it, independent of the Kafka client: the edges translate it
 * to and from their client's message type.
 */
export interface WireRecord {
  readonly key: string;
  readonly value: Buffer | string;
  readonly headers: Readonly<Record<string, string>>;
  /** Record timestamp (Kafka CreateTime), in ms. */
  readonly timestampMs: number;
}
