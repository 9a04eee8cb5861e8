import { describe, expect, it } from 'vitest';
import { liveStartDecision, type GroupMember } from './liveStartDecision.js';

const member = (memberId: string, host: string): GroupMember => ({ memberId, clientId: 'engine', host });
const changed = { runId: 'live-2', changes: ['ENGINE_INTERVALS: 1m → 1m,5m', 'ENGINE_FEE_BPS: 10 → 5'] };

describe('liveStartDecision', () => {
  it('continues the run with its settings, alone or beside running engines (scale-out)', () => {
    const same = { runId: 'live-2', changes: [] };
    expect(liveStartDecision({ group: 'g', current: same, members: [], waitMs: 10_000, sessionTimeoutMs: 30_000 })).toEqual({ kind: 'continue' });
    expect(liveStartDecision({ group: 'g', current: same, members: [member('engine-a', '10.0.0.1')], waitMs: 10_000, sessionTimeoutMs: 30_000 })).toEqual({ kind: 'continue' });
  });

  it('starts the group\'s first run whatever runs in the group', () => {
    expect(liveStartDecision({ group: 'g', current: null, members: [member('engine-a', '10.0.0.1')], waitMs: 10_000, sessionTimeoutMs: 30_000 })).toEqual({ kind: 'continue' });
  });

  it('supersedes a run with other settings once no engine of the group is running', () => {
    expect(liveStartDecision({ group: 'g', current: changed, members: [], waitMs: 10_000, sessionTimeoutMs: 30_000 })).toEqual({ kind: 'supersede' });
  });

  it('refuses other settings while an engine of the group runs, naming each change, the group, the member and what to do', () => {
    expect(liveStartDecision({ group: 'strategy-engine', current: changed, members: [member('engine-7f3c', '10.0.0.1')], waitMs: 10_000, sessionTimeoutMs: 30_000 })).toEqual({
      kind: 'refuse',
      message: 'refusing to start: live run live-2 of consumer group strategy-engine has other settings (ENGINE_INTERVALS: 1m → 1m,5m; ENGINE_FEE_BPS: 10 → 5) ' +
        'and the group still has 1 live member after 10 s: engine on 10.0.0.1 (member engine-7f3c). ' +
        'Starting would supersede the run those engines are writing. ' +
        'Stop the group\'s other engines first (this engine then starts a new run with its settings), or give this engine another ENGINE_GROUP_ID. ' +
        'An engine killed without leaving the group stays listed until its session times out (ENGINE_SESSION_TIMEOUT_MS, 30 s): ' +
        'if none of these runs any more, start again after that.',
    });
  });

  it('lists several members by host, then member id', () => {
    const decision = liveStartDecision({
      group: 'g', current: { runId: 'live', changes: ['ENGINE_FILL_PRICE: trade → quote'] }, waitMs: 2500, sessionTimeoutMs: 6000,
      members: [member('engine-b', '10.0.0.2'), member('engine-z', '10.0.0.1'), member('engine-a', '10.0.0.2')],
    });
    expect(decision.kind === 'refuse' ? decision.message : decision.kind).toBe(
      'refusing to start: live run live of consumer group g has other settings (ENGINE_FILL_PRICE: trade → quote) ' +
      'and the group still has 3 live members after 2.5 s: ' +
      'engine on 10.0.0.1 (member engine-z), engine on 10.0.0.2 (member engine-a), engine on 10.0.0.2 (member engine-b). ' +
      'Starting would supersede the run those engines are writing. ' +
      'Stop the group\'s other engines first (this engine then starts a new run with its settings), or give this engine another ENGINE_GROUP_ID. ' +
      'An engine killed without leaving the group stays listed until its session times out (ENGINE_SESSION_TIMEOUT_MS, 6 s): ' +
      'if none of these runs any more, start again after that.',
    );
  });
});
