import type { MarketEvent } from '../../../wire/MarketEvent.js';
import { encodeMarketEvent } from '../../../wire/marketEventCodec.js';
import { EngineCore, type EngineRecord, type PartitionSnapshot } from '../EngineCore.js';
import type { EngineSettings } from '../EngineSettings.js';
import { EngineOutputs } from '../outputs.js';
import type { PartitionMeta, PartitionProcessor, ProductState } from '../PartitionProcessor.js';
import { decodeState, encodeState } from '../stateJson.js';

/** A partition-0 record of the event, keyed by its product, stamped with its exchange time. */
export const record = (event: MarketEvent, offset: number): EngineRecord => ({
  partition: 0, offset: String(offset), value: Buffer.from(encodeMarketEvent(event)), timestampMs: Math.floor(event.exchangeTimeUs / 1000), key: event.productId,
});


function partitionZero(core: EngineCore): PartitionProcessor {
  const partition = core.partitions.get(0);
  if (partition === undefined) throw new Error('partition 0 is not assigned');
  return partition;
}

/** What a checkpoint store holds: the partition's meta and each product's last saved state (active or dormant), as JSON text. */
export class FakeCheckpointStore {
  meta: PartitionMeta | undefined;
  readonly products = new Map<string, { text: string; dormant: boolean }>();

  save(core: EngineCore): void {
    const changes = partitionZero(core).takeChanges();
    this.meta = changes.meta;
    for (const [id, state] of changes.changed) this.products.set(id, { text: encodeState(state), dormant: false });
    for (const [id, state] of changes.dormant) this.products.set(id, { text: encodeState(state), dormant: true });
  }

  load(): PartitionSnapshot | undefined {
    if (this.meta === undefined) return undefined;
    const active = [...this.products].filter(([, p]) => !p.dormant);
    return {
      meta: this.meta,
      products: new Map(active.map(([id, p]) => [id, decodeState(p.text) as ProductState])),
      dormant: [...this.products].filter(([, p]) => p.dormant).map(([id]) => id),
    };
  }

  /** What the engine runner does before a batch: restore the dormant products it names. */
  wake(core: EngineCore, records: readonly EngineRecord[]): void {
    for (const id of core.dormantAmong(0, records)) {
      const saved = this.products.get(id);
      if (saved === undefined) throw new Error(`dormant product ${id} is not in the store`);
      partitionZero(core).restore(id, decodeState(saved.text) as ProductState);
    }
  }
}

/** Processes the stream, checkpointing after every record and restarting from the checkpoint at `restarts`, then ends the run. */
export function runEngine(settings: EngineSettings, events: readonly MarketEvent[], restarts: ReadonlySet<number> = new Set()): EngineOutputs {
  const out = new EngineOutputs();
  const store = new FakeCheckpointStore();
  let core = new EngineCore(settings, 'prices.normalized');
  core.assign(0);
  events.forEach((event, offset) => {
    if (restarts.has(offset)) {
      core = new EngineCore(settings, 'prices.normalized');
      core.assign(0, store.load());
    }
    const r = record(event, offset);
    store.wake(core, [r]);
    core.process(r, out);
    store.save(core);
  });
  // The run ends: rows held back by `recordEveryUs` are written, as EngineRunner.stop does.
  core.recordLatest(0, out);
  return out;
}
