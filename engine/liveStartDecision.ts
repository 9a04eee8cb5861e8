/** A live member of a Kafka consumer group, as the group coordinator lists it. */
export interface GroupMember {
  readonly memberId: string;
  readonly clientId: string;
  /** The address the member connected from, without kafkajs's leading `/`. */
  readonly host: string;
}

export interface LiveStartInput {
  /** The engine's consumer group (`ENGINE_GROUP_ID`). */
  readonly group: string;
  /** The group's current live run and every setting of it that differs from this engine's (`settingsChanges`); null when the group has none. */
  readonly current: { readonly runId: string; readonly changes: readonly string[] } | null;
  /** The group's other live members: this engine has not joined yet. */
  readonly members: readonly GroupMember[];
  /** How long the engine waits for the members to leave before it refuses, as the refusal reports it. */
  readonly waitMs: number;
  /** `ENGINE_SESSION_TIMEOUT_MS`: how long a member killed without leaving stays listed. */
  readonly sessionTimeoutMs: number;
}

/**
 * - `continue`: nothing is superseded: the current run goes on (same settings), or the group's first run starts.
 * - `supersede`: the settings differ and no engine of the group is running: a new run replaces the current one.
 * - `refuse`: the settings differ and engines of the group are running: starting would supersede the run they
 *   write, fence them off, and their restart would supersede this engine's run in turn.
 */
export type LiveStartDecision =
  | { readonly kind: 'continue' }
  | { readonly kind: 'supersede' }
  | { readonly kind: 'refuse'; readonly message: string };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Whether a live engine may start, given its group's live run and live members. One group runs one set of
 * settings at a time: other settings may supersede the run only once every engine running it has gone, so
 * that of two engines of a group started with different settings the later is refused, instead of each
 * restart of either superseding the other's run. Equal settings with live members is a scale-out. The caller re-checks while the answer is `refuse`
 * for up to `waitMs` (an engine being stopped is still listed until it has left) and refuses then.
 */
export function liveStartDecision({ group, current, members, waitMs, sessionTimeoutMs }: LiveStartInput): LiveStartDecision {
  if (current === null || current.changes.length === 0) return { kind: 'continue' };
  if (members.length === 0) return { kind: 'supersede' };
  const listed = [...members]
    .sort((a, b) => a.host.localeCompare(b.host) || a.memberId.localeCompare(b.memberId))
    .map((m) => `${m.clientId} on ${m.host} (member ${m.memberId})`);
  return {
    kind: 'refuse',
    message: `refusing to start: live run ${current.runId} of consumer group ${group} has other settings (${current.changes.join('; ')}) ` +
      `and the group still has ${plural(members.length, 'live member')} after ${waitMs / 1000} s: ${listed.join(', ')}. ` +
      'Starting would supersede the run those engines are writing. ' +
      'Stop the group\'s other engines first (this engine then starts a new run with its settings), or give this engine another ENGINE_GROUP_ID. ' +
      `An engine killed without leaving the group stays listed until its session times out (ENGINE_SESSION_TIMEOUT_MS, ${sessionTimeoutMs / 1000} s): ` +
      'if none of these runs any more, start again after that.',
  };
}
