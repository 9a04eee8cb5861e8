import type { Admin, GroupDescription, GroupDescriptions } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decideLiveStart } from './decideLiveStart.js';

const member = (memberId: string) => ({ memberId, clientId: 'engine', clientHost: '/10.0.0.1', memberAssignment: Buffer.alloc(0), memberMetadata: Buffer.alloc(0) });
const group = (state: GroupDescription['state'], memberIds: string[]): GroupDescriptions =>
  ({ groups: [{ groupId: 'g', state, members: memberIds.map(member), protocol: '', protocolType: 'consumer' }] });

/** An admin whose group descriptions are these, one per call, the last repeated. */
function admin(descriptions: GroupDescriptions[]): Pick<Admin, 'describeGroups'> & { calls: number } {
  const fake = {
    calls: 0,
    describeGroups: () => Promise.resolve(descriptions[Math.min(fake.calls++, descriptions.length - 1)]!),
  };
  return fake;
}

const changed = { runId: 'live', changes: ['ENGINE_INTERVALS: 1m → 5m'] };
const options = { everyMs: 10, logger: { info: () => undefined } };

describe('decideLiveStart', () => {
  it('counts no member in an Empty or Dead group, and asks once when nothing is refused', async () => {
    for (const state of ['Empty', 'Dead'] as const) {
      const kafka = admin([group(state, ['engine-a'])]);
      expect(await decideLiveStart(kafka, { group: 'g', current: changed, waitMs: 1000, sessionTimeoutMs: 30_000 }, options)).toEqual({ kind: 'supersede' });
      expect(kafka.calls).toBe(1);
    }
  });

  it('supersedes once the members of a rolling restart have left', async () => {
    const kafka = admin([group('Stable', ['engine-a']), group('PreparingRebalance', ['engine-a']), group('Empty', [])]);
    expect(await decideLiveStart(kafka, { group: 'g', current: changed, waitMs: 5000, sessionTimeoutMs: 30_000 }, options)).toEqual({ kind: 'supersede' });
    expect(kafka.calls).toBe(3);
  });

  it('refuses when a member is still there after the wait, naming it without kafkajs\'s leading slash', async () => {
    const kafka = admin([group('Stable', ['engine-a'])]);
    const decision = await decideLiveStart(kafka, { group: 'g', current: changed, waitMs: 100, sessionTimeoutMs: 30_000 }, options);
    expect(decision.kind === 'refuse' ? decision.message : decision.kind).toContain('still has 1 live member after 0.1 s: engine on 10.0.0.1 (member engine-a).');
    expect(kafka.calls, 'it re-checked during the wait').toBeGreaterThan(2);
  });
});
