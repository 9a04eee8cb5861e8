import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EngineSettings } from '../engine/core/EngineSettings.js';
import { paramsKey } from '../strategies/paramsKey.js';
import { parseStrategyParams } from '../strategies/parseStrategyParams.js';
import { builtinStrategy } from '../strategies/registry.js';
import { createKafka } from '../kafka/createKafka.js';
import { topicNames } from '../wire/topics.js';
import { createTestSchema, type TestSchema } from '../testing/db/createTestSchema.js';
import { engineEnvironment } from '../testing/engine/engineEnvironment.js';
import { publishEvents } from '../testing/engine/publishEvents.js';
import { expectedResultTables, readResultTables, type ResultTables, type Row } from '../testing/engine/resultTables.js';
import { syntheticMarket } from '../testing/engine/syntheticMarket.js';
import { waitForEngineToCatchUp } from '../testing/engine/waitForEngine.js';
import { readTopic } from '../testing/kafka/readTopic.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';

const TABLES = ['bars', 'signals', 'trades', 'strategy_metrics'] as const;

/** The rows of one run, without their run id, in key order. */
function rowsOf(tables: ResultTables, runId: string): Record<(typeof TABLES)[number], Row[]> {
  const pick = (rows: Row[]) => rows.filter((r) => r['run_id'] === runId).map(({ run_id: _run, ...rest }) => rest);
  return { bars: pick(tables.bars), signals: pick(tables.signals), trades: pick(tables.trades), strategy_metrics: pick(tables.strategy_metrics) };
}

async function runCli(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { LOG_LEVEL: _level, ...quiet } = env;
  const cli = new ProgramProcess('replay/main.js', quiet, args);
  const code = await cli.exited;
  return { code, stdout: cli.stdout.join('\n'), stderr: cli.stderr.join('\n') };
}

