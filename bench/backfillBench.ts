import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { TRADE_CSV_HEADER } from '../backfill/core/parseTradeCsv.js';
import { createKafka } from '../kafka/createKafka.js';
import { CoinbaseRestServer, formatCents, formatSats, generateTrades } from '../testing/coinbase/CoinbaseRestServer.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { PROJECT_ROOT } from '../testing/services/localServices.js';
import { resolveServices } from '../testing/services/resolveServices.js';

/**
 * `make bench` (backfill), against the local Coinbase REST server and real Kafka:
 * 1. politeness: 1-minute candles of 4 products over 7 days at the default rate limit (10 requests/s, burst
 *    10) from a server that itself refuses more than Coinbase's documented 10/s with bursts of 15: the
 *    requests/s achieved, and the 429s met (goal: none);
 * 2. throughput: 1-minute candles of 10 products over 30 days with the limit lifted, and a 500 000-trade CSV
 *    import: events/s into Kafka (acks from all replicas, idempotent producer).
 */
const DAY = Date.parse('2026-01-01T00:00:00Z') / 1000;
const CSV_TRADES = Number(process.env['BENCH_BACKFILL_CSV_TRADES'] ?? 500_000);

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

const { services, stop } = await resolveServices(process.env);
const kafka = createKafka('bench', services.kafkaBrokers, pino({ level: 'warn' }));
const products = Array.from({ length: 10 }, (_, i) => `BEN${i}-USD`);

async function backfill(server: CoinbaseRestServer, args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  const { prefix } = await createTestTopics(kafka, 3);
  progress(`backfill ${args.join(' ')}`);
  const cli = new ProgramProcess('backfill/main.js', {
    KAFKA_BROKERS: services.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn', COINBASE_REST_URL: server.url, COINBASE_EXCHANGE_REST_URL: server.url, ...env,
  }, [...args, '--json']);
  const code = await cli.exited;
  if (code !== 0) throw new Error(`backfill exited with ${code}: ${cli.stderr.join('\n')}`);
  return JSON.parse(cli.stdout.join('\n')) as Record<string, unknown>;
}

const polite = await CoinbaseRestServer.start({
  seed: 1, rateLimit: { ratePerS: 10, burst: 15 },
  markets: products.slice(0, 4).map((productId) => ({ productId, fromS: DAY, toS: DAY + 7 * 86_400 })),
});
const politeRun = await backfill(polite, ['--products', products.slice(0, 4).join(','), '--from', String(DAY * 1000), '--to', String((DAY + 7 * 86_400) * 1000)], {});
const refused = polite.requests.filter((r) => r.status === 429).length;
await polite.close();

const fast = await CoinbaseRestServer.start({ seed: 2, markets: products.map((productId) => ({ productId, fromS: DAY, toS: DAY + 30 * 86_400 })) });
const fastRun = await backfill(fast, ['--products', products.join(','), '--from', String(DAY * 1000), '--to', String((DAY + 30 * 86_400) * 1000)],
  { BACKFILL_REQUESTS_PER_S: '1000', BACKFILL_BURST: '100', BACKFILL_CONCURRENCY: '16' });

progress(`writing ${CSV_TRADES} trades to a CSV`);
const dir = mkdtempSync(join(tmpdir(), 'backfill-bench-'));
const csv = join(dir, 'trades.csv.gz');
const trades = generateTrades({ productId: 'BTC-USD', fromS: DAY, toS: DAY + Math.ceil(CSV_TRADES / 60) * 60, tradesPerMinute: 60, quietFraction: 0 }, 3).slice(0, CSV_TRADES);
writeFileSync(csv, gzipSync([TRADE_CSV_HEADER, ...trades.map((t) => `coinbase,BTC-USD,${t.timeUs},${t.timeUs + 50_000},${t.tradeId},${t.makerSide === 'buy' ? 'sell' : 'buy'},${formatCents(t.priceCents)},${formatSats(t.sizeSats)}`), ''].join('\n')));
const fileRun = await backfill(fast, ['--file', csv], {});
await fast.close();
progress('');
await stop();

const pick = (run: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, run[k]]));
const requests = Number(politeRun['requests']);
const allowed = Math.floor(10 + 10 * Number(politeRun['seconds']));
const result = {
  benchmark: 'backfill',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version },
  setup: `${services.origin} Kafka, topics of 3 partitions; the local Coinbase REST server (testing/coinbase/CoinbaseRestServer.ts) on loopback; times from the CLI's own summary (first request to last acknowledgement)`,
  politeness: {
    what: '1-minute candles, 4 products × 7 days, default BACKFILL_REQUESTS_PER_S=10 and BACKFILL_BURST=10; the server refuses above 10/s with bursts of 15 (Coinbase Exchange\'s documented public limit)',
    ...pick(politeRun, ['requests', 'seconds', 'requestsPerS', 'retries', 'events']), serverRefused429: refused,
  },
  candles: { what: '1-minute candles, 10 products × 30 days, limit lifted (1000/s, 16 in flight)', ...pick(fastRun, ['requests', 'seconds', 'requestsPerS', 'events', 'eventsPerS']) },
  file: { what: `${trades.length} trades from a gzipped vendor CSV`, ...pick(fileRun, ['seconds', 'events', 'eventsPerS']) },
  goals: {
    // A token bucket allows its burst on top of rate × time: 10 + 10 · seconds requests at most.
    requestsAtLimit: { goal: 'between 95 % and 100 % of BURST + RATE × seconds (10 + 10/s · seconds)', value: requests, bound: allowed, met: requests <= allowed && requests >= 0.95 * allowed },
    no429AtLimit: { goal: 0, value: refused, met: refused === 0 },
  },
};
const file = `${PROJECT_ROOT}bench/results/backfill.json`;
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
console.log(`written to ${file}`);
