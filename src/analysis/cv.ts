/**
 * Seeded cross-validation splits: k-fold (regression), stratified k-fold (classification) and
 * grouped k-fold (e.g. leave one architecture out). Every split is a fold id per row (0..k−1): a
 * row is in exactly one test fold by construction, and the same seed gives the same folds (the
 * shuffles use util/rng's xoshiro128**, so they differ from scikit-learn's for the same seed;
 * bench/analysis-crosscheck.py can be given these folds to compare like with like).
 *
 * - kFold: shuffle the rows, then cut into k contiguous blocks whose sizes differ by ≤ 1.
 * - stratifiedKFold: shuffle each class's rows and deal them round-robin over the folds, carrying the
 *   deal position from class to class, so each class's count per fold differs by ≤ 1 and the fold
 *   sizes differ by ≤ 1. A class with fewer than k rows is refused (as scikit-learn warns, some folds
 *   would not see it; here it is an error so the protocol stays honest).
 * - groupKFold: rows of one group never straddle folds. Groups are shuffled, then placed largest
 *   first into the currently smallest fold (scikit-learn's GroupKFold balancing, with a seeded tie order).
 *   With k = number of groups it is leave-one-group-out.
 * Complexity: O(n log n) at most.
 */
import { Rng } from "../util/rng";

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

function checkK(n: number, k: number, what: string): void {
  if (!Number.isInteger(k) || k < 2) throw new Error(`analysis/cv: ${what}: folds must be an integer ≥ 2, got ${k}`);
  if (n < k) throw new Error(`analysis/cv: ${what}: ${n} rows cannot be split into ${k} folds`);
}

/** Fold ids for plain shuffled k-fold. */
export function kFoldIds(n: number, k: number, seed: number): Int32Array {
  checkK(n, k, "kFold");
  const perm = new Rng(seed).permutation(n);
  const ids = new Int32Array(n);
  const base = Math.floor(n / k);
  const extra = n % k;
  let pos = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < extra ? 1 : 0);
    for (let i = 0; i < size; i++) ids[perm[pos++]] = f;
  }
  return ids;
}

/** Fold ids for stratified k-fold over class labels (any values, compared with ===). */
export function stratifiedKFoldIds(labels: ArrayLike<number | string>, k: number, seed: number): Int32Array {
  const n = labels.length;
  checkK(n, k, "stratifiedKFold");
  const byClass = new Map<number | string, number[]>();
  for (let i = 0; i < n; i++) {
    const list = byClass.get(labels[i]);
    if (list) list.push(i);
    else byClass.set(labels[i], [i]);
  }
  // Classes in sorted order so the folds do not depend on which class appears first.
  const classes = [...byClass.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const c of classes) {
    const size = byClass.get(c)!.length;
    if (size < k) throw new Error(`analysis/cv: stratifiedKFold: class '${c}' has ${size} rows, fewer than the ${k} folds`);
  }
  const rng = new Rng(seed);
  const ids = new Int32Array(n);
  let deal = 0;
  for (const c of classes) {
    const rows = byClass.get(c)!;
    rng.shuffle(rows);
    for (const r of rows) {
      ids[r] = deal;
      deal = (deal + 1) % k;
    }
  }
  return ids;
}

/** Fold ids for grouped k-fold (no group in two folds). */
export function groupKFoldIds(groups: ArrayLike<number | string>, k: number, seed: number): Int32Array {
  const n = groups.length;
  const byGroup = new Map<number | string, number[]>();
  for (let i = 0; i < n; i++) {
    const list = byGroup.get(groups[i]);
    if (list) list.push(i);
    else byGroup.set(groups[i], [i]);
  }
  if (!Number.isInteger(k) || k < 2) throw new Error(`analysis/cv: groupKFold: folds must be an integer ≥ 2, got ${k}`);
  if (byGroup.size < k) throw new Error(`analysis/cv: groupKFold: ${byGroup.size} groups cannot fill ${k} folds`);
  const keys = [...byGroup.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  new Rng(seed).shuffle(keys);
  // Stable sort keeps the seeded order among equal-sized groups.
  const order = keys.map((g, i) => ({ g, i, size: byGroup.get(g)!.length })).sort((a, b) => b.size - a.size || a.i - b.i);
  const load = new Array<number>(k).fill(0);
  const ids = new Int32Array(n);
  for (const { g, size } of order) {
    let best = 0;
    for (let f = 1; f < k; f++) if (load[f] < load[best]) best = f;
    for (const r of byGroup.get(g)!) ids[r] = best;
    load[best] += size;
  }
  return ids;
}

/** Turns fold ids into train/test index lists (test = rows with that id, train = the rest). */
export function foldsFromIds(ids: ArrayLike<number>): Fold[] {
  let k = 0;
  for (let i = 0; i < ids.length; i++) {
    if (!Number.isInteger(ids[i]) || ids[i] < 0) throw new Error(`analysis/cv: fold id ${ids[i]} at row ${i} is not a non-negative integer`);
    k = Math.max(k, ids[i] + 1);
  }
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    let nt = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i] === f) nt++;
    if (nt === 0) throw new Error(`analysis/cv: fold ${f} is empty`);
    const test = new Int32Array(nt);
    const train = new Int32Array(ids.length - nt);
    let a = 0;
    let b = 0;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    folds.push({ train, test });
  }
  return folds;
}

export function kFold(n: number, k: number, seed: number): Fold[] {
  return foldsFromIds(kFoldIds(n, k, seed));
}

export function stratifiedKFold(labels: ArrayLike<number | string>, k: number, seed: number): Fold[] {
  return foldsFromIds(stratifiedKFoldIds(labels, k, seed));
}

export function groupKFold(groups: ArrayLike<number | string>, k: number, seed: number): Fold[] {
  return foldsFromIds(groupKFoldIds(groups, k, seed));
}
