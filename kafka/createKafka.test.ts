import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLevel } from './createKafka.js';

describe('kafkaLogLevel', () => {
  it('keeps the transient errors of a starting broker, which kafkajs retries, out of the error log', () => {
    const loading = 'The coordinator is loading and hence can\'t process requests for this group';
    expect(kafkaLogLevel(logLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)', { error: loading }, false)).toBe('debug');
    expect(kafkaLogLevel(logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', { error: 'This server is not the leader for that topic-partition' }, false)).toBe('debug');
    expect(kafkaLogLevel(logLevel.ERROR, loading, {}, false)).toBe('warn');
  });

  it('leaves other errors as kafkajs rates them, and everything at debug once the program stops', () => {
    expect(kafkaLogLevel(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', { error: 'Broker: Topic authorization failed' }, false)).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded: The coordinator is loading', {}, false)).toBe('error');
    expect(kafkaLogLevel(logLevel.WARN, 'The group is rebalancing, re-joining', {}, false)).toBe('warn');
    expect(kafkaLogLevel(logLevel.ERROR, 'Connection error: read ECONNRESET', {}, true)).toBe('debug');
  });
});
