import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../logging/formatDuration.js';
import { type Backlog, IdleReporter } from './IdleReporter.js';

const START_MS = Date.parse('2026-01-02T03:00:00.000Z');

function reporter(partitions: number[]) {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info', base: null, timestamp: false }, { write: (line: string) => { lines.push(JSON.parse(line) as { level: number; msg: string }); } });
  let now = START_MS;
  let backlog: Backlog = { waitingRecords: 0, databaseFailure: null };
  const idle = new IdleReporter({
    logger, topic: 'prices.normalized', group: 'strategy-engine', partitions: () => partitions, backlog: () => backlog,
    firstAfterMs: 30_000, everyMs: 300_000, nowMs: () => now,
  });
  const at = (ms: number) => { now = START_MS + ms; idle.check(); };
  const set = (b: Backlog) => { backlog = b; };
  return { idle, lines, at, set, messages: () => lines.map((l) => `${l.level} ${l.msg}`) };
}

describe('IdleReporter', () => {
  it('says once, at info, that the engine is waiting and on what, then every 5 minutes while idle', () => {
    const { at, messages } = reporter([2, 0, 1]);
    at(29_999);
    expect(messages(), 'quiet before 30 s').toEqual([]);
    at(30_000);
    at(31_000);
    at(329_000);
    at(330_000);
    at(630_000);
    expect(messages()).toEqual([
      '30 waiting for records on prices.normalized (partitions 0, 1, 2, group strategy-engine): none since the engine started 30 s ago',
      '30 waiting for records on prices.normalized (partitions 0, 1, 2, group strategy-engine): none since the engine started 5 min ago',
      '30 waiting for records on prices.normalized (partitions 0, 1, 2, group strategy-engine): none since the engine started 10 min ago',
    ]);
  });

  it('says when no partition is assigned, when records arrive again, and counts idleness from the last record', () => {
    const { idle, at, set, messages } = reporter([]);
    set({ waitingRecords: null, databaseFailure: null });
    at(45_000);
    idle.received(0);
    at(46_000);
    idle.received(3);
    at(60_000);
    at(75_999);
    at(76_000);
    idle.received(1);
    idle.received(1);
    expect(messages(), 'a lag not known yet is no reason to call the engine paused').toEqual([
      '30 waiting for records on prices.normalized (no partition assigned yet, group strategy-engine): none since the engine started 45 s ago',
      '30 records arriving on prices.normalized again, after 46 s without',
      '30 waiting for records on prices.normalized (no partition assigned yet, group strategy-engine): none for 30 s',
      '30 records arriving on prices.normalized again, after 30 s without',
    ]);
  });

  it('says, at warn, that consumption is paused on the database, with since when, why and what waits, then that it resumed', () => {
    const { idle, at, set, messages } = reporter([0, 1]);
    idle.received(5);
    set({ waitingRecords: 1438, databaseFailure: { sinceMs: START_MS + 2_000, error: 'connect ECONNREFUSED 127.0.0.1:5432' } });
    at(30_000);
    set({ waitingRecords: 90_210, databaseFailure: { sinceMs: START_MS + 2_000, error: 'Connection terminated unexpectedly' } });
    at(330_000);
    set({ waitingRecords: 90_500, databaseFailure: null });
    at(400_000);
    idle.received(500);
    expect(messages()).toEqual([
      '40 consumption paused on prices.normalized (partitions 0, 1, group strategy-engine): checkpoints failing since 2026-01-02T03:00:02.000Z (connect ECONNREFUSED 127.0.0.1:5432); 1438 records waiting',
      '40 consumption paused on prices.normalized (partitions 0, 1, group strategy-engine): checkpoints failing since 2026-01-02T03:00:02.000Z (Connection terminated unexpectedly); 90210 records waiting',
      '30 records arriving on prices.normalized again: consumption resumed once the database came back, after 6 min paused',
    ]);
  });

  it('says, at warn, that records wait in Kafka while none is delivered, then that consumption resumed', () => {
    const { idle, at, set, messages } = reporter([2]);
    set({ waitingRecords: 1, databaseFailure: null });
    at(30_000);
    idle.received(1);
    set({ waitingRecords: 1794, databaseFailure: null });
    at(60_000);
    idle.received(100);
    expect(messages()).toEqual([
      '40 consumption paused on prices.normalized (partition 2, group strategy-engine): 1 record waiting, none delivered since the engine started 30 s ago',
      '30 records arriving on prices.normalized again: consumption resumed after 30 s paused with records waiting',
      '40 consumption paused on prices.normalized (partition 2, group strategy-engine): 1794 records waiting, none delivered for 30 s',
      '30 records arriving on prices.normalized again: consumption resumed after 30 s paused with records waiting',
    ]);
  });

  it('formats durations as a person reads them', () => {
    expect([250, 30_999, 90_000, 119_999, 120_000, 7_199_000, 7_200_000, 7_500_000].map(formatDuration)).toEqual(['250 ms', '30 s', '90 s', '119 s', '2 min', '119 min', '2 h', '2 h 5 min']);
  });
});
