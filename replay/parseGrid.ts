/** A parameter grid: every combination of the listed values, in the order given (the last name varies fastest). */
export type ParameterGrid = readonly Readonly<Record<string, unknown>>[];

export class GridSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GridSyntaxError';
  }
}

function value(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  const number = Number(text);
  return text.trim() !== '' && Number.isFinite(number) ? number : text;
}

function values(name: string, spec: string): unknown[] {
  const range = /^(-?[\d.]+)\.\.(-?[\d.]+)(?::([\d.]+))?$/.exec(spec);
  if (range === null) {
    const list = spec.split('|');
    if (list.some((v) => v === '')) throw new GridSyntaxError(`${name}: empty value in "${spec}"`);
    return list.map(value);
  }
  const [from, to, step] = [Number(range[1]), Number(range[2]), Number(range[3] ?? 1)];
  if (![from, to, step].every(Number.isFinite) || step <= 0) throw new GridSyntaxError(`${name}: "${spec}" needs a positive step`);
  if (from > to) throw new GridSyntaxError(`${name}: "${spec}" runs backwards`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > 10_000) throw new GridSyntaxError(`${name}: "${spec}" has ${count} values (at most 10 000)`);
  // Computed from the index, not by accumulating the step, so that 0.1 steps do not drift.
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toPrecision(12)));
}

/**
 * `--grid` syntax: comma-separated `name=spec`, where spec is a range `from..to[:step]` (inclusive, step 1 by
 * default) or a list `a|b|c`; values are numbers, `true`/`false`, or strings. `fast=5..20:5,slow=20..60:10`
 * gives 4 × 5 = 20 combinations.
 */
export function parseGrid(text: string): ParameterGrid {
  const axes: [string, unknown[]][] = [];
  for (const part of text.split(',')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+?)\s*$/.exec(part);
    if (match === null) throw new GridSyntaxError(`"${part}" is not name=from..to[:step] or name=a|b|c`);
    const [, name, spec] = match as unknown as [string, string, string];
    if (axes.some(([n]) => n === name)) throw new GridSyntaxError(`${name} appears twice`);
    axes.push([name, values(name, spec)]);
  }
  let combinations: Record<string, unknown>[] = [{}];
  for (const [name, options] of axes) {
    combinations = combinations.flatMap((c) => options.map((v) => ({ ...c, [name]: v })));
  }
  if (combinations.length > 10_000) throw new GridSyntaxError(`${combinations.length} combinations (at most 10 000)`);
  return combinations;
}
