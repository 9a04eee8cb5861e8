import { KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isCoordinatorNotFound } from './isCoordinatorNotFound.js';

/** kafkajs's classes as its code calls them (its typings declare fewer constructor arguments than its errors.js takes). */
const CoordinatorNotFound = KafkaJSGroupCoordinatorNotFound as unknown as new (message: string) => Error;
const NonRetriable = KafkaJSNonRetriableError as unknown as new (e: Error | string, options?: { cause?: Error }) => Error;

describe('isCoordinatorNotFound', () => {
  const notFound = new CoordinatorNotFound('Failed to find group coordinator');

  it('recognises kafkajs\'s error, bare and as the retrier wraps it (kafkajs retry/index.js: NonRetriableError caused by it)', () => {
    expect(isCoordinatorNotFound(notFound)).toBe(true);
    expect(isCoordinatorNotFound(new NonRetriable(notFound, { cause: notFound }))).toBe(true);
  });

  it('leaves every other crash fatal', () => {
    expect(isCoordinatorNotFound(new NonRetriable('Cannot subscribe to topic while consumer is running'))).toBe(false);
    expect(isCoordinatorNotFound(new KafkaJSProtocolError('Not authorized to access group'))).toBe(false);
    expect(isCoordinatorNotFound(new TypeError('a bug in a batch handler'))).toBe(false);
    expect(isCoordinatorNotFound(undefined)).toBe(false);
  });

  it('stops at a cyclic cause chain', () => {
    const cyclic: { name: string; cause?: unknown } = { name: 'KafkaJSNonRetriableError' };
    cyclic.cause = cyclic;
    expect(isCoordinatorNotFound(cyclic)).toBe(false);
  });
});
