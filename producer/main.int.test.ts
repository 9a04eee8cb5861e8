import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { CoinbaseProtocolServer } from '../simulator/CoinbaseProtocolServer.js';
import { readTopic } from '../testing/kafka/readTopic.js';
import { sampleSum } from '../testing/metrics/scrapeSamples.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { waitFor } from '../testing/waitFor.js';
import { decodeMarketEvent } from '../wire/marketEventCodec.js';
import { topicNames } from '../wire/topics.js';

describe('the producer and topics programs', () => {
  const services = inject('services');
  const kafka = createKafka('main-test', services.kafkaBrokers, pino({ level: 'silent' }));
  const prefix = `it-${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const baseEnv = { KAFKA_BROKERS: services.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'info' };

  it('refuses bad configuration at start-up, naming every bad variable, with exit status 78', async () => {
    const program = new ProgramProcess('producer/main.js', {
      COINBASE_FEED: 'pro', METRICS_PORT: '70000', COINBASE_PRODUCT_IDS: 'BTC-USD,,ETH-USD', PRODUCER_QUEUE_MAX_BYTES: '1k', COINBASE_PRODCT_IDS: 'x',
      COINBASE_WS_URL: 'wss://reader:hunter2@ws.example /x',
    });
    expect(await program.exited).toBe(78);
    expect(program.stderr.filter((l) => l !== '')).toEqual([
      'producer: Invalid configuration (6 variables):',
      '  COINBASE_FEED: must be one of advanced-trade, exchange (got "pro")',
      '  COINBASE_WS_URL: has an invalid format: expected a ws:// or wss:// URL without spaces, e.g. wss://advanced-trade-ws.coinbase.com, or empty for the feed\'s public endpoint (got "wss://reader:****@ws.example /x")',
      '  COINBASE_PRODUCT_IDS: item 2 "" has an invalid format: expected a Coinbase product id, upper-case letters and digits in two to four dash-separated parts, e.g. BTC-USD or BTC-PERP-INTX (got "BTC-USD,,ETH-USD")',
      '  PRODUCER_QUEUE_MAX_BYTES: must be integer (got "1k")',
      '  METRICS_PORT: must be <= 65535 (got "70000")',
      '  COINBASE_PRODCT_IDS: is not a variable of this project (did you mean COINBASE_PRODUCT_IDS?)',
    ]);
    expect(program.stdout.filter((l) => l !== ''), 'nothing started').toEqual([]);
  });

  it('ends with status 1 and closes everything when it cannot start (no broker)', async () => {
    const program = new ProgramProcess('producer/main.js', { KAFKA_BROKERS: '127.0.0.1:9', METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' });
    expect(await program.exited, 'the process ends by itself once its metrics server is closed').toBe(1);
    const messages = program.logs().map((l) => l['msg']);
    expect(messages).toContain('producer failed to start');
    expect(messages.at(-1)).toBe('producer stopped');
  });

  it('creates the topics with their partitions and settings, and is safe to run again', async () => {
    for (let run = 0; run < 2; run++) {
      const program = new ProgramProcess('scripts/createTopics.js', { ...baseEnv, KAFKA_TOPIC_PARTITIONS: '4', KAFKA_TOPIC_RETENTION_MS: '86400000' });
      expect(await program.exited, program.stdout.join('\n')).toBe(0);
      const ready = program.logs().find((l) => l['msg'] === 'topics ready');
      const all = [topics.raw, topics.normalized, topics.deadLetter, topics.history, topics.late, topics.decisions, topics.performance];
      expect(ready, 'second run finds them').toMatchObject(run === 0 ? { created: all, existing: [] } : { created: [], existing: all });
    }
    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: Object.values(topics) });
    expect(Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]))).toEqual({
      [topics.raw]: 1, [topics.normalized]: 4, [topics.deadLetter]: 1, [topics.history]: 4, [topics.late]: 4, [topics.decisions]: 4, [topics.performance]: 4,
    });
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topics.raw, configNames: ['retention.ms', 'max.message.bytes'] },
        { type: ConfigResourceTypes.TOPIC, name: topics.history, configNames: ['retention.ms'] },
      ],
    });
    await admin.disconnect();
    expect(Object.fromEntries(configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue])))
      .toEqual({ 'retention.ms': '86400000', 'max.message.bytes': String(4 * 1_048_576 + 65_536) });
    expect(configs.resources.find((r) => r.resourceName === topics.history)?.configEntries.map((e) => e.configValue), 'history is kept forever by default').toEqual(['-1']);
  });

  describe('streaming', () => {
    let server: CoinbaseProtocolServer;
    let program: ProgramProcess;
    let metricsUrl: string;

    beforeAll(async () => {
      server = await CoinbaseProtocolServer.start({ feed: 'advanced-trade', heartbeatIntervalMs: 200 });
      const url = server.url.replace('ws://', 'ws://reader:s3cret-password@');
      program = new ProgramProcess('producer/main.js', { ...baseEnv, COINBASE_WS_URL: url, METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' });
      metricsUrl = `http://127.0.0.1:${String(await program.metricsPort())}`;
      await server.subscribed(1);
    });

    afterAll(async () => {
      program.signal('SIGKILL');
      await server.close();
    });

    it('serves its metrics over HTTP while it streams', async () => {
      server.trade('BTC-USD', 5);
      server.trade('ETH-USD', 3);
      let text = '';
      await waitFor('eight trades published', async () => {
        text = await (await fetch(`${metricsUrl}/metrics`)).text();
        return sampleSum(text, 'producer_trades_published_total') === 8;
      });
      expect(sampleSum(text, 'producer_trades_published_total', { product: 'BTC-USD' })).toBe(5);
      expect(sampleSum(text, 'producer_ws_connected')).toBe(1);
      expect(sampleSum(text, 'producer_ws_frames_total', { channel: 'subscriptions' })).toBe(3);
      expect(sampleSum(text, 'producer_last_frame_age_seconds')).toBeLessThan(5);
      expect(sampleSum(text, 'process_resident_memory_bytes'), 'process metrics').toBeGreaterThan(0);
      expect(await (await fetch(`${metricsUrl}/healthz`)).text()).toBe('ok\n');
    });

    it('stops cleanly on SIGTERM: intake first, then every queued record to Kafka', async () => {
      server.trade('BTC-USD', 4);
      program.signal('SIGTERM');
      expect(await program.exited).toBe(0);
      const messages = program.logs().map((l) => l['msg']);
      const order = ['producer stopping', 'connection closed', 'producer stopped'].map((m) => messages.lastIndexOf(m));
      expect(order.every((i) => i >= 0), messages.join(', ')).toBe(true);
      expect(order, 'stop intake, then flush and disconnect').toEqual([...order].sort((a, b) => a - b));
      expect(messages.at(-1)).toBe('producer stopped');
      const trades = (await readTopic(kafka, topics.normalized)).map((r) => decodeMarketEvent(r.value)).filter((e) => e.type === 'trade');
      expect(trades.length, 'the trades made just before SIGTERM too').toBe(12);
    });

    it('writes only JSON log lines, with the URL password redacted', () => {
      expect(program.stdout.filter((l) => l !== '').every((l) => l.startsWith('{'))).toBe(true);
      expect(program.stdout.join('\n')).not.toContain('s3cret-password');
      const config = program.logs().find((l) => l['msg'] === 'producer starting')?.['config'] as Record<string, unknown>;
      expect(config['COINBASE_WS_URL']).toBe(server.url.replace('ws://', 'ws://reader:****@'));
    });
  });
});
