import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { describeConnectError, ReachabilityLog } from './ReachabilityLog.js';

const URL = 'wss://advanced-trade-ws.coinbase.com';
const error = (code: string, message = '') => Object.assign(new Error(message), { code });

describe('ReachabilityLog', () => {
  it('warns once per state change, summarises every 5 minutes while unreachable, and says when a connection opens', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info', base: null, timestamp: false }, { write: (line: string) => { const l = JSON.parse(line) as { level: number; msg: string }; lines.push(`${l.level} ${l.msg}`); } });
    let now = Date.UTC(2026, 10, 30, 10, 0, 0);
    const log = new ReachabilityLog({ logger, url: URL, retryUpToMs: 30_000, summaryEveryMs: 300_000, nowMs: () => now });
    for (let s = 0; s <= 330; s += 30) {
      now = Date.UTC(2026, 10, 30, 10, 0, s);
      log.failed(error('ENOTFOUND', 'getaddrinfo ENOTFOUND advanced-trade-ws.coinbase.com'));
    }
    now += 30_000;
    log.failed(error('ECONNREFUSED'));
    now += 30_000;
    log.failed(error('ECONNREFUSED'));
    now += 5000;
    expect(log.unreachable).toBe(true);
    log.opened();
    log.opened();
    expect(log.unreachable).toBe(false);
    expect(lines).toEqual([
      '40 cannot reach Coinbase at wss://advanced-trade-ws.coinbase.com: DNS lookup failed for advanced-trade-ws.coinbase.com; retrying, at most 30 s apart',
      '40 still cannot reach Coinbase at wss://advanced-trade-ws.coinbase.com: DNS lookup failed for advanced-trade-ws.coinbase.com; 11 attempts in 5 min, since 2026-11-30T10:00:00.000Z',
      '40 cannot reach Coinbase at wss://advanced-trade-ws.coinbase.com: connection refused; retrying, at most 30 s apart',
      '30 reached Coinbase at wss://advanced-trade-ws.coinbase.com after 35 s unreachable (2 failed attempts)',
    ]);
  });

  it('describes the usual causes in plain words', () => {
    expect([
      error('EAI_AGAIN', 'getaddrinfo EAI_AGAIN x'), error('ECONNREFUSED'), error('ECONNRESET', 'read ECONNRESET'),
      new Error('Opening handshake has timed out'), error('ENETUNREACH', 'connect ENETUNREACH'),
      error('CERT_HAS_EXPIRED', 'certificate has expired'), new Error('Unexpected server response: 403'), new Error('socket hang up'),
    ].map((e) => describeConnectError(e, URL))).toEqual([
      'DNS lookup failed for advanced-trade-ws.coinbase.com', 'connection refused', 'connection reset', 'no answer (timed out)',
      'network unreachable', 'TLS handshake failed (certificate has expired)', 'the server answered HTTP 403 instead of opening a WebSocket', 'socket hang up',
    ]);
  });
});
