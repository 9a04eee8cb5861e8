import type { SequencePosition } from './FeedProtocol.js';

export type SequenceVerdict =
  | { readonly kind: 'in_order' }
  /** `missed` frames never arrived between the previous frame of the stream and this one. */
  | { readonly kind: 'gap'; readonly missed: number }
  /** Not newer than a frame already seen, and within the reorder window: a repeat or a late frame. */
  | { readonly kind: 'duplicate' }
  /**
   * The numbering restarted lower (a venue-side restart): this frame is the stream's new baseline. `from` is
   * the number seen last before it.
   */
  | { readonly kind: 'reset'; readonly from: number; readonly to: number };

/**
 * Per-connection sequence bookkeeping. A stream starts at the protocol's first number when it defines one
 * (so frames lost before the first one received are still noticed), else at its first frame.
 *
 * A number at or below the last one is a repeat or a late frame only when it is within the stream's reorder
 * window and brings nothing new; a larger step back, or a frame with trades never published, means the
 * numbering restarted, so it becomes the new baseline. Dropping it instead would drop every later frame of
 * the connection as a "repeat" until the numbers climbed past the old ones: the feed would go dark.
 */
export class SequenceTracker {
  readonly #last = new Map<string, number>();
  readonly #productOf = new Map<string, string>();

  /** @param carriesNewTrades the frame holds a trade not published yet, so it cannot be a repeat. */
  check(position: SequencePosition, carriesNewTrades = false): SequenceVerdict {
    const seen = this.#last.get(position.stream);
    const last = seen ?? (position.first === null ? undefined : position.first - 1);
    if (position.productId !== null) this.#productOf.set(position.stream, position.productId);
    if (last !== undefined && position.value <= last) {
      if (seen === undefined || (last - position.value <= position.reorderWindow && !carriesNewTrades)) return { kind: 'duplicate' };
      this.#last.set(position.stream, position.value);
      // The product's other streams number from the same restarted sequence: each starts again at its next frame.
      if (position.productId !== null) {
        for (const [stream, productId] of this.#productOf) {
          if (productId === position.productId && stream !== position.stream) this.#last.delete(stream);
        }
      }
      return { kind: 'reset', from: last, to: position.value };
    }
    this.#last.set(position.stream, position.value);
    if (last === undefined || !position.consecutive || position.value === last + 1) return { kind: 'in_order' };
    return { kind: 'gap', missed: position.value - last - 1 };
  }
}
