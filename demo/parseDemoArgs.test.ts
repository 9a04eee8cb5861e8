import { describe, expect, it } from 'vitest';
import { DemoUsageError, parseDemoArgs } from './parseDemoArgs.js';

describe('parseDemoArgs', () => {
  it('defaults to the demo namespace, seed 1, 20 minutes of history at 20×, the sample history backtested, until Ctrl-C', () => {
    expect(parseDemoArgs([])).toEqual({
      namespace: 'demo', seed: 1, historyMinutes: 20, speed: 20, durationS: 0, replay: false, history: true,
      producerMetricsPort: 9474, engineMetricsPort: 9475, coinbasePort: 0, prometheusTargets: null, statusEveryS: 10, help: false,
    });
  });

  it('reads every option', () => {
    expect(parseDemoArgs(['--seed', '7', '--history-minutes', '5', '--speed', '30', '--duration', '60', '--replay',
      '--namespace', 'demo_it', '--producer-metrics-port', '0', '--engine-metrics-port', '0', '--prometheus-targets', '/tmp/t', '--no-history'])).toMatchObject({
      namespace: 'demo_it', seed: 7, historyMinutes: 5, speed: 30, durationS: 60, replay: true, history: false,
      producerMetricsPort: 0, engineMetricsPort: 0, prometheusTargets: '/tmp/t',
    });
  });

  it('names every bad option at once, and refuses a namespace that is not a schema name or is public', () => {
    const problems = (argv: string[]) => {
      try {
        parseDemoArgs(argv);
      } catch (error) {
        if (error instanceof DemoUsageError) return error.problems;
        throw error;
      }
      return [];
    };
    expect(problems(['--speed', '0', '--seed', 'x', '--namespace', 'Demo-1'])).toEqual([
      '--seed must be an integer from 0 to 4294967295, not "x"',
      '--speed must be a number from 1 to 1000, not "0"',
      '--namespace must be a lower-case letter then up to 40 letters, digits or _, not "Demo-1"',
    ]);
    expect(problems(['--namespace', 'public'])).toEqual(['--namespace public would delete the engine\'s default schema']);
    expect(problems(['--nope'])[0]).toMatch(/Unknown option '--nope'/);
    expect(problems(['--no-history=yes'])[0], 'a flag takes no value').toMatch(/--no-history/);
  });
});