describe('replay', () => {
  const services = inject('services');
  const kafka = createKafka('replay-test', services.kafkaBrokers, pino({ level: 'silent' }));
  let schema: TestSchema;
  let prefix: string;
  let env: Record<string, string>;
  let settings: EngineSettings;
  let group: string;

  beforeAll(async () => {
    prefix = (await createTestTopics(kafka, 3)).prefix;
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
    group = `live-${randomUUID().slice(0, 8)}`;
    ({ env, settings } = await engineEnvironment(services, { schema: schema.schema, prefix, group }));
    const market = syntheticMarket({ products: ['BTC-USD', 'ETH-USD', 'SOL-USD', 'ADA-USD'], minutes: 150, startUs: Date.UTC(2026, 10, 20) * 1000, seed: 11 });
    await publishEvents(kafka, topicNames(prefix).normalized, [...market, { raw: '{"not":"an event"}', key: 'BTC-USD' }]);
    const live = new ProgramProcess('engine/main.js', env);
    await waitForEngineToCatchUp(kafka, schema.sql, group, topicNames(prefix).normalized);
    live.signal('SIGTERM');
    expect(await live.exited).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await schema.drop();
  });

  it('reproduces the live run over the same offsets, row for row, without touching the live group or topics', async () => {
    const topics = topicNames(prefix);
    const offsetsBefore = await schema.sql`SELECT partition, next_offset, version FROM engine_offsets WHERE consumer_group = ${group} ORDER BY partition`;
    const decisionsBefore = (await readTopic(kafka, topics.decisions)).length;

    // Asked for three engine threads; the product filter below runs on one.
    const { code, stdout, stderr } = await runCli(env, ['--json', '--label', 'same offsets', '--workers', '3']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as { runId: string; status: string; records: number; workers: number; ranges: { partition: number; start: string; end: string }[] };
    // At most one per partition holding records (the four products hash to two or three of them).
    const holding = report.ranges.filter((r) => r.end !== r.start).length;
    expect(holding).toBeGreaterThanOrEqual(2);
    expect(report.workers).toBe(holding);
    const admin = kafka.admin();
    await admin.connect();
    const ends = (await admin.fetchTopicOffsets(topics.normalized)).map((p) => ({ partition: p.partition, start: '0', end: p.high }));
    await admin.disconnect();
    expect(report.status).toBe('finished');
    expect(report.ranges).toEqual(ends.sort((a, b) => a.partition - b.partition));
    expect(report.records).toBe(ends.reduce((n, p) => n + Number(p.end), 0));

    const tables = await readResultTables(schema.sql);
    const live = rowsOf(tables, 'live');
    const replayed = rowsOf(tables, report.runId);
    expect(live.strategy_metrics.length).toBeGreaterThan(1000);
    expect(live.signals.length).toBeGreaterThan(0);
    for (const table of TABLES) expect(replayed[table], table).toEqual(live[table]);

    const [run] = await schema.sql<{ kind: string; label: string; status: string; summary: { records: number; results: unknown[] } }[]>`
      SELECT kind, label, status, summary FROM strategy_runs WHERE run_id = ${report.runId}`;
    expect([run?.kind, run?.label, run?.status, run?.summary.records]).toEqual(['replay', 'same offsets', 'finished', report.records]);
    expect(run?.summary.results.length, 'a result per instance: 2 strategies × 4 products × 2 intervals').toBe(16);
    expect(await schema.sql`SELECT partition, next_offset, version FROM engine_offsets WHERE consumer_group = ${group} ORDER BY partition`).toEqual(offsetsBefore);
    expect(await schema.sql`SELECT consumer_group FROM engine_offsets WHERE consumer_group LIKE ${`${report.runId}%`}`, 'its workers\' checkpoints are gone').toEqual([]);
    expect(await schema.sql`SELECT consumer_group FROM engine_state WHERE consumer_group LIKE ${`${report.runId}%`}`, 'its workers\' product states are gone').toEqual([]);
    await admin.connect();
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    await admin.disconnect();
    expect(groups.filter((g) => g.startsWith(report.runId)), 'its workers\' consumer groups are deleted').toEqual([]);
    expect((await readTopic(kafka, topics.decisions)).length, 'nothing published to the live topics').toBe(decisionsBefore);

    // A product filter over the same offsets gives that product's live rows exactly, though it shares its
    // partition with others (their records still move the watermark, as they did live).
    const filtered = await runCli(env, ['--json', '--products', 'BTC-USD', '--workers', '1']);
    expect(filtered.code, filtered.stderr).toBe(0);
    const { runId: filteredRun, workers } = JSON.parse(filtered.stdout) as { runId: string; workers: number };
    expect(workers).toBe(1);
    const btc = <T extends { product_id?: unknown }>(rows: readonly T[]) => rows.filter((r) => r.product_id === 'BTC-USD');
    const again = rowsOf(await readResultTables(schema.sql), filteredRun);
    expect(again.bars.length).toBeGreaterThan(100);
    for (const table of TABLES) expect(again[table], `--products BTC-USD ${table}`).toEqual(btc(live[table]));

    const listed = await runCli(env, ['--list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${report.runId}  replay  finished`);
    const shown = await runCli(env, ['--show', report.runId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout.split('\n')[0]).toBe(`run ${report.runId} (replay) finished: same offsets`);
  }, 120_000);

  it('sweeps a grid in one pass: each valid combination is its own run, equal to the engine with those parameters', async () => {
    const { code, stdout, stderr } = await runCli(env, ['--strategy', 'sma_cross', '--grid', 'fast=3|8,slow=5|8', '--rank-by', 'return', '--json']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as { runId: string; skipped: { combination: unknown; problems: string[] }[]; results: { runId: string; cumulativeReturn: number }[] };
    expect(report.skipped).toEqual([
      { combination: { fast: 8, slow: 5 }, problems: ['Invalid parameters for strategy sma_cross: fast (8) must be less than slow (5)'] },
      { combination: { fast: 8, slow: 8 }, problems: ['Invalid parameters for strategy sma_cross: fast (8) must be less than slow (8)'] },
    ]);
    expect(new Set(report.results.map((r) => r.runId))).toEqual(new Set([`${report.runId}.1`, `${report.runId}.2`]));
    const returns = report.results.map((r) => r.cumulativeReturn);
    expect(returns, 'ranked by return').toEqual([...returns].sort((a, b) => b - a));

    const tables = await readResultTables(schema.sql);
    for (const [run, params] of [[`${report.runId}.1`, { fast: 3, slow: 5 }], [`${report.runId}.2`, { fast: 3, slow: 8 }]] as const) {
      const plugin = builtinStrategy('sma_cross');
      const parsed = parseStrategyParams(plugin, params) as Record<string, unknown>;
      const expected = await expectedResultTables(kafka, prefix, { ...settings, runId: run, strategies: [{ plugin, params: parsed, paramsKey: paramsKey(parsed) }] });
      const mine = rowsOf(tables, run);
      for (const table of ['signals', 'trades', 'strategy_metrics'] as const) expect(mine[table], `${run} ${table}`).toEqual(rowsOf(expected, run)[table]);
      expect(mine.strategy_metrics.length).toBeGreaterThan(500);
    }
    expect(rowsOf(tables, report.runId).bars, 'the sweep\'s bars, once').toEqual(rowsOf(tables, 'live').bars);
  }, 120_000);

  it('resolves a time range to offsets per partition, computes only the products asked for, and paces without changing results', async () => {
    const fromMs = Date.UTC(2026, 10, 20, 0, 30);
    const toMs = Date.UTC(2026, 10, 20, 1, 30);
    const records = await readTopic(kafka, topicNames(prefix).normalized);
    const partitions = [0, 1, 2];
    const firstAtOrAfter = (partition: number, ms: number) => {
      const mine = records.filter((r) => r.partition === partition);
      return String(mine.find((r) => r.timestampMs >= ms)?.offset ?? mine.length);
    };
    const expectedRanges = partitions.map((partition) => ({ partition, start: firstAtOrAfter(partition, fromMs), end: firstAtOrAfter(partition, toMs) }));
    // Offsets, not times, bound the run: a late record sits among later ones.
    const inRange = (r: (typeof records)[number]) => expectedRanges.some((x) => x.partition === r.partition && r.offset >= Number(x.start) && r.offset < Number(x.end));
    // Every record of the range is read (the others move the watermark); only BTC-USD is computed.
    const expectedRecords = records.filter((r) => inRange(r)).length;

    const runs = [];
    for (const speed of ['max', '7200x']) {
      const { code, stdout, stderr } = await runCli(env, ['--from', new Date(fromMs).toISOString(), '--to', String(toMs), '--products', 'BTC-USD', '--speed', speed, '--json']);
      expect(code, stderr).toBe(0);
      const report = JSON.parse(stdout) as { runId: string; records: number; ranges: unknown; results: { productId: string }[] };
      expect(report.ranges).toEqual(expectedRanges);
      expect(report.records).toBe(expectedRecords);
      expect(new Set(report.results.map((r) => r.productId))).toEqual(new Set(['BTC-USD']));
      runs.push(report.runId);
    }
    const tables = await readResultTables(schema.sql);
    const [fast, paced] = runs.map((run) => rowsOf(tables, run));
    expect(fast?.strategy_metrics.length).toBeGreaterThan(100);
    for (const table of TABLES) expect(paced?.[table], `paced ${table}`).toEqual(fast?.[table]);
  }, 120_000);

  it('on Ctrl-C commits what it read, marks the run interrupted and exits with status 2', async () => {
    const { LOG_LEVEL: _level, ...quiet } = env;
    // Paced at real time: 150 minutes of event time would take 150 minutes.
    const cli = new ProgramProcess('replay/main.js', quiet, ['--speed', '1x', '--json']);
    // Its first checkpoint (every 200 ms here) says it has read something.
    await waitFor('the replay to read', async () => (await schema.sql`SELECT 1 FROM engine_offsets WHERE consumer_group LIKE 'replay-%'`).length > 0);
    cli.signal('SIGINT');
    expect(await cli.exited, cli.stderr.join('\n')).toBe(2);
    const report = JSON.parse(cli.stdout.join('\n')) as { runId: string; status: string; records: number };
    expect(report.status).toBe('interrupted');
    const [run] = await schema.sql<{ status: string; summary: { records: number } }[]>`SELECT status, summary FROM strategy_runs WHERE run_id = ${report.runId}`;
    expect([run?.status, run?.summary.records]).toEqual(['interrupted', report.records]);
    expect(report.records).toBeGreaterThan(0);
    expect(await schema.sql`SELECT * FROM engine_offsets WHERE consumer_group = ${report.runId}`).toEqual([]);
  });

  it('refuses a range the topic cannot serve and an unknown run, with exit status 64', async () => {
    const badRange = await runCli(env, ['--from', '0:0,9:0']);
    expect(badRange.code).toBe(64);
    expect(badRange.stderr).toContain('replay: --from: the topic has no partition 9 (it has 0, 1, 2)');
    const unknown = await runCli(env, ['--show', 'replay-nope']);
    expect([unknown.code, unknown.stderr]).toEqual([64, 'replay: no run "replay-nope" (replay --list shows them)']);
  });
});
