/** One cumulative bucket of a Prometheus histogram: how many observations were ≤ `le`. */
export interface CumulativeBucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The q-quantile (0–1) of a histogram from its cumulative buckets, as PromQL's `histogram_quantile` estimates
 * it: linear interpolation inside the bucket that holds the rank, the lowest bucket starting at 0, and the
 * highest finite bound when the rank falls in the +Inf bucket. NaN without observations.
 */
export function histogramQuantile(q: number, buckets: readonly CumulativeBucket[]): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (bucket.le === Number.POSITIVE_INFINITY) return lower;
      return bucket.count === below ? lower : lower + ((bucket.le - lower) * (rank - below)) / (bucket.count - below);
    }
    lower = bucket.le;
    below = bucket.count;
  }
  return lower;
}

/** The cumulative buckets of histogram `name` in a Prometheus text exposition, summed over its label sets. */
export function scrapeBuckets(text: string, name: string): CumulativeBucket[] {
  const counts = new Map<number, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}_bucket\\{(?:[^}]*,)?le="([^"]+)"[^}]*\\}\\s+(\\S+)`).exec(line);
    if (match === null) continue;
    const le = match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]);
    counts.set(le, (counts.get(le) ?? 0) + Number(match[2]));
  }
  return [...counts].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}
