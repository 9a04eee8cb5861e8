import { KafkaJSAggregateError, KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isRetriable, isTopicAlreadyExists } from './isRetriable.js';

/** A protocol error as kafkajs builds it from a broker's error code (src/protocol/error.js). */
const protocolError = (type: string, retriable: boolean, message: string): KafkaJSProtocolError =>
  new KafkaJSProtocolError(Object.assign(new Error(message), { type, retriable }));

const notLeader = protocolError('NOT_LEADER_FOR_PARTITION', true, 'This server is not the leader for that topic-partition');
const alreadyExists = protocolError('TOPIC_ALREADY_EXISTS', false, 'Topic with this name already exists');
const invalidConfig = protocolError('INVALID_CONFIG', false, 'Configuration is invalid');

describe('isRetriable', () => {
  it('follows the retriable mark kafkajs puts on its errors', () => {
    expect(isRetriable(notLeader)).toBe(true);
    expect(isRetriable(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(true);
    expect(isRetriable(invalidConfig)).toBe(false);
    expect(isRetriable(new Error('plain'))).toBe(false);
    expect(isRetriable(null)).toBe(false);
  });

  it('looks through kafkajs\'s own retries running out to the error that made them', () => {
    expect(isRetriable(new KafkaJSNumberOfRetriesExceeded(notLeader, { retryCount: 8, retryTime: 5000 })), 'kafkajs marks it non-retriable').toBe(true);
    expect(isRetriable(new KafkaJSNumberOfRetriesExceeded(invalidConfig, { retryCount: 0, retryTime: 100 }))).toBe(false);
  });

  it('retries a createTopics whose topics each failed retriably or already exist (a concurrent creator)', () => {
    expect(isRetriable(new KafkaJSAggregateError('Topic creation errors', [alreadyExists, notLeader]))).toBe(true);
    expect(isRetriable(new KafkaJSAggregateError('Topic creation errors', [alreadyExists, invalidConfig]))).toBe(false);
    expect(isRetriable(new KafkaJSAggregateError('Topic creation errors', []))).toBe(false);
    expect(isTopicAlreadyExists(alreadyExists)).toBe(true);
  });
});
