import { createServer } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createProducerMetrics } from '../../metrics/producerMetrics.js';
import { waitFor } from '../../testing/waitFor.js';
import { advancedTradeProtocol } from '../coinbase/advancedTrade/advancedTradeProtocol.js';
import { FeedState } from '../feed/FeedState.js';
import { FeedConnection } from './FeedConnection.js';

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return port;
}

function connectionTo(url: string) {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug', base: null, timestamp: false }, { write: (line: string) => { lines.push(JSON.parse(line) as { level: number; msg: string }); } });
  const registry = new Registry();
  const metrics = createProducerMetrics(registry, { lastFrameAgeSeconds: () => 0, queueFrames: () => 0, queueBytes: () => 0 });
  const connection = new FeedConnection({
    url, protocol: advancedTradeProtocol, productIds: ['BTC-USD'], state: new FeedState(100), maxFrameBytes: 65_536,
    stallTimeoutMs: 10_000, subscribeTimeoutMs: 5000, resubscribeIntervalMs: 60_000, backoff: { baseMs: 10, maxMs: 20 },
    nowUs: () => Date.now() * 1000, logger, metrics, onFrame: () => true, onRefusedFrame: () => undefined, beforeConnect: () => Promise.resolve(),
  });
  const failedAttempts = () => lines.filter((l) => l.msg.startsWith('connection attempt to Coinbase failed')).length;
  /** What an operator sees at the default level (info and above). */
  const shown = () => lines.filter((l) => l.level >= 30).map((l) => `${l.level} ${l.msg}`);
  return { connection, lines, failedAttempts, shown, registry };
}

describe('FeedConnection while Coinbase is unreachable', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('says once, in plain words, that nothing listens; every retry is only detail; no "connection closed" for a connection that never opened', async () => {
    const port = await closedPort();
    const { connection, failedAttempts, shown, lines, registry } = connectionTo(`ws://127.0.0.1:${port}`);
    connection.start();
    cleanups.push(() => connection.stop());
    await waitFor('five failed attempts', () => failedAttempts() >= 5);
    expect(shown()).toEqual([`40 cannot reach Coinbase at ws://127.0.0.1:${port}: connection refused; retrying, at most 20 ms apart`]);
    expect(lines.filter((l) => l.msg === 'connection attempt to Coinbase failed: connection refused').length).toBe(failedAttempts());
    expect(lines.some((l) => l.msg === 'connection closed' || l.msg === 'WebSocket error')).toBe(false);
    const watchdog = (await registry.getSingleMetric('producer_watchdog_stalls_total')?.get())?.values[0]?.value;
    expect(watchdog, 'an attempt that never opened is not a stall').toBe(0);
  });

  it('says when it reaches Coinbase again, after how long and how many attempts', async () => {
    const port = await closedPort();
    const { connection, failedAttempts, shown } = connectionTo(`ws://127.0.0.1:${port}`);
    connection.start();
    cleanups.push(() => connection.stop());
    await waitFor('two failed attempts', () => failedAttempts() >= 2);
    const server = new WebSocketServer({ host: '127.0.0.1', port });
    cleanups.push(() => new Promise((resolve) => { server.close(() => { resolve(); }); for (const c of server.clients) c.terminate(); }));
    await waitFor('the connection', () => shown().some((l) => l.startsWith('30 reached Coinbase')));
    const [cannot, reached, connected] = shown();
    expect(cannot).toBe(`40 cannot reach Coinbase at ws://127.0.0.1:${port}: connection refused; retrying, at most 20 ms apart`);
    expect(reached).toMatch(new RegExp(`^30 reached Coinbase at ws://127\\.0\\.0\\.1:${port} after \\d+ ms unreachable \\(\\d+ failed attempts\\)$`));
    expect(connected).toBe('30 connected; subscribing');
  });

  it('names a failed DNS lookup', async () => {
    const { connection, failedAttempts, shown } = connectionTo('wss://advanced-trade-ws.coinbase.invalid');
    connection.start();
    cleanups.push(() => connection.stop());
    await waitFor('two failed attempts', () => failedAttempts() >= 2);
    expect(shown()).toEqual(['40 cannot reach Coinbase at wss://advanced-trade-ws.coinbase.invalid: DNS lookup failed for advanced-trade-ws.coinbase.invalid; retrying, at most 20 ms apart']);
  });
});
