import { describe, expect, it } from 'vitest';
import { paramsKey } from './paramsKey.js';
import { BUILTIN_STRATEGIES, builtinStrategy } from './registry.js';

describe('the strategy registry', () => {
  it('finds built-in strategies by id', () => {
    expect(Object.keys(BUILTIN_STRATEGIES)).toEqual(['sma_cross', 'ema_cross', 'rsi_reversion', 'bollinger_breakout']);
    expect(builtinStrategy('rsi_reversion').id).toBe('rsi_reversion');
  });

  it('names the available strategies when an id is unknown', () => {
    expect(() => builtinStrategy('sma_crossover')).toThrow('Unknown strategy "sma_crossover". Available: sma_cross, ema_cross, rsi_reversion, bollinger_breakout');
  });
});

describe('paramsKey', () => {
  it('is the same for the same parameters in any order', () => {
    expect(paramsKey({ slow: 30, fast: 10, allowShort: false })).toBe('allowShort=false,fast=10,slow=30');
    expect(paramsKey({ allowShort: false, fast: 10, slow: 30 })).toBe('allowShort=false,fast=10,slow=30');
    expect(paramsKey({ levels: [1, 2] })).toBe('levels=[1,2]');
  });
});
