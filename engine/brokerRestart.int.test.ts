import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { topicNames } from '../wire/topics.js';
import { createTestSchema, type TestSchema } from '../testing/db/createTestSchema.js';
import { engineEnvironment } from '../testing/engine/engineEnvironment.js';
import { publishEvents } from '../testing/engine/publishEvents.js';
import { expectedResultTables, readResultTables } from '../testing/engine/resultTables.js';
import { syntheticMarket } from '../testing/engine/syntheticMarket.js';
import { waitForEngineToCatchUp } from '../testing/engine/waitForEngine.js';
import { DedicatedKafka } from '../testing/kafka/DedicatedKafka.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';

/**
 * The broker is down this long plus its restart (a JVM start: seconds): longer than the engine consumer's
 * retries (about 5 s, kafka/GroupConsumer.ts), so that the consumer crashes and restarts, the path on which a
 * stopped consumer used to join the group again. The reported 30 s outage only repeats that cycle more often.
 */
const OUTAGE_MS = 10_000;
/** How soon a stopped engine must have exited (see consumerGroupStop.int.test.ts). */
const EXIT_WITHIN_MS = 10_000;

const messages = (e: ProgramProcess) => e.logs().map((l) => String(l['msg']));
const tail = (e: ProgramProcess) => `${e.stdout.slice(-20).join('\n')}\n${e.stderr.slice(-10).join('\n')}`;

describe('the engine across a Kafka broker restart', () => {
  const services = inject('services');
  let broker: DedicatedKafka;
  let schema: TestSchema;
  const engines: ProgramProcess[] = [];

  beforeAll(async () => {
    broker = await DedicatedKafka.start();
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
  });

  afterAll(async () => {
    for (const engine of engines) engine.signal('SIGKILL');
    await schema.drop();
    await broker.destroy();
  });

  it('resumes consuming after the broker restarts, and exits on SIGTERM during and after an outage', async () => {
    const kafka = createKafka('broker-restart-test', broker.brokers, pino({ level: 'silent' }));
    const { prefix } = await createTestTopics(kafka, 3);
    const topics = topicNames(prefix);
    const group = `restart-${randomUUID().slice(0, 8)}`;
    const { env, settings } = await engineEnvironment({ ...services, kafkaBrokers: broker.brokers }, { schema: schema.schema, prefix, group });
    const market = syntheticMarket({ products: ['BTC-USD', 'ETH-USD', 'SOL-USD'], minutes: 60, startUs: (Date.now() - 6 * 3600_000) * 1000, seed: 5 });
    const half = Math.floor(market.length / 2);
    await publishEvents(kafka, topics.normalized, market.slice(0, half));
    const engine = new ProgramProcess('engine/main.js', env);
    engines.push(engine);
    await waitForEngineToCatchUp(kafka, schema.sql, group, topics.normalized);

    await broker.stop();
    await sleep(OUTAGE_MS);
    await broker.restart();
    await publishEvents(kafka, topics.normalized, market.slice(half));
    await waitForEngineToCatchUp(kafka, schema.sql, group, topics.normalized).catch((error: unknown) => { throw new Error(`${String(error)}\n${tail(engine)}`); });
    expect(messages(engine).some((m) => m.startsWith('Restarting the consumer')), 'the outage outlasted kafkajs\'s retries').toBe(true);
    const actual = await readResultTables(schema.sql);
    const expected = await expectedResultTables(kafka, prefix, settings);
    // Every record's effect is in these (trades are compared by the engine's own tests).
    for (const table of ['bars', 'signals', 'strategy_metrics'] as const) expect(actual[table], table).toEqual(expected[table]);

    // Stopped while the broker is down, then (the next engine) right after it came back.
    await broker.stop();
    await sleep(3000);
    let from = Date.now();
    engine.signal('SIGTERM');
    expect(await engine.exited, tail(engine)).toBe(0);
    expect(Date.now() - from, 'exited during the outage within its shutdown timeout').toBeLessThan(EXIT_WITHIN_MS);
    await broker.restart();
    const next = new ProgramProcess('engine/main.js', env);
    engines.push(next);
    await waitFor('the next engine to join', () => messages(next).includes('joining the consumer group'), 60_000);
    from = Date.now();
    next.signal('SIGTERM');
    expect(await next.exited, tail(next)).toBe(0);
    expect(Date.now() - from, 'exited after the restart within its shutdown timeout').toBeLessThan(EXIT_WITHIN_MS);
    expect(messages(next).slice(messages(next).indexOf('engine stopping')), 'nothing joined the group once stopping').not.toContain('partitions assigned');
  }, 240_000);
});
