#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DEMO_PRODUCTS } from './CoinbaseSimulator.js';
import { startSimulatedCoinbase } from './startSimulatedCoinbase.js';

/**
 * The simulated Coinbase on its own: `node dist/simulator/main.js --port 8765`, then point a producer at it
 * (`COINBASE_WS_URL=ws://127.0.0.1:8765 make producer`). `make demo` runs the same market in-process.
 */
const HELP = `Usage: node dist/simulator/main.js [options]

A synthetic Coinbase market (${DEMO_PRODUCTS.map((p) => p.productId).join(', ')}) on a local WebSocket speaking
Coinbase's protocols; deterministic for a seed. Ctrl-C stops it.

  --port N              port on 127.0.0.1 (default 8765; 0 picks a free one)
  --feed F              advanced-trade (default) or exchange
  --seed N              the market's seed (default 1)
  --history-minutes N   open the market N minutes in the past (default 0) ...
  --speed N             ... and play that history N times as fast until it reaches the present (default 10)
  --disconnect-every S  mean seconds of event time between dropped connections (default 300; 0: never)
`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8765' }, feed: { type: 'string', default: 'advanced-trade' }, seed: { type: 'string', default: '1' },
    'history-minutes': { type: 'string', default: '0' }, speed: { type: 'string', default: '10' },
    'disconnect-every': { type: 'string', default: '300' }, help: { type: 'boolean', default: false },
  },
});
const number = (name: keyof typeof values, min: number): number => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < min) {
    process.stderr.write(`simulator: --${name} must be a number ≥ ${min}, not "${String(values[name])}"\n`);
    process.exit(64);
  }
  return value;
};
if (values.help) {
  process.stdout.write(HELP);
} else {
  if (values.feed !== 'advanced-trade' && values.feed !== 'exchange') {
    process.stderr.write(`simulator: --feed must be advanced-trade or exchange, not "${values.feed}"\n`);
    process.exit(64);
  }
  const coinbase = await startSimulatedCoinbase({
    port: number('port', 0), feed: values.feed, seed: number('seed', 0), historyMs: number('history-minutes', 0) * 60_000,
    speed: number('speed', 1), disconnectEveryMs: number('disconnect-every', 0) * 1000,
  });
  process.stdout.write(`simulated Coinbase (${values.feed}) on ${coinbase.server.url}, seed ${values.seed}\n`);
  const report = setInterval(() => {
    const { trades, disconnects, publishedUs } = coinbase.market.stats;
    process.stdout.write(`event time ${new Date(publishedUs / 1000).toISOString()}: ${trades} trades, ${disconnects} dropped connections\n`);
  }, 30_000);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      clearInterval(report);
      void coinbase.close().then(() => { process.stdout.write('simulated Coinbase stopped\n'); });
    });
  }
}
