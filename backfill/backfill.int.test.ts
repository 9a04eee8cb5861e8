import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { CoinbaseRestServer, formatCents, formatSats, type RestMarketSpec } from '../testing/coinbase/CoinbaseRestServer.js';
import { readTopic } from '../testing/kafka/readTopic.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';
import { readDeadLetterRecord } from '../wire/deadLetterRecord.js';
import type { MarketEvent } from '../wire/MarketEvent.js';
import { decodeMarketEvent } from '../wire/marketEventCodec.js';
import type { TopicNames } from '../wire/topics.js';
import { SAMPLE } from './samples/makeSampleCsv.js';

const DAY = Date.parse('2026-01-01T00:00:00Z') / 1000;
const FROM = '2026-01-01T00:00:00Z';
const TO = '2026-01-02T00:00:00Z';
const MARKETS: RestMarketSpec[] = [
  { productId: 'BTC-USD', fromS: DAY, toS: DAY + 86_400, tradesPerMinute: 2, quietFraction: 0.1, firstTradeId: 700_000_000 },
  { productId: 'ETH-USD', fromS: DAY, toS: DAY + 86_400, tradesPerMinute: 2, quietFraction: 0.3, firstTradeId: 40_000, startPriceCents: 300_000 },
];

/** What a stream looks like on the topic or on the server, for comparison. */
const candleRow = (e: MarketEvent) => (e.type === 'candle' ? [e.productId, e.granularityS, e.exchangeTimeUs / 1e6, e.open, e.high, e.low, e.close, e.volume].join(' ') : '');
const tradeRow = (e: MarketEvent) => (e.type === 'trade' ? [e.productId, e.tradeId, e.exchangeTimeUs, e.price, e.size, e.side].join(' ') : '');

