import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { describeConnectError } from '../producer/connection/ReachabilityLog.js';
import { wallClockUs } from '../runtime/wallClockUs.js';
import { MalformedBodyError } from './core/Rejected.js';
import { retryDelayMs, type BackoffPolicy } from './core/retryDelayMs.js';
import type { TokenBucket } from './core/TokenBucket.js';
import type { Semaphore } from './Semaphore.js';

/** A request that failed for good: after its retries, or at once when retrying cannot help (a 400, a 404). */
export class RestRequestError extends Error {
  readonly status: number | null;
  readonly retriable: boolean;
  readonly attempts: number;

  constructor(message: string, status: number | null, retriable: boolean, attempts: number) {
    super(message);
    this.name = 'RestRequestError';
    this.status = status;
    this.retriable = retriable;
    this.attempts = attempts;
  }
}

/** Counters of one client, for the progress bar, the logs and the benchmark. */
export interface RestStats {
  requests: number;
  retries: number;
  /** Responses by status (`error` for network failures and timeouts, `malformed` for bodies that did not parse). */
  readonly outcomes: Record<string, number>;
}

export interface RestClientOptions {
  readonly baseUrl: string;
  /** The rate limit of this host (Coinbase throttles public endpoints per IP). */
  readonly bucket: TokenBucket;
  /** Requests in flight across all hosts. */
  readonly inFlight: Semaphore;
  readonly retry: BackoffPolicy;
  readonly maxRetries: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
}

/**
 * GETs JSON from one Coinbase REST host, politely: every attempt takes a token from the host's bucket first;
 * a 429, a 5xx, a network error, a timeout or a body the protocol does not allow is retried up to
 * `maxRetries` times after a jittered exponential delay (a 429's `Retry-After` when present); any other
 * status fails at once. The error names the URL, the status and Coinbase's message.
 * @see backfill/COINBASE_REST.md §3
 */
export class CoinbaseRestClient {
  readonly stats: RestStats = { requests: 0, retries: 0, outcomes: {} };
  readonly #o: RestClientOptions;

  constructor(options: RestClientOptions) {
    this.#o = options;
  }

  /** Parses each successful answer with `parse` (which throws {@link MalformedBodyError} for a body to retry). */
  async get<T>(path: string, query: Readonly<Record<string, string | number>>, parse: (body: unknown, receivedAtUs: number, headers: Headers) => T): Promise<T> {
    const url = new URL(`${this.#o.baseUrl.replace(/\/$/, '')}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#attempt(url, parse);
      if (outcome.ok) return outcome.value;
      if (!outcome.retriable || attempt >= this.#o.maxRetries) {
        throw new RestRequestError(`GET ${url.href} failed${outcome.retriable ? ` after ${attempt + 1} attempts` : ''}: ${outcome.message}`, outcome.status, outcome.retriable, attempt + 1);
      }
      const delayMs = retryDelayMs(attempt, this.#o.retry, outcome.retryAfter, Date.now());
      this.stats.retries += 1;
      this.#o.logger.warn({ url: url.href, status: outcome.status, attempt: attempt + 1, delayMs, detail: outcome.message }, 'Coinbase request failed; retrying');
      await sleep(delayMs, undefined, { signal: this.#o.signal });
    }
  }

  async #attempt<T>(url: URL, parse: (body: unknown, receivedAtUs: number, headers: Headers) => T):
    Promise<{ ok: true; value: T } | { ok: false; retriable: boolean; status: number | null; message: string; retryAfter: string | null }> {
    const release = await this.#o.inFlight.acquire();
    try {
      const waitMs = this.#o.bucket.reserve(Date.now());
      if (waitMs > 0) await sleep(waitMs, undefined, { signal: this.#o.signal });
      this.stats.requests += 1;
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          headers: { accept: 'application/json', 'user-agent': 'crypto-strategy-engine-backfill' },
          signal: AbortSignal.any([this.#o.signal, AbortSignal.timeout(this.#o.timeoutMs ?? 30_000)]),
        });
        text = await response.text();
      } catch (error) {
        if (this.#o.signal.aborted) throw error;
        this.#count('error');
        // fetch's own message is "fetch failed"; the socket's error (DNS, refused, timed out) is its cause.
        const cause = ((error as Error).cause ?? error) as Error & { code?: string };
        return { ok: false, retriable: true, status: null, message: `cannot reach ${url.host}: ${describeConnectError(cause, url.href)}`, retryAfter: null };
      }
      const receivedAtUs = wallClockUs();
      if (response.status !== 200) {
        this.#count(String(response.status));
        const retriable = response.status === 429 || response.status >= 500;
        return { ok: false, retriable, status: response.status, message: `${response.status} ${coinbaseMessage(text)}`, retryAfter: response.status === 429 ? response.headers.get('retry-after') : null };
      }
      try {
        const value = parse(JSON.parse(text), receivedAtUs, response.headers);
        this.#count('200');
        return { ok: true, value };
      } catch (error) {
        if (!(error instanceof SyntaxError || error instanceof MalformedBodyError)) throw error;
        this.#count('malformed');
        return { ok: false, retriable: true, status: 200, message: `malformed body (${error.message}): ${text.slice(0, 120)}`, retryAfter: null };
      }
    } finally {
      release();
    }
  }

  #count(outcome: string): void {
    this.stats.outcomes[outcome] = (this.stats.outcomes[outcome] ?? 0) + 1;
  }
}

/** Coinbase's error text: Exchange sends `{"message"}`, Advanced Trade `{"error","error_details","message"}`. */
function coinbaseMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const parts = [body['error'], body['message'], body['error_details']].filter((p): p is string => typeof p === 'string' && p !== '');
    if (parts.length > 0) return [...new Set(parts)].join(': ');
  } catch {
    // not JSON: show the text itself
  }
  return text.slice(0, 200);
}
