import { CompressionTypes } from 'kafkajs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConnectionGate } from '../kafka/ConnectionGate.js';
import { createKafka } from '../kafka/createKafka.js';
import { startMetricsServer } from '../metrics/startMetricsServer.js';
import { startProgram } from '../runtime/startProgram.js';
import { wallClockUs } from '../runtime/wallClockUs.js';
import { advancedTradeProtocol } from './coinbase/advancedTrade/advancedTradeProtocol.js';
import { exchangeProtocol } from './coinbase/exchange/exchangeProtocol.js';
import { MarketDataProducer } from './MarketDataProducer.js';

const PROTOCOLS = { 'advanced-trade': advancedTradeProtocol, exchange: exchangeProtocol } as const;
const COMPRESSION = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP } as const;

await startProgram('producer', async (config, logger, onStop) => {
  const protocol = PROTOCOLS[config.COINBASE_FEED];
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const server = await startMetricsServer(registry, config.METRICS_HOST, config.METRICS_PORT);
  onStop(() => server.close());
  logger.info({ port: server.port }, 'metrics on /metrics');
  // After the producer's disconnect, nothing reconnects (a send retrying in an outage would, lazily).
  const connections = new ConnectionGate();
  onStop(() => { connections.close(); return Promise.resolve(); });
  const producer = new MarketDataProducer({
    protocol,
    url: config.COINBASE_WS_URL === '' ? protocol.defaultUrl : config.COINBASE_WS_URL,
    productIds: config.COINBASE_PRODUCT_IDS,
    kafka: createKafka('producer', config.KAFKA_BROKERS, logger, { socketFactory: connections.socketFactory, stopping: () => connections.closed }),
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    compression: COMPRESSION[config.KAFKA_COMPRESSION],
    maxFrameBytes: config.COINBASE_MAX_FRAME_BYTES,
    stallTimeoutMs: config.COINBASE_STALL_TIMEOUT_MS,
    subscribeTimeoutMs: config.COINBASE_SUBSCRIBE_TIMEOUT_MS,
    resubscribeIntervalMs: config.COINBASE_RESUBSCRIBE_INTERVAL_MS,
    reconnectBaseMs: config.COINBASE_RECONNECT_BASE_MS,
    reconnectMaxMs: config.COINBASE_RECONNECT_MAX_MS,
    queueMaxBytes: config.PRODUCER_QUEUE_MAX_BYTES,
    dedupeWindow: config.PRODUCER_DEDUPE_WINDOW,
    registry,
    logger,
    nowUs: wallClockUs,
  });
  onStop(() => producer.stop(config.PRODUCER_SHUTDOWN_TIMEOUT_MS));
  await producer.start();
});
