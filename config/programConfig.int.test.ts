import { describe, expect, it } from 'vitest';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';

/**
 * The documented rule, on the built programs: bad configuration, strategies included, ends the program with
 * status 78 and one message naming every bad variable, before anything starts (no stack trace, no log line).
 */
describe('bad configuration of the built programs', () => {
  const env = {
    DATABASE_URL: 'postgres://engine@127.0.0.1:9/x', KAFKA_BROKERS: '127.0.0.1:9',
    STRATEGY_MODULE: 'nope,sma_cross', STRATEGY_PARAMS: '{"fast":30,"slow":10}', ENGINE_INTERVALS: '1m,7x',
  };
  const problems = [
    '  ENGINE_INTERVALS: item 2 "7x" has an invalid format: expected a whole number of seconds, minutes, hours or days, e.g. 30s, 1m, 15m, 1h or 1d (got "1m,7x")',
    '  STRATEGY_MODULE: Unknown strategy "nope". Available: sma_cross, ema_cross, rsi_reversion, bollinger_breakout (or a module path)',
    '  STRATEGY_PARAMS: Invalid parameters for strategy sma_cross: fast (30) must be less than slow (10)',
  ];

  it('the engine names an unknown strategy and parameters that can never signal with the other bad variables, status 78', async () => {
    const program = new ProgramProcess('engine/main.js', env);
    expect(await program.exited).toBe(78);
    expect(program.stderr.filter((l) => l !== '')).toEqual(['engine: Invalid configuration (3 variables):', ...problems]);
    expect(program.stdout.filter((l) => l !== ''), 'nothing started').toEqual([]);
  });

  it('so does the replay CLI, for strategies from the environment', async () => {
    const program = new ProgramProcess('replay/main.js', env);
    expect(await program.exited).toBe(78);
    expect(program.stderr.filter((l) => l !== '')).toEqual(['replay: Invalid configuration (3 variables):', ...problems]);
    expect(program.stdout.filter((l) => l !== '')).toEqual([]);
  });

  it('the replay CLI takes --strategy from its command line: the environment\'s strategies are not resolved', async () => {
    const program = new ProgramProcess('replay/main.js', { ...env, ENGINE_INTERVALS: '1m' }, ['--strategy', 'nope2']);
    expect(await program.exited).toBe(64);
    expect(program.stderr.filter((l) => l !== '')).toEqual([
      'replay: --strategy: Unknown strategy "nope2". Available: sma_cross, ema_cross, rsi_reversion, bollinger_breakout (or a module path)',
    ]);
    // Parameters from the command line are arguments too (64), named by their flag.
    const params = new ProgramProcess('replay/main.js', { ...env, ENGINE_INTERVALS: '1m', STRATEGY_MODULE: 'sma_cross', STRATEGY_PARAMS: '' }, ['--params', '{"fast":9,"slow":3}']);
    expect(await params.exited).toBe(64);
    expect(params.stderr.filter((l) => l !== '')).toEqual([
      expect.stringMatching(/^replay: --params: .*fast \(9\) must be less than slow \(3\)/),
    ]);
  });

  it('make alerts refuses a SharpeLow window the engine does not compute, status 78, and writes nothing', async () => {
    const program = new ProgramProcess('scripts/writeAlertRules.js', { ALERT_SHARPE_WINDOW: '100', ENGINE_STAT_WINDOWS: '60,1440' });
    expect(await program.exited).toBe(78);
    expect(program.stderr.filter((l) => l !== '')).toEqual([
      'alerts: Invalid configuration (1 variable):',
      '  ALERT_SHARPE_WINDOW: must be one of ENGINE_STAT_WINDOWS (60, 1440): the engine computes no rolling Sharpe ratio over 100 bars, so SharpeLow could never fire (got "100")',
    ]);
    expect(program.stdout.filter((l) => l !== '')).toEqual([]);
  });
});
