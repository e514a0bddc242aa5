import type { Rng } from "../util/rng";

/**
 * Selection helpers shared by every pruner: global top-k over per-layer score arrays with an exact
 * count, exact-size random subsets, and integer allocation with caps.
 *
 * Ties. The reference thresholds with `>=` (SNIP) or `<=` (GraSP), which keeps every element tied
 * with the k-th score, so the count can exceed k (SynFlow and GraSP produce many exact ties: pruned
 * or zero weights score 0). Here exactly k elements are kept: all strictly better than the k-th
 * score, and among the ties at the k-th score a uniformly random subset drawn from the seeded Rng.
 * A random tie-break (rather than "first index wins") avoids favouring the first layers.
 * Complexity O(N) expected for N scores (quickselect for the k-th score, then two passes).
 */

/**
 * Keeps the `keep` largest (or smallest) scores across all layers; returns one 0/1 array per layer.
 * NaN scores are refused: they mean the scoring pass overflowed or divided by zero.
 */
export function selectGlobal(
  scores: readonly Float32Array[],
  keep: number,
  rng: Rng,
  order: "largest" | "smallest" = "largest",
  module = "pruning/scores",
): Uint8Array[] {
  let n = 0;
  for (const s of scores) n += s.length;
  if (!Number.isInteger(keep) || keep < 0 || keep > n) {
    throw new Error(`${module}: cannot keep ${keep} of ${n} weights`);
  }
  const masks = scores.map((s) => new Uint8Array(s.length));
  if (keep === 0) return masks;
  if (keep === n) {
    for (const m of masks) m.fill(1);
    return masks;
  }
  const sign = order === "largest" ? 1 : -1;
  const all = new Float32Array(n);
  let o = 0;
  for (let l = 0; l < scores.length; l++) {
    const s = scores[l];
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      if (Number.isNaN(v)) throw new Error(`${module}: score ${i} of layer ${l} is NaN`);
      all[o++] = sign * v;
    }
  }
  const threshold = kthSmallest(all.slice(), n - keep);
  // strictly greater are all kept; `need` of the ties at the threshold are drawn at random
  let greater = 0;
  let ties = 0;
  for (let i = 0; i < n; i++) {
    const v = all[i];
    if (v > threshold) greater++;
    else if (v === threshold) ties++;
  }
  const need = keep - greater;
  const tieIdx = new Int32Array(ties);
  let t = 0;
  o = 0;
  for (let l = 0; l < scores.length; l++) {
    const m = masks[l];
    for (let i = 0; i < m.length; i++, o++) {
      const v = all[o];
      if (v > threshold) m[i] = 1;
      else if (v === threshold) tieIdx[t++] = o;
    }
  }
  const chosen = chooseSubset(tieIdx, need, rng);
  // map flat indices back to (layer, index)
  const starts = new Int32Array(scores.length + 1);
  for (let l = 0; l < scores.length; l++) starts[l + 1] = starts[l] + scores[l].length;
  for (let c = 0; c < chosen.length; c++) {
    const f = chosen[c];
    let lo = 0;
    let hi = scores.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= f) lo = mid;
      else hi = mid - 1;
    }
    masks[lo][f - starts[lo]] = 1;
  }
  return masks;
}

/** The k-th smallest value (0-based) of `a` by quickselect (Hoare partition, median of three); reorders `a`. */
export function kthSmallest(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** `k` distinct elements of `pool`, uniformly at random (partial Fisher–Yates on a copy). */
export function chooseSubset(pool: Int32Array, k: number, rng: Rng): Int32Array {
  if (k < 0 || k > pool.length) throw new Error(`pruning/scores: cannot choose ${k} of ${pool.length}`);
  const a = pool.slice();
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(a.length - i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a.subarray(0, k);
}

/** A 0/1 mask of length n with exactly k ones at uniformly random positions. */
export function exactRandomMask(n: number, k: number, rng: Rng): Uint8Array {
  if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`pruning/scores: cannot keep ${k} of ${n} weights`);
  const m = new Uint8Array(n);
  if (k === n) return m.fill(1);
  // choose the smaller side so the work is O(n) for the index array and O(min(k, n-k)) swaps
  const flip = k > n / 2;
  const want = flip ? n - k : k;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < want; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  if (flip) {
    m.fill(1);
    for (let i = 0; i < want; i++) m[idx[i]] = 0;
  } else {
    for (let i = 0; i < want; i++) m[idx[i]] = 1;
  }
  return m;
}

/** Bernoulli mask: each element kept independently with probability p (p ≥ 1 keeps all), like `torch.rand(shape) < p`. */
export function bernoulliMask(n: number, p: number, rng: Rng): Uint8Array {
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) m[i] = rng.next() < p ? 1 : 0;
  return m;
}

/**
 * Integers a_i ≤ caps_i with Σ a_i = total and a_i as close as possible to the real targets t_i
 * (largest-remainder rounding; capped excess is re-spread over layers with room, in proportion to
 * their targets). Refuses a total above Σ caps.
 */
export function allocate(targets: readonly number[], caps: readonly number[], total: number, module = "pruning/scores"): number[] {
  const L = targets.length;
  let capSum = 0;
  for (const c of caps) capSum += c;
  if (!Number.isInteger(total) || total < 0 || total > capSum) {
    throw new Error(`${module}: cannot allocate ${total} weights over layers holding ${capSum}`);
  }
  const t = targets.map((v, i) => Math.min(Math.max(v, 0), caps[i]));
  // re-spread what the caps cut off until the real targets sum to `total`
  for (let iter = 0; iter < 100; iter++) {
    let sum = 0;
    for (const v of t) sum += v;
    const deficit = total - sum;
    if (Math.abs(deficit) < 1e-9) break;
    let weight = 0;
    for (let i = 0; i < L; i++) if (deficit > 0 ? t[i] < caps[i] : t[i] > 0) weight += deficit > 0 ? Math.max(targets[i], 1e-12) : t[i];
    if (weight <= 0) break;
    for (let i = 0; i < L; i++) {
      if (deficit > 0 && t[i] < caps[i]) t[i] = Math.min(caps[i], t[i] + (deficit * Math.max(targets[i], 1e-12)) / weight);
      else if (deficit < 0 && t[i] > 0) t[i] = Math.max(0, t[i] + (deficit * t[i]) / weight);
    }
  }
  const a = t.map((v) => Math.floor(v + 1e-9));
  let rest = total;
  for (const v of a) rest -= v;
  const order = t.map((v, i) => i).sort((i, j) => t[j] - a[j] - (t[i] - a[i]) || i - j);
  for (let pass = 0; rest !== 0 && pass < 3; pass++) {
    for (const i of order) {
      if (rest > 0 && a[i] < caps[i]) {
        a[i]++;
        rest--;
      } else if (rest < 0 && a[i] > 0) {
        a[i]--;
        rest++;
      }
      if (rest === 0) break;
    }
  }
  if (rest !== 0) throw new Error(`${module}: allocation left ${rest} weights unplaced`);
  return a;
}
