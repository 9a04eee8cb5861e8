import type { SequencePosition } from './FeedProtocol.js';

export type SequenceVerdict =
  | { readonly kind: 'in_order' }
  /** `missed` frames never arrived between the previous frame of the stream and this one. */
  | { readonly kind: 'gap'; readonly missed: number }
  /** Not newer than a frame already seen: a repeat or a late frame. */
  | { readonly kind: 'duplicate' };

/**
 * Per-connection sequence bookkeeping. The first frame of a stream sets its baseline (numbering restarts on
 * every connection, and frames from before the connection were never ours to miss).
 */
export class SequenceTracker {
  readonly #last = new Map<string, number>();

  check(position: SequencePosition): SequenceVerdict {
    const last = this.#last.get(position.stream);
    if (last !== undefined && position.value <= last) return { kind: 'duplicate' };
    this.#last.set(position.stream, position.value);
    if (last === undefined || !position.consecutive || position.value === last + 1) return { kind: 'in_order' };
    return { kind: 'gap', missed: position.value - last - 1 };
  }
}
