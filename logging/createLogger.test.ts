import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './createLogger.js';
import { redactUrlPassword } from './redactSecrets.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('test', 'info', stream) };
}

describe('redactUrlPassword', () => {
  it('replaces only the password of every URL in a text', () => {
    expect(redactUrlPassword('a postgres://u:p%40ss@h/db and ws://x:y@h:1/ and http://h/no-creds'))
      .toBe('a postgres://u:****@h/db and ws://x:****@h:1/ and http://h/no-creds');
  });
});

describe('createLogger', () => {
  it('writes JSON lines with the program name', () => {
    const { lines, logger } = capture();
    logger.info({ a: 1 }, 'hello');
    expect(lines).toMatchObject([{ name: 'test', level: 30, a: 1, msg: 'hello' }]);
    expect(typeof lines[0]?.['time']).toBe('string');
  });

  it('censors secret keys and URL passwords in fields, messages and errors', () => {
    const { lines, logger } = capture();
    logger.info({ password: 'hunter2', nested: { secret: 'k', url: 'postgres://u:hunter2@h/d' } }, 'connecting to postgres://u:hunter2@h/d');
    logger.error({ err: new Error('connect failed: postgres://u:hunter2@h/d') }, 'failed');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter2');
    expect(lines[0]).toMatchObject({ password: '****', nested: { secret: '****', url: 'postgres://u:****@h/d' }, msg: 'connecting to postgres://u:****@h/d' });
    expect((lines[1]?.['err'] as { message: string }).message).toBe('connect failed: postgres://u:****@h/d');
  });
});
