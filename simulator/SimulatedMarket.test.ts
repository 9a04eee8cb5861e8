import { describe, expect, it } from 'vitest';
import type { CoinbaseProtocolServer, TapeTrade } from './CoinbaseProtocolServer.js';
import { CoinbaseSimulator } from './CoinbaseSimulator.js';
import { SimulatedMarket } from './SimulatedMarket.js';

const START_US = Date.UTC(2026, 0, 1) * 1000;
const S = 1_000_000;

/** A server that records what the market does to it: batches published and connections dropped, in order. */
function recordingServer() {
  const events: ({ publish: readonly TapeTrade[] } | 'drop')[] = [];
  const connection = { open: true, drop: () => { events.push('drop'); } };
  const server = { publish: (trades: readonly TapeTrade[]) => { events.push({ publish: trades }); }, current: connection };
  return { events, server: server as unknown as CoinbaseProtocolServer };
}

describe('SimulatedMarket', () => {
  it('publishes one batch per product per tick, drops the connection at the disconnection time, and clocks the server', () => {
    // Seed 42's first disconnection is 30 s after the opening (CoinbaseSimulator.test.ts).
    let nowUs = START_US + 20 * S;
    const market = new SimulatedMarket(new CoinbaseSimulator({ seed: 42, startUs: START_US }), () => nowUs);
    const { events, server } = recordingServer();
    market.start(server, 60_000);
    market.stop();

    market.tick();
    expect(events.map((e) => (e === 'drop' ? e : e.publish[0]?.productId))).toEqual(['BTC-USD', 'ETH-USD', 'SOL-USD']);
    expect(market.publishedUs).toBe(START_US + 20 * S);

    events.length = 0;
    nowUs = START_US + 40 * S;
    market.tick();
    const drop = events.indexOf('drop');
    expect(drop, 'one drop, between the batches before and after it').toBe(3);
    const before = events.slice(0, drop).flatMap((e) => (e === 'drop' ? [] : e.publish));
    const after = events.slice(drop + 1).flatMap((e) => (e === 'drop' ? [] : e.publish));
    expect(before.every((t) => t.timeUs > START_US + 20 * S && t.timeUs <= START_US + 30 * S)).toBe(true);
    expect(after.every((t) => t.timeUs > START_US + 30 * S && t.timeUs <= START_US + 40 * S)).toBe(true);
    expect(market.stats).toMatchObject({ disconnects: 1, publishedUs: START_US + 40 * S });
    const all = new CoinbaseSimulator({ seed: 42, startUs: START_US }).advance(START_US + 40 * S).trades;
    expect(market.stats.trades).toBe([...all.values()].reduce((n, trades) => n + trades.length, 0));
  });
});
