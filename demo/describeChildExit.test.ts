import { describe, expect, it } from 'vitest';
import { describeChildExit } from './describeChildExit.js';

const log = (level: number, msg: string, extra: Record<string, unknown> = {}) => JSON.stringify({ level, time: 1, program: 'engine', msg, ...extra });

describe('describeChildExit', () => {
  it('gives the exit code and the last error and fatal log lines, with the error\'s own message', () => {
    const tail = [
      log(30, 'engine starting'),
      log(50, 'database query failed', { err: { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:15432', stack: '…' } }),
      log(40, 'retrying'),
      log(60, 'engine failed to start', { err: { type: 'PostgresError', message: 'relation "bars" does not exist' } }),
      log(30, 'engine stopped'),
    ];
    expect(describeChildExit({ name: 'engine', status: 1, signal: null, tail, logPath: '.demo/demo/engine.log' })).toBe([
      'the engine stopped unexpectedly (exit code 1); its log: .demo/demo/engine.log',
      'its last errors:',
      '  error: database query failed: connect ECONNREFUSED 127.0.0.1:15432',
      '  fatal: engine failed to start: relation "bars" does not exist',
    ].join('\n'));
  });

  it('names the signal that killed it, and keeps only the last few errors', () => {
    const tail = [1, 2, 3, 4].map((n) => log(50, `failure ${n}`));
    expect(describeChildExit({ name: 'producer', status: 137, signal: 'SIGKILL', tail, logPath: 'p.log' }, 2)).toBe([
      'the producer stopped unexpectedly (killed by SIGKILL); its log: p.log',
      'its last errors:',
      '  error: failure 3',
      '  error: failure 4',
    ].join('\n'));
  });

  it('shows its last lines as they are when it logged no error (an uncaught crash prints a stack trace)', () => {
    const tail = [log(30, 'producer starting'), 'file:///x/dist/producer/main.js:3', 'TypeError: boom', '    at main (file:///x/dist/producer/main.js:3:9)', ''];
    expect(describeChildExit({ name: 'producer', status: 1, signal: null, tail, logPath: 'p.log' })).toBe([
      'the producer stopped unexpectedly (exit code 1); its log: p.log',
      'it logged no error; its last lines:',
      '  file:///x/dist/producer/main.js:3',
      '  TypeError: boom',
      '      at main (file:///x/dist/producer/main.js:3:9)',
    ].join('\n'));
    expect(describeChildExit({ name: 'engine', status: 1, signal: null, tail: [], logPath: 'e.log' }))
      .toBe('the engine stopped unexpectedly (exit code 1); its log: e.log; it wrote nothing');
  });
});
