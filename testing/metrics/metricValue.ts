import type { Registry } from 'prom-client';

interface Sample { value: number; labels: Record<string, unknown>; metricName?: string }

/** Sum of a metric's samples whose labels include `labels` (0 when there are none). Histograms: their count. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const samples = metric.values as Sample[];
  const isHistogram = samples.some((s) => s.metricName === `${name}_count`);
  return samples
    .filter((s) => (isHistogram ? s.metricName === `${name}_count` : true))
    .filter((s) => Object.entries(labels).every(([k, value]) => String(s.labels[k]) === value))
    .reduce((sum, s) => sum + s.value, 0);
}
