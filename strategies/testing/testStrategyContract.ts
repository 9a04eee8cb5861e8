import fc from 'fast-check';
import type { Static, TObject } from 'typebox';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../Bar.js';
import { parseStrategyParams, StrategyParamsError } from '../parseStrategyParams.js';
import type { JsonValue, Signal, StrategyPlugin } from '../Strategy.js';
import { barSeries, withEmptyRuns } from './barSeries.js';

const key = { productId: 'BTC-USD', intervalUs: 60_000_000 };

function run(plugin: StrategyPlugin, params: unknown, bars: readonly Bar[]): (Signal | null)[] {
  const strategy = plugin.create(params as Static<TObject>, key);
  return bars.map((bar) => strategy.onBar(bar));
}

/**
 * The contract every strategy registers: no signal during warm-up; deterministic; inputs not mutated; a
 * snapshot taken anywhere restores an instance that continues identically; every signal changes the target
 * and says why; bars without trades are not observations (inserting them anywhere changes nothing); bad
 * parameters are rejected with the reason.
 */
export function testStrategyContract<S extends TObject>(
  plugin: StrategyPlugin<S>,
  examples: { readonly params: readonly unknown[]; readonly invalid: readonly { readonly params: unknown; readonly problem: string }[] },
): void {
  describe(`${plugin.id} (strategy contract)`, () => {
    const paramSets = examples.params.map((p) => parseStrategyParams(plugin, p));
    const cases = fc.tuple(fc.constantFrom(...paramSets), barSeries);

    it('does not signal during warm-up', () => {
      fc.assert(fc.property(cases, ([params, bars]) => {
        const strategy = plugin.create(params, key);
        bars.forEach((bar, i) => {
          const signal = strategy.onBar(bar);
          if (i + 1 < strategy.warmupBars) expect(signal, `bar ${i + 1} of a ${strategy.warmupBars}-bar warm-up`).toBeNull();
        });
      }));
    });

    it('signals the same way for the same bars, without touching them', () => {
      fc.assert(fc.property(cases, ([params, bars]) => {
        const frozen = bars.map((bar) => Object.freeze({ ...bar }));
        expect(run(plugin, params, frozen)).toEqual(run(plugin, params, bars));
      }));
    });

    it('restores from a JSON snapshot taken at any bar and continues identically', () => {
      fc.assert(fc.property(cases, fc.nat(), ([params, bars], cut) => {
        const at = cut % (bars.length + 1);
        const original = plugin.create(params, key);
        bars.slice(0, at).forEach((bar) => original.onBar(bar));
        const restored = plugin.create(params, key, JSON.parse(JSON.stringify(original.snapshot())) as JsonValue);
        for (const bar of bars.slice(at)) expect(restored.onBar(bar)).toEqual(original.onBar(bar));
      }));
    });

    it('ignores bars without trades: runs of them inserted anywhere change no signal and give none', () => {
      fc.assert(fc.property(cases, fc.array(fc.nat({ max: 30 }), { maxLength: 20 }), ([params, bars], runs) => {
        const withEmpty = withEmptyRuns(bars, runs);
        const signals = run(plugin, params, withEmpty);
        const traded = withEmpty.map((bar) => bar.volume !== 0);
        expect(signals.filter((_, i) => traded[i] !== true).every((s) => s === null), 'an empty bar signals').toBe(true);
        expect(signals.filter((_, i) => traded[i] === true)).toEqual(run(plugin, params, bars));
      }));
    });

    it('changes its target with every signal and gives a reason', () => {
      fc.assert(fc.property(cases, ([params, bars]) => {
        let previous: string = 'flat';
        for (const signal of run(plugin, params, bars)) {
          if (signal === null) continue;
          expect(signal.target).not.toBe(previous);
          expect(signal.reason.length).toBeGreaterThan(10);
          previous = signal.target;
        }
      }));
    });

    it.each(examples.invalid.map((e) => [JSON.stringify(e.params), e.problem] as const))('rejects parameters %s', (params, problem) => {
      expect(() => parseStrategyParams(plugin, JSON.parse(params))).toThrow(StrategyParamsError);
      expect(() => parseStrategyParams(plugin, JSON.parse(params))).toThrow(problem);
    });
  });
}
