import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../testing/services/localServices.js';

const run = promisify(execFile);

describe('alert rules in Prometheus', () => {
  it('pass promtool\'s checks and its tests: a firing and a non-firing case for every alert', async () => {
    const check = await run('promtool', ['check', 'rules', 'prometheus/alerts.yml'], { cwd: PROJECT_ROOT });
    expect(check.stdout).toContain('SUCCESS: 10 rules found');
    const tests = await run('promtool', ['test', 'rules', 'prometheus/alerts.test.yml'], { cwd: PROJECT_ROOT });
    expect(tests.stdout.trim().split('\n').at(-1)?.trim()).toBe('SUCCESS');
  });

  it('are loaded and healthy in the running Prometheus', async () => {
    const { prometheusUrl } = inject('services');
    const response = await fetch(`${prometheusUrl}/api/v1/rules?type=alert`);
    const body = await response.json() as { data: { groups: { rules: { name: string; health: string }[] }[] } };
    const rules = body.data.groups.flatMap((g) => g.rules).map((r) => `${r.name} ${r.health}`).sort();
    expect(rules).toEqual([
      'DeadLetters ok', 'DrawdownBeyondLimit ok', 'EngineConsumerLag ok', 'FeedStale ok',
      'ProducerDisconnected ok', 'ProductUnconfirmed ok', 'SequenceGaps ok', 'SequenceReset ok', 'SharpeLow ok', 'SignalLatencyHigh ok',
    ]);
  });
});
