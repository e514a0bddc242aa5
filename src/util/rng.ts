/**
 * Seeded pseudo-random numbers shared by every stage (pruning masks, motif sampling, CV folds,
 * synthetic data), so that the same seed gives the same result everywhere.
 *
 * Generator: SplitMix32 to expand the seed, then xoshiro128** (Blackman & Vigna 2018), a 32-bit
 * generator with a 2^128 − 1 period that is fast in plain JS integer arithmetic.
 */
/**
 * A generator's full state (checkpoints of training hooks): the four xoshiro128** words (uint32)
 * and the cached second Box–Muller value. Plain JSON: numbers survive JSON text exactly.
 */
export type RngState = {
  readonly s: readonly [number, number, number, number];
  readonly spareNormal: number | null;
};

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`util/rng: seed must be a finite number, got ${seed}`);
    let x = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) throw new Error(`util/rng: int(n) needs a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** Snapshot of the state: `Rng.fromState(r.getState())` continues exactly where `r` is. */
  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.spareNormal };
  }

  /** Continues from a snapshot taken by `getState` (validated: a malformed one is an error, not a different stream). */
  setState(state: RngState): void {
    checkRngState(state);
    [this.s0, this.s1, this.s2, this.s3] = state.s;
    this.spareNormal = state.spareNormal;
  }

  /** A generator continuing from a `getState` snapshot. */
  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  /** An independent generator derived from this one (for sub-tasks that must not shift the parent stream). */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

/** Throws unless `state` is a well-formed RngState (four uint32 words, not all 0; spare normal finite or null). */
export function checkRngState(state: unknown): asserts state is RngState {
  if (typeof state !== "object" || state === null || Array.isArray(state)) throw new Error(`util/rng: state must be an object {s, spareNormal}, got ${JSON.stringify(state)}`);
  const o = state as { s?: unknown; spareNormal?: unknown };
  const s: readonly unknown[] = Array.isArray(o.s) ? o.s : [];
  if (s.length !== 4 || !s.every((w) => typeof w === "number" && Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
    throw new Error(`util/rng: state.s must be four uint32 integers, got ${JSON.stringify(o.s)}`);
  }
  if (s.every((w) => w === 0)) throw new Error("util/rng: state.s is all zeros (not a reachable xoshiro128** state)");
  const sp = o.spareNormal;
  if (sp !== null && !(typeof sp === "number" && Number.isFinite(sp))) throw new Error(`util/rng: state.spareNormal must be a finite number or null, got ${JSON.stringify(sp)}`);
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
