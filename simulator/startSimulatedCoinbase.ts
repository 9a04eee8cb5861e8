import { wallClockUs } from '../runtime/wallClockUs.js';
import { CoinbaseProtocolServer, type Feed } from './CoinbaseProtocolServer.js';
import { CoinbaseSimulator, DEMO_PRODUCTS, type CoinbaseSimulatorOptions } from './CoinbaseSimulator.js';
import { SimulatedMarket } from './SimulatedMarket.js';
import { simulatedTimeUs } from './simulatedTimeUs.js';

export interface SimulatedCoinbaseOptions {
  readonly seed: number;
  /** How far in the past the market opens, ms (0: now). */
  readonly historyMs: number;
  /** How many times as fast as the wall clock the history is played, until it reaches the present. */
  readonly speed: number;
  /** 0 picks a free port. */
  readonly port: number;
  readonly feed?: Feed;
  readonly productIds?: readonly string[];
  /** Mean time between disconnections (ms, event time); 0 never. */
  readonly disconnectEveryMs?: number;
  readonly simulator?: Partial<Omit<CoinbaseSimulatorOptions, 'seed' | 'startUs' | 'products'>>;
}

export interface SimulatedCoinbase {
  readonly server: CoinbaseProtocolServer;
  readonly simulator: CoinbaseSimulator;
  readonly market: SimulatedMarket;
  close(): Promise<void>;
}

/** A Coinbase-protocol server on 127.0.0.1 streaming the synthetic market of {@link CoinbaseSimulator}. */
export async function startSimulatedCoinbase(options: SimulatedCoinbaseOptions): Promise<SimulatedCoinbase> {
  const wallStartUs = wallClockUs();
  const historyUs = options.historyMs * 1000;
  const products = options.productIds === undefined ? DEMO_PRODUCTS
    : DEMO_PRODUCTS.filter((p) => options.productIds?.includes(p.productId));
  const simulator = new CoinbaseSimulator({
    ...options.simulator, seed: options.seed, startUs: wallStartUs - historyUs, products,
    ...(options.disconnectEveryMs === undefined ? {} : { disconnectEveryMs: options.disconnectEveryMs }),
  });
  const market = new SimulatedMarket(simulator, () => simulatedTimeUs(wallClockUs(), { wallStartUs, historyUs, speed: options.speed }));
  const server = await CoinbaseProtocolServer.start({
    feed: options.feed ?? 'advanced-trade', port: options.port, clockUs: () => market.publishedUs,
    // Coinbase sends up to a few hundred trades per market_trades frame when the market is busy.
    tradesPerEvent: 100, snapshotTrades: 50, recordDeliveries: false,
  });
  market.start(server);
  return {
    server, simulator, market,
    close: async () => {
      market.stop();
      await server.close();
    },
  };
}
