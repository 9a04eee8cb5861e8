/** What a run has done so far, per stream, for the progress bar and the periodic log line. */
export class Progress {
  readonly #streams = new Map<string, { done: number; total: number; finished: boolean }>();
  readonly startMs = performance.now();

  plan(stream: string, total: number): void {
    this.#streams.set(stream, { done: 0, total, finished: false });
  }

  /** Raises a stream's total (trade streams learn theirs as they go). */
  replan(stream: string, total: number): void {
    const s = this.#streams.get(stream);
    if (s !== undefined) s.total = total;
  }

  advance(stream: string, units = 1): void {
    const s = this.#streams.get(stream);
    if (s !== undefined) s.done += units;
  }

  finish(stream: string): void {
    const s = this.#streams.get(stream);
    if (s !== undefined) {
      s.finished = true;
      s.done = s.total;
    }
  }

  snapshot(requests: number): { streams: number; finished: number; fraction: number; requestsPerS: number; etaS: number | null } {
    const all = [...this.#streams.values()];
    const [done, total] = all.reduce(([d, t], s) => [d + Math.min(s.done, s.total), t + s.total], [0, 0]);
    const fraction = total === 0 ? 1 : done / total;
    const seconds = (performance.now() - this.startMs) / 1000;
    const etaS = fraction > 0 && fraction < 1 ? seconds * (1 - fraction) / fraction : fraction >= 1 ? 0 : null;
    return { streams: all.length, finished: all.filter((s) => s.finished).length, fraction, requestsPerS: seconds > 0 ? requests / seconds : 0, etaS };
  }
}

/**
 * Redraws one line on a TTY: streams finished, %, requests/s and time left. Draws nothing elsewhere (the JSON
 * logs carry the same figures).
 */
export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  get enabled(): boolean {
    return this.#stream.isTTY;
  }

  draw(s: ReturnType<Progress['snapshot']>, events: number): void {
    if (!this.enabled) return;
    const width = 30;
    const filled = Math.round(s.fraction * width);
    const eta = s.etaS === null ? 'ETA –' : `ETA ${Math.ceil(s.etaS)} s`;
    this.#stream.write(`\r\x1b[K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(s.fraction * 100).toFixed(1)} %  streams ${s.finished}/${s.streams}  ${s.requestsPerS.toFixed(1)} req/s  ${events} events  ${eta}`);
  }

  clear(): void {
    if (this.enabled) this.#stream.write('\r\x1b[K');
  }
}
