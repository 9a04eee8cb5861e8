/** `250 ms`, `90 s`, `5 min`, `2 h 5 min`: a duration as a person reads it in a log line. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.floor(ms)} ms`;
  // Whole units, rounded down: "none for 30 s" is true from 30 s to 30.999 s.
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.floor(min / 60)} h${min % 60 === 0 ? '' : ` ${min % 60} min`}`;
}
