import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { createTestSchema, type TestSchema } from '../testing/db/createTestSchema.js';
import { engineEnvironment } from '../testing/engine/engineEnvironment.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';

describe('a replay over a range without records', () => {
  const services = inject('services');
  const kafka = createKafka('replay-empty-test', services.kafkaBrokers, pino({ level: 'silent' }));
  let schema: TestSchema;
  let prefix: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    prefix = (await createTestTopics(kafka, 2)).prefix;
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
    ({ env } = await engineEnvironment(services, { schema: schema.schema, prefix, group: 'unused' }));
  });

  afterAll(async () => {
    await schema.drop();
  });

  it.each([
    ['a run', []],
    ['a sweep of 20 combinations', ['--strategy', 'sma_cross', '--grid', 'fast=5..20:5,slow=20..60:10', '--json']],
  ])('%s warns, records no run, prints no table and exits with status 66', async (_what, args) => {
    const { LOG_LEVEL: _level, ...quiet } = env;
    const cli = new ProgramProcess('replay/main.js', quiet, args);
    expect(await cli.exited).toBe(66);
    expect(cli.stderr.filter((l) => l !== '')).toEqual([
      `replay: the range holds no records (${prefix}prices.normalized offsets 0:0..0 1:0..0): nothing replayed, no run recorded`,
    ]);
    expect(cli.stdout.filter((l) => l !== '')).toEqual([]);
    const [runs] = await schema.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM strategy_runs`;
    expect(runs?.n).toBe(0);
  });
});
