import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { createTestSchema, type TestSchema } from '../testing/db/createTestSchema.js';
import { engineEnvironment } from '../testing/engine/engineEnvironment.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import type { TestServices } from '../testing/services/TestServices.js';
import { waitFor } from '../testing/waitFor.js';

const PARTITIONS = 6;
/**
 * How soon a stopped engine must have exited: its consumer's leave timeout (5 s, engine/main.ts), then final
 * checkpoints and the outbox relay (nothing pending here), with room for a loaded CI machine. Shorter than
 * the session timeout below, so that an engine waiting for a dead member's session to expire fails it.
 */
const EXIT_WITHIN_MS = 10_000;
const SESSION_TIMEOUT_MS = 15_000;

/** The log messages of an engine, in order. */
const messages = (e: ProgramProcess) => e.logs().map((l) => String(l['msg']));
/** Its latest assignment. */
const assigned = (e: ProgramProcess) => e.logs().filter((l) => l['msg'] === 'partitions assigned').at(-1)?.['partitions'] as number[] | undefined;
const tail = (e: ProgramProcess) => `${e.stdout.slice(-15).join('\n')}\n${e.stderr.slice(-15).join('\n')}`;

/** Signals the engine and resolves to its exit code and how long it took (ms); 'still running' after the limit. */
async function stopEngine(engine: ProgramProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null | 'still running'; ms: number }> {
  const from = Date.now();
  engine.signal(signal);
  const code = await Promise.race([engine.exited, sleep(EXIT_WITHIN_MS + 20_000, 'still running' as const)]);
  return { code, ms: Date.now() - from };
}

/** What the engine logged from the signal on: nothing may join the group after that. */
const afterStopping = (e: ProgramProcess) => messages(e).slice(messages(e).indexOf('engine stopping'));

describe('an engine stopped while its consumer group changes', () => {
  const services = inject('services');
  const kafka = createKafka('group-stop-test', services.kafkaBrokers, pino({ level: 'silent' }));
  const admin = kafka.admin();
  let schema: TestSchema;
  let prefix: string;
  const engines: ProgramProcess[] = [];

  beforeAll(async () => {
    await admin.connect();
    prefix = (await createTestTopics(kafka, PARTITIONS)).prefix;
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
  });

  afterEach(() => {
    for (const engine of engines.splice(0)) engine.signal('SIGKILL');
  });

  afterAll(async () => {
    await admin.disconnect();
    await schema.drop();
  });

  const start = async (group: string, on: TestServices = services, topicPrefix = prefix, schemaName = schema.schema) => {
    const { env } = await engineEnvironment(on, { schema: schemaName, prefix: topicPrefix, group, extra: { ENGINE_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) } });
    const engine = new ProgramProcess('engine/main.js', env);
    engines.push(engine);
    return engine;
  };
  const waitForAssignment = async (engine: ProgramProcess, what: string) => {
    await waitFor(what, () => assigned(engine)?.length === PARTITIONS, 90_000).catch((error: unknown) => { throw new Error(`${String(error)}\n${tail(engine)}`); });
  };
  const groupState = async (group: string) => (await admin.describeGroups([group])).groups[0]?.state;

  it('ends an engine stopped 4 s after it started, while the group waits for the session of an engine killed 1 s after it started', async () => {
    const group = `stop-${randomUUID().slice(0, 8)}`;
    const first = await start(group);
    await waitForAssignment(first, 'the first engine to own every partition');

    const second = await start(group);
    await sleep(1000);
    first.signal('SIGKILL');
    await sleep(4000);
    // On a loaded machine the second engine may still be starting: it is stopped once its join waits for the killed one.
    await waitFor('the group to wait for the killed engine', async () => (await groupState(group)) === 'PreparingRebalance', 30_000);
    const stop = await stopEngine(second);
    expect(stop.code, tail(second)).toBe(0);
    expect(stop.ms, 'it exits within its shutdown timeout').toBeLessThan(EXIT_WITHIN_MS);
    expect(afterStopping(second)).toContain('engine stopped');
    expect(afterStopping(second), 'nothing joined the group once stopping').not.toContain('partitions assigned');
    expect(assigned(second), 'it never got partitions').toBeUndefined();

    const third = await start(group);
    await waitForAssignment(third, 'an engine started afterwards to own every partition');
    expect((await stopEngine(third)).code).toBe(0);
  });

  it('ends an engine stopped at any point of its start-up, and the group then goes to the next engine', async () => {
    const group = `start-${randomUUID().slice(0, 8)}`;
    // A killed member keeps the group rebalancing for its session: every join below waits at the coordinator.
    const killed = await start(group);
    await waitForAssignment(killed, 'the first engine to own every partition');
    killed.signal('SIGKILL');
    await killed.exited;

    for (const [milestone, delayMs] of [['engine starting', 0], ['metrics on /metrics', 0], ['joining the consumer group', 0], ['joining the consumer group', 1000]] as const) {
      const engine = await start(group);
      await waitFor(`"${milestone}"`, () => messages(engine).includes(milestone), 60_000);
      await sleep(delayMs);
      const stop = await stopEngine(engine);
      expect(stop.code, `stopped at "${milestone}" + ${delayMs} ms\n${tail(engine)}`).toBe(0);
      expect(stop.ms, `stopped at "${milestone}" + ${delayMs} ms: it exits within its shutdown timeout`).toBeLessThan(EXIT_WITHIN_MS);
      expect(afterStopping(engine), `stopped at "${milestone}" + ${delayMs} ms: nothing joined once stopping`).not.toContain('partitions assigned');
    }

    const next = await start(group);
    await waitForAssignment(next, 'an engine started afterwards to own every partition');
    expect((await stopEngine(next)).code).toBe(0);
  });
});
