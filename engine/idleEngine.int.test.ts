import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { createTestSchema, type TestSchema } from '../testing/db/createTestSchema.js';
import { engineEnvironment } from '../testing/engine/engineEnvironment.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';

describe('an engine without records', () => {
  const services = inject('services');
  const kafka = createKafka('idle-engine-test', services.kafkaBrokers, pino({ level: 'silent' }));
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
  });

  afterAll(async () => {
    await schema.drop();
  });

  it('says, 30 s after its start, that it is waiting and on what (topic, partitions, group)', async () => {
    const { prefix } = await createTestTopics(kafka, 2);
    const group = `idle-${randomUUID().slice(0, 8)}`;
    const { env } = await engineEnvironment(services, { schema: schema.schema, prefix, group });
    const engine = new ProgramProcess('engine/main.js', env);
    try {
      const waiting = () => engine.logs().filter((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('waiting for records'));
      await waitFor('the waiting line', () => waiting().length > 0, 60_000);
      expect(waiting().map((l) => [l['level'], l['msg']])).toEqual([
        [30, `waiting for records on ${prefix}prices.normalized (partitions 0, 1, group ${group}): none since the engine started 30 s ago`],
      ]);
    } finally {
      engine.signal('SIGTERM');
      expect(await engine.exited).toBe(0);
    }
  }, 120_000);
});
