import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../logging/formatDuration.js';
import { IdleReporter } from './IdleReporter.js';

function reporter(partitions: number[]) {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info', base: null, timestamp: false }, { write: (line: string) => { lines.push(JSON.parse(line) as { level: number; msg: string }); } });
  let now = 1_000_000;
  const idle = new IdleReporter({ logger, topic: 'prices.normalized', group: 'strategy-engine', partitions: () => partitions, firstAfterMs: 30_000, everyMs: 300_000, nowMs: () => now });
  const at = (ms: number) => { now = 1_000_000 + ms; idle.check(); };
  return { idle, lines, at, messages: () => lines.map((l) => `${l.level} ${l.msg}`) };
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
    const { idle, at, messages } = reporter([]);
    at(45_000);
    idle.received(0);
    at(46_000);
    idle.received(3);
    at(60_000);
    at(75_999);
    at(76_000);
    idle.received(1);
    idle.received(1);
    expect(messages()).toEqual([
      '30 waiting for records on prices.normalized (no partition assigned yet, group strategy-engine): none since the engine started 45 s ago',
      '30 records arriving on prices.normalized again, after 46 s without',
      '30 waiting for records on prices.normalized (no partition assigned yet, group strategy-engine): none for 30 s',
      '30 records arriving on prices.normalized again, after 30 s without',
    ]);
  });

  it('formats durations as a person reads them', () => {
    expect([250, 30_999, 90_000, 119_999, 120_000, 7_199_000, 7_200_000, 7_500_000].map(formatDuration)).toEqual(['250 ms', '30 s', '90 s', '119 s', '2 min', '119 min', '2 h', '2 h 5 min']);
  });
});
