import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../Strategy.js';
import type { Indicator } from '../indicators/Indicator.js';

const prices = fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 0, maxLength: 200 });

/**
 * The contract every indicator registers: no result during warm-up and one after it; the same inputs give
 * the same outputs; inputs are not kept by reference; a snapshot taken at any point, passed through JSON,
 * restores an instance that continues exactly like the original.
 */
export function testIndicatorContract<T>(name: string, create: (snapshot?: JsonValue) => Indicator<T>): void {
  describe(`${name} (indicator contract)`, () => {
    it('has no result before its warm-up and one after it', () => {
      fc.assert(fc.property(prices, (xs) => {
        const indicator = create();
        xs.forEach((x, i) => {
          const result = indicator.update(x);
          expect(result === null, `after ${i + 1} inputs`).toBe(i + 1 < indicator.warmup);
          expect(indicator.isStable).toBe(i + 1 >= indicator.warmup);
        });
      }));
    });

    it('gives the same outputs for the same inputs', () => {
      fc.assert(fc.property(prices, (xs) => {
        const a = create();
        const b = create();
        expect(xs.map((x) => a.update(x))).toEqual(xs.map((x) => b.update(x)));
      }));
    });

    it('restores from a JSON snapshot taken at any point and continues identically', () => {
      fc.assert(fc.property(prices, fc.nat(), (xs, cut) => {
        const at = xs.length === 0 ? 0 : cut % (xs.length + 1);
        const original = create();
        xs.slice(0, at).forEach((x) => original.update(x));
        const restored = create(JSON.parse(JSON.stringify(original.snapshot())) as JsonValue);
        expect(restored.result).toEqual(original.result);
        for (const x of xs.slice(at)) expect(restored.update(x)).toEqual(original.update(x));
      }));
    });
  });
}
