import { describe, expect, it } from 'vitest';
import { instance, testSettings } from './core/testing/engineSettings.js';
import { MINUTE_US } from './core/testing/eventStreams.js';
import { runSettings, settingsChanges } from './runSettings.js';

const TOPIC = 'prices.normalized';

describe('runSettings and settingsChanges', () => {
  it('names every result-affecting change as NAME: old → new, in a fixed order', () => {
    const before = runSettings(testSettings({ intervalsUs: [MINUTE_US, 60 * MINUTE_US], statWindows: [60], feeBps: 10 }), TOPIC);
    const after = runSettings(testSettings({ intervalsUs: [MINUTE_US, 15 * MINUTE_US, 60 * MINUTE_US], statWindows: [30], feeBps: 10, fillPrice: 'quote' }), TOPIC);
    expect(settingsChanges(JSON.parse(JSON.stringify(before)), after)).toEqual([
      'ENGINE_INTERVALS: 1m,1h → 1m,15m,1h', 'ENGINE_FILL_PRICE: trade → quote', 'ENGINE_STAT_WINDOWS: 60 → 30',
    ]);
  });

  it('ignores what changes no result (eviction, the order strategies are listed in) and sees a strategy\'s version and parameters', () => {
    const a = instance('sma_cross', { fast: 2, slow: 4 });
    const b = instance('rsi_reversion', { period: 3 });
    const base = runSettings(testSettings({ strategies: [a, b] }), TOPIC);
    expect(settingsChanges(base, runSettings(testSettings({ strategies: [b, a], idleEvictUs: 1, statWindows: [10, 3] }), TOPIC))).toEqual([]);
    const bumped = { ...a, plugin: { ...a.plugin, version: a.plugin.version + 1 } };
    expect(settingsChanges(base, runSettings(testSettings({ strategies: [bumped, b] }), TOPIC))).toEqual([
      `strategies: ${base.strategies.join(' ')} → ${[`sma_cross@${a.plugin.version + 1}(${a.paramsKey})`, ...base.strategies.filter((s) => !s.startsWith('sma_cross'))].sort().join(' ')}`,
    ]);
  });

  it('counts settings recorded in an older form (before runs per settings) as changed', () => {
    const changes = settingsChanges({ runId: 'live', intervalsUs: [MINUTE_US], feeBps: 10 }, runSettings(testSettings(), TOPIC));
    expect(changes.slice(0, 2)).toEqual(['topic: (not recorded) → prices.normalized', 'ENGINE_INTERVALS: (not recorded) → 1m,5m']);
    expect(changes).toHaveLength(13);
  });

  it('counts the topic read as a setting: another KAFKA_TOPIC_PREFIX is other records, so another run', () => {
    const settings = testSettings();
    expect(settingsChanges(runSettings(settings, 'sim.prices.normalized'), runSettings(settings, 'demo.prices.normalized')))
      .toEqual(['topic: sim.prices.normalized → demo.prices.normalized']);
  });
});
