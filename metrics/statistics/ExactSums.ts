/**
 * Exact running sums of x, x² and min(x − MAR, 0)² for values that enter and leave a set. Each value is kept
 * as the integer x · 2¹⁵⁰ (a BigInt), which is exact for every double of magnitude at least 2⁻⁹⁸ ≈ 3·10⁻³⁰
 * (and for 0); smaller magnitudes are rounded to a multiple of 2⁻¹⁵⁰, an error below 10⁻⁴⁵ that no return can
 * notice. So additions and removals are exact, a large value leaving the set leaves no residue on small ones,
 * and zeros are exactly zero; the only rounding is the final, correctly rounded conversion of each statistic
 * to a double. O(1) work per value on integers of a few hundred bits.
 */

const SCALE = 150;
const view = new DataView(new ArrayBuffer(8));

/** round(x · 2¹⁵⁰) as an integer (exact whenever |x| ≥ 2⁻⁹⁸). */
function scaled(x: number): bigint {
  if (x === 0) return 0n;
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  // |x| = significand · 2^(exponent − 1075) (subnormals: exponent 0 behaves as 1 without the hidden bit).
  const significand = exponent === 0 ? fraction : fraction | (1n << 52n);
  const shift = (exponent === 0 ? 1 : exponent) - 1075 + SCALE;
  let magnitude: bigint;
  if (shift >= 0) {
    magnitude = significand << BigInt(shift);
  } else {
    const half = 1n << BigInt(-shift - 1);
    magnitude = (significand + half) >> BigInt(-shift);
  }
  return bits >> 63n === 1n ? -magnitude : magnitude;
}

const scaledCache = new Map<number, bigint>();

/** {@link scaled}, remembered for a few values: the risk-free rate and the MAR are asked for on every bar. */
function scaledCached(x: number): bigint {
  let s = scaledCache.get(x);
  if (s === undefined) {
    if (scaledCache.size >= 64) scaledCache.clear();
    s = scaled(x);
    scaledCache.set(x, s);
  }
  return s;
}

/** n · 2^−(scale) as a double, correctly rounded when n is below 2¹⁰²⁴ (always, for sums of returns). */
function toNumber(n: bigint, scale: number): number {
  return Number(n) * 2 ** -scale;
}

function fromHex(text: string | undefined): bigint {
  if (text === undefined) return 0n;
  return text.startsWith('-') ? -BigInt(`0x${text.slice(1)}`) : BigInt(`0x${text}`);
}

export class ExactSums {
  readonly #mar: bigint;
  #count: number;
  /** Σx · 2¹⁵⁰ */
  #sum: bigint;
  /** Σx² · 2³⁰⁰ */
  #sumOfSquares: bigint;
  /** Σmin(x − MAR, 0)² · 2³⁰⁰ */
  #downsideSquares: bigint;

  constructor(mar: number, snapshot?: readonly string[]) {
    this.#mar = scaled(mar);
    this.#count = snapshot === undefined ? 0 : Number(snapshot[0]);
    this.#sum = fromHex(snapshot?.[1]);
    this.#sumOfSquares = fromHex(snapshot?.[2]);
    this.#downsideSquares = fromHex(snapshot?.[3]);
  }

  get count(): number {
    return this.#count;
  }

  add(x: number): void {
    this.#include(scaled(x), 1n);
  }

  remove(x: number): void {
    this.#include(scaled(x), -1n);
  }

  mean(): number {
    return this.#count === 0 ? Number.NaN : toNumber(this.#sum, SCALE) / this.#count;
  }

  /** mean(x − c) = (Σx − n·c) / n with the difference exact: no cancellation when the mean is close to c. */
  meanExcess(c: number): number {
    if (c === 0) return this.mean();
    return this.#count === 0 ? Number.NaN : toNumber(this.#sum - BigInt(this.#count) * scaledCached(c), SCALE) / this.#count;
  }

  /** Sample standard deviation (ddof = 1): √((nΣx² − (Σx)²) / (n(n − 1))), the numerator exact. */
  std(): number {
    const n = this.#count;
    if (n < 2) return Number.NaN;
    const numerator = BigInt(n) * this.#sumOfSquares - this.#sum * this.#sum;
    return Math.sqrt(toNumber(numerator, 2 * SCALE) / n / (n - 1));
  }

  /** √(Σmin(x − MAR, 0)² / n), un-annualised. */
  downsideDeviation(): number {
    return this.#count === 0 ? Number.NaN : Math.sqrt(toNumber(this.#downsideSquares, 2 * SCALE) / this.#count);
  }

  /** Compact: the integers in hexadecimal. */
  snapshot(): string[] {
    return [String(this.#count), this.#sum.toString(16), this.#sumOfSquares.toString(16), this.#downsideSquares.toString(16)];
  }

  #include(x: bigint, sign: 1n | -1n): void {
    this.#count += Number(sign);
    this.#sum += sign * x;
    this.#sumOfSquares += sign * x * x;
    const below = x - this.#mar;
    if (below < 0n) this.#downsideSquares += sign * below * below;
  }
}
