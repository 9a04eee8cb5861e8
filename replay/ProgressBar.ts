/**
 * A one-line progress bar for a TTY: done / total, rate and time left, redrawn at most every 100 ms. On a
 * stream that is not a TTY it writes nothing (logs and the summary say what happened).
 */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #startMs = performance.now();
  #lastDrawMs = 0;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  update(done: bigint, total: bigint, unit: string): void {
    const now = performance.now();
    if (!this.#stream.isTTY || (now - this.#lastDrawMs < 100 && done < total)) return;
    this.#lastDrawMs = now;
    const fraction = total === 0n ? 1 : Number(done) / Number(total);
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = (now - this.#startMs) / 1000;
    const rate = seconds > 0 ? Number(done) / seconds : 0;
    const left = rate > 0 ? (Number(total) - Number(done)) / rate : Number.NaN;
    const eta = Number.isFinite(left) ? `ETA ${Math.ceil(left)} s` : 'ETA –';
    this.#stream.write(`\r\x1b[K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(1)} %  ${done} / ${total} ${unit}  ${Math.round(rate)} ${unit}/s  ${eta}`);
  }

  /** Clears the line (before the summary). */
  clear(): void {
    if (this.#stream.isTTY) this.#stream.write('\r\x1b[K');
  }
}
