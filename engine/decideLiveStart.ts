import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { liveStartDecision, type GroupMember, type LiveStartDecision, type LiveStartInput } from './liveStartDecision.js';

/** The members of a consumer group that are alive: none when the group is `Empty` (no member) or `Dead` (no such group). */
export async function liveGroupMembers(admin: Pick<Admin, 'describeGroups'>, group: string): Promise<GroupMember[]> {
  const { groups } = await admin.describeGroups([group]);
  const described = groups.find((g) => g.groupId === group);
  if (described === undefined || described.state === 'Empty' || described.state === 'Dead') return [];
  return described.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost.replace(/^\//, '') }));
}

/**
 * {@link liveStartDecision} on the group's live members, from Kafka's group coordinator. A refusal is re-checked
 * every `everyMs` for `waitMs`: a member being stopped (a rolling restart with new settings) is listed until it
 * has left, and once it has, the engine supersedes the run instead. A member killed without leaving is listed
 * until its session times out: if any member is still listed after the wait, the start is refused.
 */
export async function decideLiveStart(
  admin: Pick<Admin, 'describeGroups'>, input: Omit<LiveStartInput, 'members'>, options: { everyMs: number; logger: Pick<Logger, 'info'> },
): Promise<LiveStartDecision> {
  const deadline = Date.now() + input.waitMs;
  for (let check = 1; ; check++) {
    const members = await liveGroupMembers(admin, input.group);
    const decision = liveStartDecision({ ...input, members });
    if (decision.kind !== 'refuse' || Date.now() >= deadline) return decision;
    if (check === 1) {
      options.logger.info({ group: input.group, members: members.map((m) => m.memberId) },
        `the group's live run has other settings and engines of the group are running: waiting up to ${input.waitMs / 1000} s for them to leave`);
    }
    await sleep(options.everyMs);
  }
}
