import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { readDeadLetterRecord } from '../wire/deadLetterRecord.js';
import type { MarketEvent } from '../wire/MarketEvent.js';
import { topicNames } from '../wire/topics.js';
import { createTestSchema, type TestSchema } from '../testing/db/createTestSchema.js';
import { engineEnvironment } from '../testing/engine/engineEnvironment.js';
import { publishEvents } from '../testing/engine/publishEvents.js';
import { expectedResultTables, readResultTables } from '../testing/engine/resultTables.js';
import { syntheticMarket } from '../testing/engine/syntheticMarket.js';
import { waitForEngineToCatchUp } from '../testing/engine/waitForEngine.js';
import { readTopic } from '../testing/kafka/readTopic.js';
import { sampleSum } from '../testing/metrics/scrapeSamples.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';

const PRODUCTS = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'ADA-USD'];

describe('the engine, from prices.normalized to PostgreSQL and Kafka', () => {
  const services = inject('services');
  const kafka = createKafka('engine-test', services.kafkaBrokers, pino({ level: 'silent' }));
  let schema: TestSchema;
  let prefix: string;
  let events: MarketEvent[];

  beforeAll(async () => {
    prefix = (await createTestTopics(kafka, 3)).prefix;
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
    events = syntheticMarket({ products: PRODUCTS, minutes: 90, startUs: (Date.now() - 3 * 3600_000) * 1000 });
    await publishEvents(kafka, topicNames(prefix).normalized, [...events.slice(0, 1000), { key: 'BTC-USD', raw: '{"type":"trade","v":1' }, ...events.slice(1000)]);
  });

  afterAll(async () => {
    await schema.drop();
  });

  it('writes exactly what its core computes, row for row, dead-letters what it cannot decode, and publishes its outputs', async () => {
    const group = `engine-${randomUUID().slice(0, 8)}`;
    const { env, settings } = await engineEnvironment(services, { schema: schema.schema, prefix, group });
    const engine = new ProgramProcess('engine/main.js', env);
    const topics = topicNames(prefix);
    await waitForEngineToCatchUp(kafka, schema.sql, group, topics.normalized).catch((error: unknown) => {
      throw new Error(`${String(error)}\nengine log:\n${engine.stdout.slice(-15).join('\n')}\n${engine.stderr.slice(-15).join('\n')}`);
    });

    const text = await (await fetch(`http://127.0.0.1:${String(await engine.metricsPort())}/metrics`)).text();
    expect(sampleSum(text, 'engine_records_consumed_total')).toBe(events.length + 1);
    expect(sampleSum(text, 'engine_invalid_records_total', { reason: 'undecodable' })).toBe(1);
    expect(sampleSum(text, 'engine_strategy_equity', { strategy: 'sma_cross', product: 'ETH-USD', interval: '5m' })).toBeGreaterThan(0);

    engine.signal('SIGTERM');
    expect(await engine.exited, engine.stdout.slice(-5).join('\n')).toBe(0);

    const actual = await readResultTables(schema.sql);
    const expected = await expectedResultTables(kafka, prefix, settings);
    expect(expected.bars.length, 'the market produces bars').toBeGreaterThan(400);
    expect(expected.trades.length, 'and trades').toBeGreaterThan(20);
    expect(actual.bars).toEqual(expected.bars);
    expect(actual.signals).toEqual(expected.signals);
    expect(actual.trades).toEqual(expected.trades);
    expect(actual.strategy_metrics).toEqual(expected.strategy_metrics);

    const letters = (await readTopic(kafka, topics.deadLetter)).map(readDeadLetterRecord);
    expect(letters.map((l) => [l.reason, l.detail, l.payload.toString()])).toEqual([['undecodable', 'not JSON', '{"type":"trade","v":1']]);
    const decisions = await readTopic(kafka, topics.decisions);
    expect(decisions.length, 'one decision record per signal row').toBe(expected.signals.length);
    const performance = await readTopic(kafka, topics.performance);
    expect(performance.length * (1 + 2), 'one performance record per bar and instance, three statistics rows each').toBe(expected.strategy_metrics.length);
    const late = await readTopic(kafka, topics.late);
    expect(late.length, 'late trades in the side output').toBeGreaterThan(0);
    expect(sampleSum(text, 'engine_late_trades_total')).toBe(late.length);
  });
});
