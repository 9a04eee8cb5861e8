import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { formatDuration } from '../logging/formatDuration.js';
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
      const [line] = waiting();
      // The line tells the truth of its moment: the partitions restored before it (on a loaded machine the group
      // may still be joining at 30 s) and the time elapsed (the 1 s check may run late).
      const restoredBefore = engine.logs()
        .filter((l) => l['msg'] === 'partition restored from its checkpoint' && Date.parse(String(l['time'])) <= Date.parse(String(line?.['time'])))
        .map((l) => Number(l['partition'])).sort((a, b) => a - b);
      const idleMs = Number(line?.['idleMs']);
      expect(idleMs).toBeGreaterThanOrEqual(30_000);
      expect(idleMs).toBeLessThan(40_000);
      const owned = restoredBefore.length === 0 ? 'no partition assigned yet' : `partition${restoredBefore.length === 1 ? '' : 's'} ${restoredBefore.join(', ')}`;
      expect(waiting().map((l) => [l['level'], l['msg'], l['partitions']])).toEqual([
        [30, `waiting for records on ${prefix}prices.normalized (${owned}, group ${group}): none since the engine started ${formatDuration(idleMs)} ago`, restoredBefore],
      ]);
      // And the engine does own both partitions in the end.
      await waitFor('both partitions restored', () => engine.logs().filter((l) => l['msg'] === 'partition restored from its checkpoint').length === 2, 60_000);
    } finally {
      engine.signal('SIGTERM');
      expect(await engine.exited).toBe(0);
    }
  }, 120_000);
});
