import type { SequencePosition } from './FeedProtocol.js';

export type SequenceVerdict =
  | { readonly kind: 'in_order' }
  /** `missed` frames never arrived between the previous frame of the stream and this one. */
  | { readonly kind: 'gap'; readonly missed: number }
  /** Not newer than a frame already seen: a repeat or a late frame. */
  | { readonly kind: 'duplicate' };

/**
 * Per-connection sequence bookkeeping. A stream starts at the protocol's first number when it defines one
 * (so frames lost before the first one received are still noticed), else at its first frame.
 */
export class SequenceTracker {
  readonly #last = new Map<string, number>();

  check(position: SequencePosition): SequenceVerdict {
    const seen = this.#last.get(position.stream);
    const last = seen ?? (position.first === null ? undefined : position.first - 1);
    if (last !== undefined && position.value <= last) return { kind: 'duplicate' };
    this.#last.set(position.stream, position.value);
    if (last === undefined || !position.consecutive || position.value === last + 1) return { kind: 'in_order' };
    return { kind: 'gap', missed: position.value - last - 1 };
  }
}
