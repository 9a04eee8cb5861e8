import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../testing/services/localServices.js';
import { parseTradeCsvLine, TRADE_CSV_HEADER } from '../core/parseTradeCsv.js';
import { SAMPLE, sampleCsv, sampleCsvGz } from './makeSampleCsv.js';

describe('the bundled sample trades file', () => {
  it('is exactly what the generator makes (run `node dist/scripts/writeBackfillSample.js` after changing it)', () => {
    expect(readFileSync(`${PROJECT_ROOT}${SAMPLE.path}`).equals(sampleCsvGz())).toBe(true);
  });

  it('holds 351 valid BTC-USD trades with consecutive ids over two hours, 112 of whose 120 minutes traded', () => {
    const [header, ...lines] = gunzipSync(sampleCsvGz()).toString('utf8').trimEnd().split('\n');
    expect(header).toBe(TRADE_CSV_HEADER);
    const trades = lines.map((l) => parseTradeCsvLine(l));
    expect(trades.filter((t) => 'reason' in t)).toEqual([]);
    const ids = trades.map((t) => ('tradeId' in t ? Number(t.tradeId) : 0));
    expect([ids.length, ids[0], ids.at(-1)]).toEqual([351, 900_000_000, 900_000_350]);
    const minutes = new Set(trades.map((t) => ('exchangeTimeUs' in t ? Math.floor(t.exchangeTimeUs / 60e6) : 0)));
    expect(minutes.size).toBe(112);
    expect(sampleCsv().endsWith('\n')).toBe(true);
  });
});
