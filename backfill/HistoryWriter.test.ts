import type { Producer, ProducerBatch } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { TradeEvent } from '../wire/MarketEvent.js';
import { topicNames } from '../wire/topics.js';
import { HistoryWriter } from './HistoryWriter.js';

const trade = (productId: string, id: number): TradeEvent => ({
  type: 'trade', v: 1, source: 'coinbase-exchange', productId, exchangeTimeUs: id * 1000, receivedAtUs: 0, tradeId: String(id), price: '1', size: '1', side: 'buy', snapshot: false,
});

/** A producer whose sends resolve when the test says, recording each request. */
function fakeProducer(failAt: number | null = null) {
  const sent: ProducerBatch[] = [];
  const producer = {
    sendBatch: async (batch: ProducerBatch) => {
      sent.push(batch);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (sent.length === failAt) throw new Error('broker gone');
      return [];
    },
  } as unknown as Producer;
  return { producer, sent };
}

describe('HistoryWriter', () => {
  it('sends writes in call order, one request at a time, grouping the writes that wait together', async () => {
    const { producer, sent } = fakeProducer();
    const writer = new HistoryWriter({ producer, topics: topicNames('t.'), compression: 'none', runId: 'r' });
    writer.write([trade('BTC-USD', 1), trade('BTC-USD', 2)], [], 0, 'o');
    writer.write([trade('ETH-USD', 1)], [{ reason: 'duplicate', detail: 'd', payload: 'p' }], 0, 'o');
    writer.write([trade('BTC-USD', 3)], [], 0, 'o');
    await writer.flush();
    const show = (topic: string, m: { key?: unknown; value: unknown; headers?: unknown }) => (topic.endsWith('dlq')
      ? `${String(m.key)}:${String((m.headers as Record<string, string>)['reason'])}:${String(m.value)}`
      : `${String(m.key)}:${(JSON.parse(String(m.value)) as TradeEvent).tradeId}`);
    expect(sent.map((b) => b.topicMessages?.map((t) => [t.topic, t.messages.map((m) => show(t.topic, m))])))
      .toEqual([
        [['t.prices.history', ['BTC-USD:1', 'BTC-USD:2']]],
        [['t.prices.history', ['ETH-USD:1', 'BTC-USD:3']], ['t.prices.dlq', ['o:duplicate:p']]],
      ]);
    expect([writer.events, writer.deadLetters]).toEqual([4, 1]);
    expect(sent[0]!.acks, 'acknowledged by all in-sync replicas').toBe(-1);
  });

  it('sends nothing after a failed request, and reports the failure', async () => {
    const { producer, sent } = fakeProducer(1);
    const writer = new HistoryWriter({ producer, topics: topicNames(''), compression: 'none', runId: 'r' });
    writer.write([trade('BTC-USD', 1)], [], 0, 'o');
    writer.write([trade('BTC-USD', 2)], [], 0, 'o');
    await expect(writer.flush()).rejects.toThrow('broker gone');
    expect(sent).toHaveLength(1);
    expect(() => { writer.write([trade('BTC-USD', 3)], [], 0, 'o'); }).toThrow('broker gone');
  });
});
