import type { Logger } from 'pino';
import { formatDuration } from '../../logging/formatDuration.js';

/** What went wrong with a connection attempt that never opened, in plain words (the error itself goes to debug). */
export function describeConnectError(error: Error & { code?: string }, url: string): string {
  const code = error.code ?? '';
  const http = /Unexpected server response: (\d+)/.exec(error.message)?.[1];
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME') {
    return `DNS lookup failed for ${new URL(url).hostname}`;
  }
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'ETIMEDOUT' || error.message === 'Opening handshake has timed out') return 'no answer (timed out)';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENETDOWN') return 'network unreachable';
  if (/^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_)/.test(code)) return `TLS handshake failed (${error.message})`;
  if (http !== undefined) return `the server answered HTTP ${http} instead of opening a WebSocket`;
  return error.message === '' ? code : error.message;
}

export interface ReachabilityLogOptions {
  readonly logger: Logger;
  readonly url: string;
  /** The largest delay between attempts (the backoff's cap), as the log says. */
  readonly retryUpToMs: number;
  /** While still unreachable, a summary this often. */
  readonly summaryEveryMs: number;
  readonly nowMs?: () => number;
}

/**
 * The log of attempts to reach Coinbase that never open a connection (offline, DNS, firewall, refused): one
 * warning in plain words per state change (unreachable, or unreachable for another cause), a summary every
 * `summaryEveryMs` while it lasts (attempts, since when), one line when a connection opens again; each
 * attempt's error only at debug level.
 */
export class ReachabilityLog {
  readonly #o: ReachabilityLogOptions;
  readonly #now: () => number;
  #down: { cause: string; sinceMs: number; attempts: number; summaryAtMs: number } | null = null;

  constructor(options: ReachabilityLogOptions) {
    this.#o = options;
    this.#now = options.nowMs ?? Date.now;
  }

  /** True between a failed attempt and the next connection that opens. */
  get unreachable(): boolean {
    return this.#down !== null;
  }

  /** An attempt failed before its connection opened. */
  failed(error: Error & { code?: string }): void {
    const now = this.#now();
    const cause = describeConnectError(error, this.#o.url);
    const down = this.#down;
    this.#o.logger.debug({ err: error, attempt: (down?.attempts ?? 0) + 1 }, `connection attempt to Coinbase failed: ${cause}`);
    if (down === null || down.cause !== cause) {
      this.#down = { cause, sinceMs: now, attempts: 1, summaryAtMs: now };
      this.#o.logger.warn({ url: this.#o.url, cause, retryUpToMs: this.#o.retryUpToMs },
        `cannot reach Coinbase at ${this.#o.url}: ${cause}; retrying, at most ${formatDuration(this.#o.retryUpToMs)} apart`);
      return;
    }
    down.attempts += 1;
    if (now - down.summaryAtMs < this.#o.summaryEveryMs) return;
    down.summaryAtMs = now;
    this.#o.logger.warn({ url: this.#o.url, cause, attempts: down.attempts, since: new Date(down.sinceMs).toISOString() },
      `still cannot reach Coinbase at ${this.#o.url}: ${cause}; ${down.attempts} attempts in ${formatDuration(now - down.sinceMs)}, since ${new Date(down.sinceMs).toISOString()}`);
  }

  /** A connection opened. */
  opened(): void {
    const down = this.#down;
    if (down === null) return;
    this.#down = null;
    const now = this.#now();
    this.#o.logger.info({ url: this.#o.url, attempts: down.attempts, unreachableMs: now - down.sinceMs },
      `reached Coinbase at ${this.#o.url} after ${formatDuration(now - down.sinceMs)} unreachable (${down.attempts} failed attempt${down.attempts === 1 ? '' : 's'})`);
  }
}
