/**
 * Exact running sums of x, x² and min(x − MAR, 0)² for values that enter and leave a set. Every finite double
 * is an integer multiple of 2⁻¹⁰⁷⁴, so each value is kept as that integer (a BigInt): additions and removals
 * are exact, a large value leaving the set leaves no residue on small ones, and zeros are exactly zero. The
 * only rounding is the final conversion of each statistic to a double. O(1) BigInt work per value.
 */

const view = new DataView(new ArrayBuffer(8));

/** x · 2¹⁰⁷⁴ as an exact integer. */
function scaled(x: number): bigint {
  if (x === 0) return 0n;
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const magnitude = exponent === 0 ? fraction : (fraction | (1n << 52n)) << BigInt(exponent - 1);
  return bits >> 63n === 1n ? -magnitude : magnitude;
}

function bitLength(n: bigint): number {
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(hex[0] as string, 16)));
}

/** 2^k for any integer k a double can reach through, without overflowing or underflowing on the way. */
function pow2(k: number): number {
  let result = 1;
  while (k > 1000) { result *= 2 ** 1000; k -= 1000; }
  while (k < -1000) { result *= 2 ** -1000; k += 1000; }
  return result * 2 ** k;
}

/** n · 2^-scaleBits as a double (within an ulp). */
function toNumber(n: bigint, scaleBits: number): number {
  if (n === 0n) return 0;
  const negative = n < 0n;
  const magnitude = negative ? -n : n;
  const length = bitLength(magnitude);
  const shift = Math.max(0, length - 64);
  const top = Number(magnitude >> BigInt(shift));
  const value = top * pow2(shift - scaleBits);
  return negative ? -value : value;
}

function fromHex(text: string | undefined): bigint {
  if (text === undefined) return 0n;
  return text.startsWith('-') ? -BigInt(`0x${text.slice(1)}`) : BigInt(`0x${text}`);
}

export class ExactSums {
  readonly #mar: bigint;
  #count: number;
  /** Σx · 2¹⁰⁷⁴ */
  #sum: bigint;
  /** Σx² · 2²¹⁴⁸ */
  #sumOfSquares: bigint;
  /** Σmin(x − MAR, 0)² · 2²¹⁴⁸ */
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
    return this.#count === 0 ? Number.NaN : toNumber(this.#sum, 1074) / this.#count;
  }

  /** Sample standard deviation (ddof = 1): √((nΣx² − (Σx)²) / (n(n − 1))), the numerator exact. */
  std(): number {
    const n = this.#count;
    if (n < 2) return Number.NaN;
    const numerator = BigInt(n) * this.#sumOfSquares - this.#sum * this.#sum;
    return Math.sqrt(toNumber(numerator, 2148) / n / (n - 1));
  }

  /** √(Σmin(x − MAR, 0)² / n), un-annualised. */
  downsideDeviation(): number {
    return this.#count === 0 ? Number.NaN : Math.sqrt(toNumber(this.#downsideSquares, 2148) / this.#count);
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
