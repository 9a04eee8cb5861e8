import { waitFor } from '../waitFor.js';

/**
 * Waits until Prometheus has scraped every target carrying `labels` (`up == 1` exists only after a scrape).
 * A test that injects faults and reads `increase()`/`rate()` must wait for this first: a counter's first
 * sample is its baseline, so faults counted before it are invisible to Prometheus.
 */
export async function waitForFirstScrape(prometheusUrl: string, labels: Record<string, string>, targets: number, timeoutMs = 60_000): Promise<void> {
  const selector = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',');
  const query = `up{${selector}} == 1`;
  await waitFor(`Prometheus's first scrape of ${String(targets)} target(s) {${selector}}`, async () => {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`).catch(() => null);
    if (response?.ok !== true) return false;
    const body = await response.json() as { data?: { result?: unknown[] } };
    return (body.data?.result?.length ?? 0) >= targets;
  }, timeoutMs);
}
