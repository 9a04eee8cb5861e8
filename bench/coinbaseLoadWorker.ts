import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort } from 'node:worker_threads';
import { CoinbaseProtocolServer } from '../simulator/CoinbaseProtocolServer.js';

/**
 * The benchmark's market: a local Coinbase-protocol server on its own thread, making trades at the rate it
 * is told. Each trade is two frames: `market_trades` and `ticker`.
 */
export interface LoadCommand {
  readonly framesPerSecond: number;
  readonly seconds: number;
}

export interface LoadReport {
  readonly trades: number;
  readonly seconds: number;
}

const port = parentPort;
if (port === null) throw new Error('run as a worker thread');
const server = await CoinbaseProtocolServer.start({ feed: 'advanced-trade', heartbeatIntervalMs: 1000, snapshotTrades: 0 });
const products = ['BTC-USD', 'ETH-USD'];
port.postMessage({ type: 'ready', url: server.url });

/** Makes trades at a steady rate for a while, catching up every millisecond. */
port.on('message', (command: LoadCommand) => {
  void (async () => {
    let made = 0;
    const tradesPerMs = command.framesPerSecond / 2 / 1000;
    const start = performance.now();
    const end = start + command.seconds * 1000;
    while (performance.now() < end) {
      const due = Math.floor((performance.now() - start) * tradesPerMs);
      for (; made < due; made++) server.trade(products[made % 2] as string, 1);
      await sleep(1);
    }
    const report: LoadReport = { trades: made, seconds: (performance.now() - start) / 1000 };
    port.postMessage(report);
  })();
});
