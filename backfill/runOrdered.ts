/**
 * Fetches items ahead in parallel (up to `lookahead` at once) but hands the results to `write` strictly in
 * item order, one at a time, so a stream is written in order while its requests overlap. `next(k)` gives
 * item k, or null after the last; `write` returns false to stop early. A failed fetch ends the walk
 * (nothing after it is written) and is rethrown, once the fetches in flight have settled; `stopped()` ends
 * it quietly after what was fetched has been written.
 */
export async function runOrdered<T, R>(options: {
  readonly next: (k: number) => T | null;
  readonly fetch: (item: T) => Promise<R>;
  readonly write: (result: R, item: T) => Promise<boolean>;
  readonly lookahead: number;
  readonly stopped: () => boolean;
}): Promise<void> {
  const pending: { item: T; result: Promise<R> }[] = [];
  let k = 0;
  let exhausted = false;
  const fill = () => {
    while (!exhausted && !options.stopped() && pending.length < options.lookahead) {
      const item = options.next(k++);
      if (item === null) {
        exhausted = true;
        break;
      }
      const result = options.fetch(item);
      result.catch(() => undefined);
      pending.push({ item, result });
    }
  };
  const settle = async () => { await Promise.allSettled(pending.splice(0).map((p) => p.result)); };
  fill();
  for (let head = pending.shift(); head !== undefined; head = pending.shift()) {
    let result: R;
    try {
      result = await head.result;
    } catch (error) {
      await settle();
      if (options.stopped()) return;
      throw error;
    }
    if (!(await options.write(result, head.item))) {
      await settle();
      return;
    }
    fill();
  }
}
