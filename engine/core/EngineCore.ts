import type { MarketEvent } from '../../wire/MarketEvent.js';
import { decodeMarketEvent, WireDecodeError } from '../../wire/marketEventCodec.js';
import type { EngineSettings } from './EngineSettings.js';
import type { EngineOutputs } from './outputs.js';
import { PartitionProcessor, type PartitionMeta, type ProductState } from './PartitionProcessor.js';

/** A consumed record: where it is in its topic, its bytes, and its Kafka timestamp. */
export interface EngineRecord {
  readonly partition: number;
  readonly offset: string;
  readonly value: Buffer | null;
  readonly timestampMs: number;
  /** The record's key (the product id on prices.normalized), when the source has it. */
  readonly key?: string | null;
}

export interface PartitionSnapshot {
  readonly meta: PartitionMeta;
  readonly products: ReadonlyMap<string, ProductState>;
}

/**
 * The engine's pure, synchronous core: records of the partitions it owns in, outputs out. It never reads a
 * clock and does no I/O, so the same records give the same results live and in replay. State is keyed by
 * partition (every product lives in one), so a partition can move to another engine with its snapshot.
 */
export class EngineCore {
  readonly settings: EngineSettings;
  readonly #origin: string;
  readonly #partitions = new Map<number, PartitionProcessor>();

  /** `origin`: the topic records come from, named in dead letters. */
  constructor(settings: EngineSettings, origin: string) {
    this.settings = settings;
    this.#origin = origin;
  }

  get partitions(): ReadonlyMap<number, PartitionProcessor> {
    return this.#partitions;
  }

  /** Takes ownership of a partition, from its checkpoint or from nothing. */
  assign(partition: number, snapshot?: PartitionSnapshot): void {
    this.#partitions.set(partition, new PartitionProcessor(this.settings, partition, snapshot?.meta, snapshot?.products));
  }

  /** Forgets a partition (another engine owns it now, or its state will be reloaded). */
  revoke(partition: number): void {
    this.#partitions.delete(partition);
  }

  /** Processes one record; returns its event, or null when it could not be decoded (it is dead-lettered). */
  process(record: EngineRecord, out: EngineOutputs): MarketEvent | null {
    const processor = this.#partitions.get(record.partition);
    if (processor === undefined) throw new Error(`partition ${record.partition} is not assigned to this engine`);
    let event: MarketEvent;
    try {
      event = decodeMarketEvent(record.value ?? Buffer.alloc(0));
    } catch (error) {
      if (!(error instanceof WireDecodeError)) throw error;
      out.invalid.push({
        reason: 'undecodable', detail: error.reason, origin: this.#origin, connectionId: `partition ${record.partition} offset ${record.offset}`,
        receivedAtUs: record.timestampMs * 1000, payload: record.value ?? Buffer.alloc(0),
      });
      return null;
    }
    processor.process(event, record.offset, out);
    return event;
  }
}
