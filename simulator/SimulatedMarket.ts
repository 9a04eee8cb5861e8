import type { CoinbaseProtocolServer } from './CoinbaseProtocolServer.js';
import type { CoinbaseSimulator } from './CoinbaseSimulator.js';

/** What the market has done so far. */
export interface SimulatedMarketStats {
  readonly trades: number;
  readonly disconnects: number;
  /** Event time everything has been published up to (µs). */
  readonly publishedUs: number;
}

/**
 * The edge between the pure {@link CoinbaseSimulator} and the {@link CoinbaseProtocolServer}: every `tickMs`
 * (Coinbase batches market_trades over 250 ms) it advances the market to the simulated event time and
 * publishes each product's new trades as one frame, dropping the connection at the market's disconnection
 * times (trades made while the producer reconnects reach no one, as on the real venue). The server's clock
 * (`clockUs`, for heartbeats) should be {@link publishedUs}: a heartbeat never runs ahead of trades still to
 * be published, so no trade arrives behind the event time a heartbeat announced.
 */
export class SimulatedMarket {
  #server: CoinbaseProtocolServer | null = null;
  #timer: NodeJS.Timeout | null = null;
  #publishedUs: number;
  #trades = 0;
  #disconnects = 0;
  readonly #simulator: CoinbaseSimulator;
  readonly #eventTimeUs: () => number;

  /** `eventTimeUs`: the simulated event time now (e.g. {@link simulatedTimeUs} of the wall clock). */
  constructor(simulator: CoinbaseSimulator, eventTimeUs: () => number) {
    this.#simulator = simulator;
    this.#eventTimeUs = eventTimeUs;
    this.#publishedUs = simulator.startUs;
  }

  /** Event time everything has been published up to: the server's clock. */
  get publishedUs(): number {
    return this.#publishedUs;
  }

  get stats(): SimulatedMarketStats {
    return { trades: this.#trades, disconnects: this.#disconnects, publishedUs: this.#publishedUs };
  }

  start(server: CoinbaseProtocolServer, tickMs = 250): void {
    this.#server = server;
    this.#timer = setInterval(() => { this.tick(); }, tickMs);
  }

  /** Advances the market to the event time now and publishes what happened. */
  tick(): void {
    const server = this.#server;
    if (server === null) return;
    const toUs = this.#eventTimeUs();
    const step = this.#simulator.advance(toUs);
    // Trades up to each disconnection reach the connection it ends; the rest go to the next one, if any yet.
    let afterUs = Number.NEGATIVE_INFINITY;
    for (const untilUs of [...step.disconnectsUs, Number.POSITIVE_INFINITY]) {
      for (const trades of step.trades.values()) {
        const batch = trades.filter((t) => t.timeUs > afterUs && t.timeUs <= untilUs);
        if (batch.length > 0) server.publish(batch);
      }
      if (untilUs === Number.POSITIVE_INFINITY) break;
      this.#publishedUs = untilUs;
      const connection = server.current;
      if (connection?.open === true) {
        connection.drop();
        this.#disconnects++;
      }
      afterUs = untilUs;
    }
    for (const trades of step.trades.values()) this.#trades += trades.length;
    this.#publishedUs = Math.max(this.#publishedUs, toUs);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
