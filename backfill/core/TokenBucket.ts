/**
 * A lazy-fill token bucket, the algorithm Coinbase documents for its own REST limits: `burst` tokens at
 * most, refilled at `ratePerS`, one token per request. Reservations are first come, first served: a
 * request that finds the bucket empty reserves the next token to come and is told how long to wait for
 * it, so that concurrent callers are spaced exactly `1 / ratePerS` apart instead of racing. Pure: the
 * caller passes the time in.
 * @see https://docs.cdp.coinbase.com/exchange/rest-api/rate-limits ("How Rate Limits Work": lazy-fill token bucket)
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  #tokens: number;
  #lastMs: number;

  constructor(ratePerS: number, burst: number, nowMs: number) {
    if (!(ratePerS > 0) || !(burst >= 1)) throw new RangeError('a token bucket needs a positive rate and a burst of at least 1');
    this.#ratePerMs = ratePerS / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#lastMs = nowMs;
  }

  /** Reserves one token at `nowMs`; returns how many ms to wait before sending (0: at once). */
  reserve(nowMs: number): number {
    this.#refill(nowMs);
    this.#tokens -= 1;
    // Less a nanosecond: floating-point dust must not add a whole millisecond.
    return this.#tokens >= 0 ? 0 : Math.ceil(-this.#tokens / this.#ratePerMs - 1e-6);
  }

  /** Takes a token if one is there (true), else takes nothing (false): the server's side, which refuses instead of queueing. */
  tryTake(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #refill(nowMs: number): void {
    if (nowMs > this.#lastMs) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (nowMs - this.#lastMs) * this.#ratePerMs);
      this.#lastMs = nowMs;
    }
  }
}
