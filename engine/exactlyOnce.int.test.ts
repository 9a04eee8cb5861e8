import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import type { MarketEvent } from '../wire/MarketEvent.js';
import { topicNames } from '../wire/topics.js';
import { createTestSchema, type TestSchema } from '../testing/db/createTestSchema.js';
import { engineEnvironment } from '../testing/engine/engineEnvironment.js';
import { publishEvents } from '../testing/engine/publishEvents.js';
import { expectedResultTables, readResultTables } from '../testing/engine/resultTables.js';
import { syntheticMarket } from '../testing/engine/syntheticMarket.js';
import { waitForEngineToCatchUp } from '../testing/engine/waitForEngine.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';

const PRODUCTS = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'ADA-USD', 'LTC-USD'];

/** The market in consecutive stretches, so that work arrives while engines die and restart. */
function marketInStretches(stretches: number, minutes: number): MarketEvent[][] {
  const all = syntheticMarket({ products: PRODUCTS, minutes: stretches * minutes, startUs: (Date.now() - 8 * 3600_000) * 1000, seed: 7 });
  const size = Math.ceil(all.length / stretches);
  return Array.from({ length: stretches }, (_, i) => all.slice(i * size, (i + 1) * size));
}

describe('exactly-once effect', () => {
  const services = inject('services');
  const kafka = createKafka('exactly-once-test', services.kafkaBrokers, pino({ level: 'silent' }));
  let schema: TestSchema;
  let prefix: string;
  const engines: ProgramProcess[] = [];

  beforeEach(async () => {
    prefix = (await createTestTopics(kafka, 3)).prefix;
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
  });

  afterEach(async () => {
    for (const engine of engines.splice(0)) engine.signal('SIGKILL');
    await schema.drop();
  });

  it('ends with the same tables as an uninterrupted run after kill -9 at random points', async () => {
    const seed = Date.now();
    let state = seed;
    const random = () => ((state = (state * 48_271) % 2_147_483_647) / 2_147_483_647);
    const group = `crash-${randomUUID().slice(0, 8)}`;
    const { env, settings } = await engineEnvironment(services, { schema: schema.schema, prefix, group });
    const topics = topicNames(prefix);
    const stretches = marketInStretches(5, 60);
    await publishEvents(kafka, topics.normalized, stretches[0]!);
    const admin = kafka.admin();
    await admin.connect();
    const kills: { checkpointed: bigint; end: bigint }[] = [];
    const checkpointed = async () => {
      const [row] = await schema.sql<{ n: string }[]>`SELECT coalesce(sum(next_offset), 0) AS n FROM engine_offsets WHERE consumer_group = ${group}`;
      return BigInt(row?.n ?? 0);
    };
    for (const stretch of stretches.slice(1)) {
      const engine = new ProgramProcess('engine/main.js', env);
      engines.push(engine);
      await waitFor('the engine to start consuming', () => engine.logs().some((l) => l['msg'] === 'partition restored from its checkpoint'));
      // The kill lands right after a piece of the stretch is acknowledged, while the engine is still working
      // on it: after a random number of pieces, and once this engine has committed a checkpoint of its own.
      // The rest of the stretch arrives while no engine runs.
      const pieces = Array.from({ length: 10 }, (_, i) => stretch.slice(Math.floor((i * stretch.length) / 10), Math.floor(((i + 1) * stretch.length) / 10)));
      const minimum = Math.floor(random() * 8);
      const committedBefore = await checkpointed();
      let published = 0;
      while (published < pieces.length) {
        await publishEvents(kafka, topics.normalized, pieces[published]!);
        published++;
        if (published > minimum && (await checkpointed()) > committedBefore) break;
      }
      engine.signal('SIGKILL');
      expect(await engine.exited, 'killed, not exited').toBeNull();
      const end = (await admin.fetchTopicOffsets(topics.normalized)).reduce((n, p) => n + BigInt(p.high), 0n);
      kills.push({ checkpointed: await checkpointed(), end });
      for (const piece of pieces.slice(published)) await publishEvents(kafka, topics.normalized, piece);
    }
    await admin.disconnect();
    const last = new ProgramProcess('engine/main.js', env);
    engines.push(last);
    await waitFor('the last engine to run', () => last.logs().some((l) => l['msg'] === 'partition restored from its checkpoint'));
    await waitForEngineToCatchUp(kafka, schema.sql, group, topics.normalized);
    last.signal('SIGTERM');
    expect(await last.exited, `${last.stdout.slice(-8).join('\n')}\n${last.stderr.slice(-8).join('\n')}`).toBe(0);

    expect(kills).toHaveLength(4);
    expect(kills.filter((k) => k.checkpointed > 0n).length, `engines committed checkpoints before dying (seed ${seed})`).toBeGreaterThan(0);
    expect(kills.filter((k) => k.checkpointed < k.end).length, `kills landed mid-stream (seed ${seed}): ${JSON.stringify(kills, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`).toBeGreaterThanOrEqual(2);
    const actual = await readResultTables(schema.sql);
    const expected = await expectedResultTables(kafka, prefix, settings);
    expect(expected.strategy_metrics.length).toBeGreaterThan(1000);
    for (const table of ['bars', 'signals', 'trades', 'strategy_metrics'] as const) {
      expect(actual[table].length, `${table}: no row lost, none duplicated (seed ${seed})`).toBe(expected[table].length);
      expect(actual[table], `${table} (seed ${seed})`).toEqual(expected[table]);
    }
  });

  it('hands a dead engine\'s partitions, with their state, to the other engine of the group', async () => {
    const group = `scale-${randomUUID().slice(0, 8)}`;
    const { env, settings } = await engineEnvironment(services, { schema: schema.schema, prefix, group });
    const topics = topicNames(prefix);
    const [first, second] = marketInStretches(2, 60);
    await publishEvents(kafka, topics.normalized, first!);
    const a = new ProgramProcess('engine/main.js', env);
    const b = new ProgramProcess('engine/main.js', env);
    engines.push(a, b);
    const assigned = (e: ProgramProcess) => e.logs().filter((l) => l['msg'] === 'partitions assigned').at(-1)?.['partitions'] as number[] | undefined;
    // During the rebalance one engine may still report its previous assignment: wait until the group settles.
    const settled = () => (assigned(a)?.length ?? 0) > 0 && (assigned(b)?.length ?? 0) > 0
      && (assigned(a)?.length ?? 0) + (assigned(b)?.length ?? 0) === 3;
    await waitFor('both engines to own partitions', settled, 60_000);
    expect([...assigned(a)!, ...assigned(b)!].sort(), 'the partitions are split between them').toEqual([0, 1, 2]);
    await waitForEngineToCatchUp(kafka, schema.sql, group, topics.normalized);

    a.signal('SIGKILL');
    await a.exited;
    await publishEvents(kafka, topics.normalized, second!);
    await waitFor('the survivor to take every partition', () => assigned(b)?.length === 3, 60_000);
    await waitForEngineToCatchUp(kafka, schema.sql, group, topics.normalized);
    b.signal('SIGTERM');
    expect(await b.exited).toBe(0);

    const restored = b.logs().filter((l) => l['msg'] === 'partition restored from its checkpoint' && l['nextOffset'] !== null);
    expect(restored.length, 'it resumed the dead engine\'s partitions from their checkpoints').toBeGreaterThan(0);
    const actual = await readResultTables(schema.sql);
    const expected = await expectedResultTables(kafka, prefix, settings);
    for (const table of ['bars', 'signals', 'trades', 'strategy_metrics'] as const) expect(actual[table], table).toEqual(expected[table]);
  });
});
