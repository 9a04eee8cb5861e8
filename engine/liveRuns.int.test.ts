import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { topicNames } from '../wire/topics.js';
import { createTestSchema, type TestSchema } from '../testing/db/createTestSchema.js';
import { engineEnvironment } from '../testing/engine/engineEnvironment.js';
import { publishEvents } from '../testing/engine/publishEvents.js';
import { syntheticMarket } from '../testing/engine/syntheticMarket.js';
import { waitForEngineToCatchUp } from '../testing/engine/waitForEngine.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';
import { startLiveRun } from './sinks/startLiveRun.js';

const PRODUCTS = ['BTC-USD', 'ETH-USD'];

interface RunRow { run_id: string; status: string; superseded_by: string | null; consumer_group: string; settings: Record<string, unknown> }

describe('live runs: state belongs to the settings that built it', () => {
  const services = inject('services');
  const kafka = createKafka('live-runs-test', services.kafkaBrokers, pino({ level: 'silent' }));
  let schema: TestSchema;
  let prefix: string;
  const startUs = (Date.now() - 3 * 3600_000) * 1000;
  const market = syntheticMarket({ products: PRODUCTS, minutes: 60, startUs });
  const half = market.findIndex((e) => e.exchangeTimeUs >= startUs + 30 * 60_000_000);

  beforeAll(async () => {
    prefix = (await createTestTopics(kafka, 2)).prefix;
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
  });

  afterAll(async () => {
    await schema.drop();
  });

  const runs = () => schema.sql<RunRow[]>`
    SELECT run_id, status, superseded_by, consumer_group, settings FROM strategy_runs WHERE kind = 'live' ORDER BY started_at`;

  async function runEngineUntilCaughtUp(group: string, extra: Record<string, string>): Promise<ProgramProcess> {
    const { env } = await engineEnvironment(services, { schema: schema.schema, prefix, group, extra });
    const engine = new ProgramProcess('engine/main.js', env);
    await waitForEngineToCatchUp(kafka, schema.sql, group, topicNames(prefix).normalized).catch((error: unknown) => {
      throw new Error(`${String(error)}\nengine log:\n${engine.stdout.slice(-15).join('\n')}\n${engine.stderr.slice(-15).join('\n')}`);
    });
    return engine;
  }

  it('starts a new run on changed settings, naming each change, and keeps the previous run\'s settings and results', async () => {
    const group = `runs-${randomUUID().slice(0, 8)}`;
    await publishEvents(kafka, topicNames(prefix).normalized, market.slice(0, half));
    const first = await runEngineUntilCaughtUp(group, { ENGINE_INTERVALS: '1m', ENGINE_FEE_BPS: '10' });
    first.signal('SIGTERM');
    expect(await first.exited).toBe(0);
    const [firstBars] = await schema.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM bars WHERE run_id = 'live'`;
    expect(firstBars!.n, 'the first run wrote bars').toBeGreaterThan(40);

    await publishEvents(kafka, topicNames(prefix).normalized, market.slice(half));
    const second = await runEngineUntilCaughtUp(group, { ENGINE_INTERVALS: '1m,15m', ENGINE_FEE_BPS: '5' });
    const warning = second.logs().find((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('settings changed since live run live'));
    expect(warning?.['changes']).toEqual(['ENGINE_INTERVALS: 1m → 1m,15m', 'ENGINE_FEE_BPS: 10 → 5']);
    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);

    const rows = await runs();
    expect(rows.map((r) => [r.run_id, r.status, r.superseded_by, r.consumer_group])).toEqual([
      ['live', 'finished', 'live-2', group], ['live-2', 'interrupted', null, group],
    ]);
    expect([rows[0]!.settings['ENGINE_INTERVALS'], rows[0]!.settings['ENGINE_FEE_BPS']], 'the old run keeps its settings').toEqual(['1m', 10]);
    expect([rows[1]!.settings['ENGINE_INTERVALS'], rows[1]!.settings['ENGINE_FEE_BPS']]).toEqual(['1m,15m', 5]);
    const [after] = await schema.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM bars WHERE run_id = 'live'`;
    expect(after!.n, 'the old run\'s results are untouched').toBe(firstBars!.n);
    // The new run started with fresh state from the group's offsets: its first bar of each interval is partial.
    const firsts = await schema.sql<{ interval_s: number; bucket: Date; complete: boolean }[]>`
      SELECT DISTINCT ON (product_id, interval_s) interval_s, bucket, complete FROM bars WHERE run_id = 'live-2'
      ORDER BY product_id, interval_s, bucket`;
    expect(firsts.map((b) => b.complete)).toEqual([false, false, false, false]);
    const firstMinute = Math.min(...firsts.filter((b) => b.interval_s === 60).map((b) => b.bucket.getTime())) * 1000;
    // The market's late trades are stamped up to 75 s early, and the 1-minute bucket starts before its first trade.
    expect(firstMinute, 'it begins where the old run stopped').toBeGreaterThanOrEqual(startUs + 30 * 60_000_000 - 75_000_000 - 60_000_000);
    // The 15-minute bars hold exactly the trades of the run's own 1-minute bars: nothing inherited.
    const quarters = await schema.sql<{ product_id: string; bucket: Date; trade_count: number; minutes: number }[]>`
      SELECT q.product_id, q.bucket, q.trade_count,
        (SELECT coalesce(sum(m.trade_count), 0)::int FROM bars m WHERE m.run_id = 'live-2' AND m.interval_s = 60 AND m.product_id = q.product_id
           AND m.bucket >= q.bucket AND m.bucket < q.bucket + interval '15 minutes') AS minutes
      FROM bars q WHERE q.run_id = 'live-2' AND q.interval_s = 900`;
    expect(quarters.length, '15-minute bars').toBeGreaterThan(1);
    expect(quarters.map((q) => q.trade_count)).toEqual(quarters.map((q) => q.minutes));

    const third = await runEngineUntilCaughtUp(group, { ENGINE_INTERVALS: '15m,1m', ENGINE_FEE_BPS: '5' });
    // Caught up already: wait until it has opened its run and joined before stopping it.
    await waitFor('the third engine to join', () => third.logs().some((l) => l['msg'] === 'partitions assigned'), 60_000);
    expect(third.logs().filter((l) => String(l['msg']).startsWith('live run ')).map((l) => l['msg'])).toEqual(['live run live-2']);
    third.signal('SIGTERM');
    expect(await third.exited).toBe(0);
    expect((await runs()).map((r) => [r.run_id, r.status]), 'the same settings continue the run').toEqual([['live', 'finished'], ['live-2', 'interrupted']]);
  });

  it('stops an engine whose run another engine of the group superseded', async () => {
    const group = `runs-${randomUUID().slice(0, 8)}`;
    const old = await runEngineUntilCaughtUp(group, { ENGINE_INTERVALS: '1m' });
    // What an engine started at the same moment as the old one, before either had joined the group, does:
    // no member to refuse it (see the next test), it supersedes the run.
    const { settings } = await engineEnvironment(services, { schema: schema.schema, prefix, group, extra: { ENGINE_INTERVALS: '5m' } });
    expect((await startLiveRun(schema.sql, group, settings, topicNames(prefix).normalized)).superseded?.changes).toEqual(['ENGINE_INTERVALS: 1m → 5m']);
    await publishEvents(kafka, topicNames(prefix).normalized, syntheticMarket({ products: PRODUCTS, minutes: 10, startUs: startUs + 61 * 60_000_000, seed: 7 }));
    expect(await old.exited, 'the old engine stops at its next checkpoint').toBe(0);
    expect(old.logs().some((l) => l['level'] === 60 && String(l['msg']).includes('superseded'))).toBe(true);
  });

  it('refuses an engine with other settings while an engine of its group runs (status 78), and supersedes once that engine stops', async () => {
    const group = `runs-${randomUUID().slice(0, 8)}`;
    const groupRuns = () => schema.sql<{ run_id: string; status: string; superseded_by: string | null }[]>`
      SELECT run_id, status, superseded_by FROM strategy_runs WHERE consumer_group = ${group} ORDER BY started_at`;
    const first = await runEngineUntilCaughtUp(group, { ENGINE_INTERVALS: '1m' });
    await waitFor('the first engine to join', () => first.logs().some((l) => l['msg'] === 'partitions assigned'), 60_000);
    let firstExited = false;
    void first.exited.then(() => { firstExited = true; });
    const [run] = await groupRuns();
    const admin = kafka.admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([group]).finally(() => admin.disconnect());
    const members = groups[0]?.members ?? [];
    expect(members, 'the first engine is the group\'s one member').toHaveLength(1);

    const environment = async () => (await engineEnvironment(services, { schema: schema.schema, prefix, group, extra: { ENGINE_INTERVALS: '5m' } })).env;
    const refused = new ProgramProcess('engine/main.js', await environment());
    expect(await refused.exited).toBe(78);
    expect(refused.logs().filter((l) => l['level'] === 60).map((l) => l['msg'])).toEqual([
      `refusing to start: live run ${run!.run_id} of consumer group ${group} has other settings (ENGINE_INTERVALS: 1m → 5m) ` +
      `and the group still has 1 live member after 10 s: engine on ${members[0]!.clientHost.replace(/^\//, '')} (member ${members[0]!.memberId}). ` +
      'Starting would supersede the run those engines are writing. ' +
      'Stop the group\'s other engines first (this engine then starts a new run with its settings), or give this engine another ENGINE_GROUP_ID. ' +
        'An engine killed without leaving the group stays listed until its session times out (ENGINE_SESSION_TIMEOUT_MS, 6 s): ' +
        'if none of these runs any more, start again after that.',
    ]);
    expect(refused.logs().map((l) => l['msg']), 'it never joined the group').not.toContain('joining the consumer group');
    expect(await groupRuns(), 'the first engine\'s run stays live').toEqual([{ run_id: run!.run_id, status: 'running', superseded_by: null }]);
    await publishEvents(kafka, topicNames(prefix).normalized, syntheticMarket({ products: PRODUCTS, minutes: 5, startUs: startUs + 72 * 60_000_000, seed: 11 }));
    await waitForEngineToCatchUp(kafka, schema.sql, group, topicNames(prefix).normalized);
    expect(firstExited, 'the first engine goes on').toBe(false);

    // A rolling restart: the second engine starts while the first is stopping, and supersedes once it has left.
    first.signal('SIGTERM');
    const second = new ProgramProcess('engine/main.js', await environment());
    expect(await first.exited).toBe(0);
    expect(first.logs().some((l) => l['level'] === 60), 'the first engine stopped as asked, not fenced off').toBe(false);
    await waitFor('the second engine to join', () => second.logs().some((l) => l['msg'] === 'partitions assigned'), 60_000);
    const warning = second.logs().find((l) => String(l['msg']).startsWith(`settings changed since live run ${run!.run_id}`));
    expect(warning?.['changes']).toEqual(['ENGINE_INTERVALS: 1m → 5m']);
    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);
    const after = await groupRuns();
    expect(after.map((r) => [r.run_id, r.status, r.superseded_by])).toEqual([
      [run!.run_id, 'finished', after[1]?.run_id], [after[1]?.run_id, 'interrupted', null],
    ]);
  });

  it('keeps a run running while another engine of its group writes it, and interrupts it when the last one stops', async () => {
    const group = `runs-${randomUUID().slice(0, 8)}`;
    const status = async () => (await schema.sql<{ status: string }[]>`SELECT status FROM strategy_runs WHERE consumer_group = ${group}`).map((r) => r.status);
    const first = await runEngineUntilCaughtUp(group, {});
    const { env } = await engineEnvironment(services, { schema: schema.schema, prefix, group });
    const second = new ProgramProcess('engine/main.js', env);
    await waitFor('the second engine to join', () => second.logs().some((l) => l['msg'] === 'partitions assigned'), 60_000);
    first.signal('SIGTERM');
    expect(await first.exited).toBe(0);
    const [run] = await schema.sql<{ run_id: string }[]>`SELECT run_id FROM strategy_runs WHERE consumer_group = ${group}`;
    expect(first.logs().filter((l) => String(l['msg']).includes('goes on')).map((l) => l['msg']))
      .toEqual([`run ${run?.run_id} goes on: 1 other engine(s) of group ${group} still write it`]);
    expect(await status(), 'the second engine still writes it').toEqual(['running']);
    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(await status(), 'its last engine stopped').toEqual(['interrupted']);
  });
});