describe('backfill (the CLI, against the local Coinbase REST server and real Kafka)', () => {
  const services = inject('services');
  const kafka = createKafka('backfill-test', services.kafkaBrokers, pino({ level: 'silent' }));
  let server: CoinbaseRestServer;

  const env = (prefix: string, extra: Record<string, string> = {}) => ({
    KAFKA_BROKERS: services.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn',
    COINBASE_REST_URL: server.url, COINBASE_EXCHANGE_REST_URL: server.url,
    BACKFILL_REQUESTS_PER_S: '200', BACKFILL_BURST: '20', BACKFILL_RETRY_BASE_MS: '50', BACKFILL_RETRY_MAX_MS: '200', ...extra,
  });
  const run = async (prefix: string, args: string[], extra: Record<string, string> = {}) => {
    const program = new ProgramProcess('backfill/main.js', env(prefix, extra), [...args, '--json']);
    const code = await program.exited;
    const output = program.stdout.join('\n');
    return { code, summary: (output.trim().startsWith('{') ? JSON.parse(output) : null) as Record<string, unknown> & { streams: { stream: string; quality: Record<string, unknown>; error: string | null; resumedAfter: unknown }[] } | null, stderr: program.stderr.join('\n') };
  };
  const history = async (topics: TopicNames) => (await readTopic(kafka, topics.history)).map((r) => ({ key: r.key, partition: r.partition, event: decodeMarketEvent(r.value) }));
  const expectedCandles = (productId: string, granularityS: number) => server.candles(productId, granularityS)
    .map((c) => [productId, granularityS, c.start, c.open, c.high, c.low, c.close, c.volume].join(' '));
  const expectedTrades = (productId: string) => server.trades(productId)
    .map((t) => [productId, t.tradeId, t.timeUs, formatCents(t.priceCents), formatSats(t.sizeSats), t.makerSide === 'buy' ? 'sell' : 'buy'].join(' '));
  /** The topic's events of one stream, in offset order. */
  const stream = (events: { event: MarketEvent }[], productId: string, kind: 'candle' | 'trade', granularityS = 60) => events
    .filter(({ event: e }) => e.productId === productId && e.type === kind && (e.type !== 'candle' || e.granularityS === granularityS))
    .map(({ event }) => (kind === 'candle' ? candleRow(event) : tradeRow(event)));

  beforeAll(async () => {
    server = await CoinbaseRestServer.start({ seed: 11, markets: MARKETS });
  });
  afterAll(async () => { await server.close(); });

  it('lands exactly the candles and trades the server holds, once each, keyed by product, in order, with an exact quality report', async () => {
    const { topics, prefix } = await createTestTopics(kafka);
    const { code, summary } = await run(prefix, ['--products', 'BTC-USD,ETH-USD', '--from', FROM, '--to', TO, '--candles', '1m,1h', '--trades']);
    expect(code, JSON.stringify(summary)).toBe(0);
    const events = await history(topics);
    for (const { productId } of MARKETS) {
      expect(stream(events, productId, 'candle', 60)).toEqual(expectedCandles(productId, 60));
      expect(stream(events, productId, 'candle', 3600)).toEqual(expectedCandles(productId, 3600));
      expect(stream(events, productId, 'trade')).toEqual(expectedTrades(productId));
    }
    expect(events.every((e) => e.key === e.event.productId), 'keyed by product').toBe(true);
    expect(new Set(events.filter((e) => e.key === 'BTC-USD').map((e) => e.partition)).size, 'one partition per product').toBe(1);
    const btcMinutes = server.candles('BTC-USD', 60).length;
    expect(summary?.streams.find((s) => s.stream === 'BTC-USD candle 60')?.quality).toMatchObject({
      events: btcMinutes, intervals: 1440, intervalsWithData: btcMinutes, missingNoTrades: 1440 - btcMinutes, missingNotFetched: 0, alreadyWritten: 0, rejected: {},
    });
    expect(summary?.streams.find((s) => s.stream === 'ETH-USD trade')?.quality).toMatchObject({ events: server.trades('ETH-USD').length, missingNotFetched: 0 });

    const again = await run(prefix, ['--products', 'BTC-USD,ETH-USD', '--from', FROM, '--to', TO, '--candles', '1m,1h', '--trades']);
    expect(again.code).toBe(0);
    expect((await history(topics)).length, 'a re-run writes nothing').toBe(events.length);

    const check = await run(prefix, ['--check', '--products', 'BTC-USD', '--from', FROM, '--to', TO, '--candles', '1m', '--trades']);
    expect(check.code).toBe(0);
    expect(check.summary?.streams.map((s) => [s.stream, s.quality['events'], s.quality['missingNoTrades'], s.quality['rejected']])).toEqual([
      ['BTC-USD candle 60', btcMinutes, 1440 - btcMinutes, {}],
      ['BTC-USD trade', server.trades('BTC-USD').length, 1440 - btcMinutes, {}],
    ]);
  });

  it('resumes after kill -9 where each stream stopped, never writing an event twice', async () => {
    const { topics, prefix } = await createTestTopics(kafka);
    const args = ['--products', 'BTC-USD,ETH-USD', '--from', FROM, '--to', TO, '--candles', '1m', '--trades'];
    const slow = { BACKFILL_REQUESTS_PER_S: '8', BACKFILL_BURST: '1' };
    const first = new ProgramProcess('backfill/main.js', env(prefix, slow), args);
    await waitFor('the first events on the history topic', async () => (await readTopic(kafka, topics.history)).length > 500, 60_000);
    first.signal('SIGKILL');
    expect(await first.exited).toBeNull();
    const before = (await history(topics)).length;
    const total = MARKETS.reduce((n, m) => n + server.candles(m.productId, 60).length + server.trades(m.productId).length, 0);
    expect(before, 'interrupted mid-run').toBeLessThan(total);

    const second = await run(prefix, args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.summary?.streams.some((s) => s.resumedAfter !== null), 'resumed from the topic tail').toBe(true);
    const events = await history(topics);
    expect(events).toHaveLength(total);
    for (const { productId } of MARKETS) {
      expect(stream(events, productId, 'candle')).toEqual(expectedCandles(productId, 60));
      expect(stream(events, productId, 'trade')).toEqual(expectedTrades(productId));
    }
  });

  it('stops on Ctrl-C after writing what it fetched (status 2), and the same command then completes the range', async () => {
    const { topics, prefix } = await createTestTopics(kafka);
    const args = ['--products', 'ETH-USD', '--from', FROM, '--to', TO, '--trades', '--candles', '1m', '--json'];
    const first = new ProgramProcess('backfill/main.js', env(prefix, { BACKFILL_REQUESTS_PER_S: '4', BACKFILL_BURST: '1' }), args);
    await waitFor('the first events on the history topic', async () => (await readTopic(kafka, topics.history)).length > 0, 60_000);
    first.signal('SIGINT');
    expect(await first.exited).toBe(2);
    const summary = JSON.parse(first.stdout.join('\n')) as { status: string; streams: { quality: { missingNotFetched: number } }[] };
    expect(summary.status).toBe('interrupted');
    expect(summary.streams.some((s) => s.quality.missingNotFetched > 0), 'the report says what was not fetched').toBe(true);
    const second = await run(prefix, args.slice(0, -1));
    expect(second.code).toBe(0);
    const events = await history(topics);
    expect(stream(events, 'ETH-USD', 'candle')).toEqual(expectedCandles('ETH-USD', 60));
    expect(stream(events, 'ETH-USD', 'trade')).toEqual(expectedTrades('ETH-USD'));
  });

  it('rides out 429 (with and without Retry-After), 5xx and malformed bodies; after bounded retries stops the stream with a clear error, and a re-run completes it', async () => {
    const { topics, prefix } = await createTestTopics(kafka);
    const args = ['--products', 'ETH-USD', '--from', FROM, '--to', TO, '--candles', '1m'];
    server.fault('candles', { kind: 'status', status: 429, retryAfter: '1' });
    server.fault('candles', { kind: 'status', status: 429 });
    server.fault('candles', { kind: 'status', status: 500 });
    server.fault('candles', { kind: 'malformed' });
    const ok = await run(prefix, args, { BACKFILL_CONCURRENCY: '1' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.summary?.['retries']).toBe(4);
    expect(stream(await history(topics), 'ETH-USD', 'candle')).toEqual(expectedCandles('ETH-USD', 60));

    const { topics: topics2, prefix: prefix2 } = await createTestTopics(kafka);
    server.fault('candles', { kind: 'status', status: 503 }, 3);
    const failed = await run(prefix2, args, { BACKFILL_CONCURRENCY: '1', BACKFILL_MAX_RETRIES: '2' });
    expect(failed.code).toBe(1);
    const etc = failed.summary?.streams[0];
    expect(etc?.error).toBe(`GET ${server.url}/api/v3/brokerage/market/products/ETH-USD/candles?start=${DAY}&end=${DAY + 348 * 60}&granularity=ONE_MINUTE failed after 3 attempts: 503 Internal server error`);
    expect(etc?.quality).toMatchObject({ events: 0, missingNoTrades: 0, missingNotFetched: 1440 });
    const rerun = await run(prefix2, args);
    expect(rerun.code).toBe(0);
    expect(stream(await history(topics2), 'ETH-USD', 'candle')).toEqual(expectedCandles('ETH-USD', 60));
  });

  it('dead-letters impossible candles with the reason instead of dropping them', async () => {
    const bad = await CoinbaseRestServer.start({ seed: 11, markets: MARKETS.slice(0, 1), candleOverrides: [{ productId: 'BTC-USD', granularityS: 60, start: server.candles('BTC-USD', 60)[5]!.start, fields: { high: '1.00' } }] });
    try {
      const { topics, prefix } = await createTestTopics(kafka);
      const program = new ProgramProcess('backfill/main.js', { ...env(prefix), COINBASE_REST_URL: bad.url }, ['--products', 'BTC-USD', '--from', FROM, '--to', TO, '--json']);
      expect(await program.exited).toBe(0);
      const summary = JSON.parse(program.stdout.join('\n')) as { streams: { quality: { events: number; rejected: unknown } }[] };
      expect(summary.streams[0]?.quality).toMatchObject({ events: bad.candles('BTC-USD', 60).length - 1, rejected: { out_of_range: 1 } });
      const letters = (await readTopic(kafka, topics.deadLetter)).map(readDeadLetterRecord);
      expect(letters.map((l) => [l.reason, l.detail, l.origin])).toEqual([['out_of_range', `high 1.00 < low ${bad.candles('BTC-USD', 60)[5]!.low}`, 'backfill:coinbase-advanced-trade']]);
    } finally {
      await bad.close();
    }
  });

  it('imports the bundled vendor CSV and Coinbase REST JSON once, dead-lettering repeats and invalid lines', async () => {
    const { topics, prefix } = await createTestTopics(kafka);
    const sample = await run(prefix, ['--file', SAMPLE.path]);
    expect(sample.code, sample.stderr).toBe(0);
    expect(sample.summary?.streams.map((s) => [s.stream, s.quality['events'], s.quality['intervals'], s.quality['missingNoTrades']])).toEqual([['BTC-USD trade', 351, 120, 8]]);
    const again = await run(prefix, ['--file', SAMPLE.path]);
    expect(again.summary?.streams[0]?.quality).toMatchObject({ events: 0, alreadyWritten: 351 });
    expect((await history(topics)).length).toBe(351);

    const dir = mkdtempSync(join(tmpdir(), 'backfill-'));
    // A file that is not there is a bad argument (64), refused before anything connects.
    const missing = await run(prefix, ['--file', join(dir, 'nope.csv')]);
    expect([missing.code, missing.stderr.split('\n').filter((l) => l !== '')]).toEqual([64, [
      `backfill: --file: cannot read ${join(dir, 'nope.csv')} (ENOENT)`, 'backfill: run `backfill --help` for usage',
    ]]);
    const restTrades = [
      { time: '2026-01-01T00:00:02.000000Z', trade_id: 12, price: '10.5', size: '1', side: 'sell' },
      { time: '2026-01-01T00:00:01.000000Z', trade_id: 11, price: '10.4', size: '2', side: 'buy' },
      { time: '2026-01-01T00:00:01.000000Z', trade_id: 11, price: '10.4', size: '2', side: 'buy' },
      { time: '2026-01-01T00:00:03.000000Z', trade_id: 13, price: '-1', size: '2', side: 'buy' },
    ];
    writeFileSync(join(dir, 'eth.json.gz'), gzipSync(JSON.stringify(restTrades)));
    const json = await run(prefix, ['--file', join(dir, 'eth.json.gz'), '--product', 'ETH-USD']);
    expect(json.code, json.stderr).toBe(0);
    const eth = (await history(topics)).filter((e) => e.event.productId === 'ETH-USD').map((e) => tradeRow(e.event));
    expect(eth).toEqual([
      `ETH-USD 11 ${Date.parse('2026-01-01T00:00:01Z') * 1000} 10.4 2 sell`,
      `ETH-USD 12 ${Date.parse('2026-01-01T00:00:02Z') * 1000} 10.5 1 buy`,
    ]);
    const letters = (await readTopic(kafka, topics.deadLetter)).map(readDeadLetterRecord);
    expect(letters.map((l) => l.reason).sort()).toEqual(['duplicate', 'schema']);
  });
});
