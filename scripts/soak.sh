#!/usr/bin/env bash
# `make soak RUNS=5`: the integration suite RUNS times in a row under the conditions issue 11 names for its
# proof: one core kept busy by another process and the quick-start producer (`make producer`, the real
# Coinbase feed or, offline, its retries) running beside it on the local services. Stops at the first failed
# run. Each run's output is kept in dist/soak/run-N.log, the producer's in dist/soak/producer.log; the
# summary (one line a run: result, seconds, tests passed/failed/skipped) in dist/soak/summary.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${1:-5}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "usage: make soak RUNS=N (N ≥ 1), got '$runs'" >&2; exit 64; }
out=dist/soak
make --no-print-directory build services-up >/dev/null
mkdir -p "$out"
: >"$out/summary.txt"
say() { echo "$*" | tee -a "$out/summary.txt"; }

# The busy core and the producer run in process groups of their own, stopped together at the end.
setsid node -e 'for (;;) {}' & busy=$!
setsid make --no-print-directory producer >"$out/producer.log" 2>&1 & producer=$!
stop() {
  kill -TERM -- "-$producer" 2>/dev/null || true
  kill -KILL -- "-$busy" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT

say "soak: $runs integration runs, one core busy (pid $busy), make producer beside them (pid $producer), $(nproc) cores"
for ((i = 1; i <= runs; i++)); do
  started=$SECONDS
  status=passed
  make --no-print-directory test-integration >"$out/run-$i.log" 2>&1 || status=FAILED
  counts=$(node -e '
    const r = JSON.parse(require("fs").readFileSync("dist/integration-results.json", "utf8"));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped, ${r.testResults.length} files`);
  ' 2>/dev/null || echo 'no results file')
  producer_state=$(kill -0 "$producer" 2>/dev/null && echo 'producer running' || echo 'producer NOT running')
  say "run $i: $status in $((SECONDS - started)) s ($counts; $producer_state; load average $(cut -d' ' -f1-3 /proc/loadavg))"
  [[ $status == passed ]] || { say "soak: stopped at run $i; see $out/run-$i.log"; exit 1; }
done
say "soak: $runs runs in a row passed"
