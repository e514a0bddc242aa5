/**
 * Scores for the analyses: classification (accuracy, balanced accuracy, macro F1, confusion
 * matrix), regression (R², MAE, RMSE) and rank agreement (Spearman ρ, Kendall τ-b).
 *
 * Definitions follow scikit-learn 1.2 so that the Python cross-check (bench/analysis-crosscheck.py)
 * compares like with like:
 * - balanced accuracy = mean over the classes present in y_true of per-class recall;
 * - macro F1 = unweighted mean of per-class F1 over the union of classes in y_true and y_pred,
 *   with F1 = 0 for a class with no true and no predicted member (sklearn's zero_division=0);
 * - R² = 1 − SS_res / SS_tot (SS_tot = 0 is refused: R² is not defined for a constant target);
 * - Spearman ρ = Pearson correlation of average ranks (ties get the mean rank);
 * - Kendall τ-b (scipy.stats.kendalltau's default) = (C − D) / sqrt((n0 − n1)(n0 − n2)).
 * All are O(n) except Kendall τ (O(n²); the rankings compared here have ≤ 11 items) and the ranks (O(n log n)).
 */

function assertSameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new Error(`analysis/scores: ${what}: y_true has ${a.length} values, y_pred ${b.length}`);
  if (a.length === 0) throw new Error(`analysis/scores: ${what}: empty input`);
}

function assertFinite(a: ArrayLike<number>, what: string, name: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new Error(`analysis/scores: ${what}: ${name}[${i}] is ${a[i]}`);
  }
}

function assertLabels(a: ArrayLike<number>, what: string, name: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isInteger(a[i]) || a[i] < 0) throw new Error(`analysis/scores: ${what}: ${name}[${i}] = ${a[i]} is not a class index`);
  }
}

/** Confusion matrix C[t][p] = #{i : y_true = t, y_pred = p}, over classes 0..k−1 (k inferred if not given). */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses?: number): number[][] {
  assertSameLength(yTrue, yPred, "confusionMatrix");
  assertLabels(yTrue, "confusionMatrix", "y_true");
  assertLabels(yPred, "confusionMatrix", "y_pred");
  let k = numClasses ?? 0;
  if (numClasses === undefined) {
    for (let i = 0; i < yTrue.length; i++) k = Math.max(k, yTrue[i] + 1, yPred[i] + 1);
  }
  const c: number[][] = [];
  for (let i = 0; i < k; i++) c.push(new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] >= k || yPred[i] >= k) throw new Error(`analysis/scores: confusionMatrix: label ${Math.max(yTrue[i], yPred[i])} ≥ numClasses ${k} at ${i}`);
    c[yTrue[i]][yPred[i]]++;
  }
  return c;
}

export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  assertSameLength(yTrue, yPred, "accuracy");
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return ok / yTrue.length;
}

export function balancedAccuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const c = confusionMatrix(yTrue, yPred);
  let sum = 0;
  let present = 0;
  for (let t = 0; t < c.length; t++) {
    let row = 0;
    for (const v of c[t]) row += v;
    if (row === 0) continue;
    sum += c[t][t] / row;
    present++;
  }
  return sum / present;
}

/** Per-class F1 over the union of classes in y_true and y_pred. */
export function f1PerClass(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): Map<number, number> {
  const c = confusionMatrix(yTrue, yPred);
  const out = new Map<number, number>();
  for (let k = 0; k < c.length; k++) {
    let row = 0;
    let col = 0;
    for (let j = 0; j < c.length; j++) {
      row += c[k][j];
      col += c[j][k];
    }
    if (row === 0 && col === 0) continue;
    const tp = c[k][k];
    out.set(k, row + col === 0 ? 0 : (2 * tp) / (row + col));
  }
  return out;
}

export function macroF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const f = f1PerClass(yTrue, yPred);
  let s = 0;
  for (const v of f.values()) s += v;
  return s / f.size;
}

export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  assertSameLength(yTrue, yPred, "r2");
  assertFinite(yTrue, "r2", "y_true");
  assertFinite(yPred, "r2", "y_pred");
  let mean = 0;
  for (let i = 0; i < yTrue.length; i++) mean += yTrue[i];
  mean /= yTrue.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    ssRes += (yTrue[i] - yPred[i]) ** 2;
    ssTot += (yTrue[i] - mean) ** 2;
  }
  if (ssTot === 0) throw new Error("analysis/scores: r2: y_true is constant, R² is not defined");
  return 1 - ssRes / ssTot;
}

export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  assertSameLength(yTrue, yPred, "mae");
  assertFinite(yTrue, "mae", "y_true");
  assertFinite(yPred, "mae", "y_pred");
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i] - yPred[i]);
  return s / yTrue.length;
}

export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  assertSameLength(yTrue, yPred, "rmse");
  assertFinite(yTrue, "rmse", "y_true");
  assertFinite(yPred, "rmse", "y_pred");
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (yTrue[i] - yPred[i]) ** 2;
  return Math.sqrt(s / yTrue.length);
}

/** Average ranks (1-based; ties share the mean of their positions), as scipy.stats.rankdata. */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  assertFinite(x, "averageRanks", "x");
  const n = x.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]] === x[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

/** Pearson correlation; NaN when either input is constant (as scipy). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertSameLength(a, b, "pearson");
  assertFinite(a, "pearson", "a");
  assertFinite(b, "pearson", "b");
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  if (saa === 0 || sbb === 0) return NaN;
  return sab / Math.sqrt(saa * sbb);
}

export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertSameLength(a, b, "spearman");
  return pearson(averageRanks(a), averageRanks(b));
}

/** Kendall τ-b; NaN when either input is constant (as scipy). */
export function kendallTau(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertSameLength(a, b, "kendallTau");
  assertFinite(a, "kendallTau", "a");
  assertFinite(b, "kendallTau", "b");
  const n = a.length;
  let conc = 0;
  let disc = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const da = Math.sign(a[i] - a[j]);
      const db = Math.sign(b[i] - b[j]);
      if (da === 0) tiesA++;
      if (db === 0) tiesB++;
      if (da !== 0 && db !== 0) {
        if (da === db) conc++;
        else disc++;
      }
    }
  }
  const n0 = (n * (n - 1)) / 2;
  const denom = Math.sqrt((n0 - tiesA) * (n0 - tiesB));
  if (denom === 0) return NaN;
  return (conc - disc) / denom;
}

/** All classification scores at once. */
export interface ClassificationScores {
  balancedAccuracy: number;
  accuracy: number;
  macroF1: number;
}

export function classificationScores(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): ClassificationScores {
  return { balancedAccuracy: balancedAccuracy(yTrue, yPred), accuracy: accuracy(yTrue, yPred), macroF1: macroF1(yTrue, yPred) };
}

/** All regression scores at once (Spearman/Kendall between truth and prediction). */
export interface RegressionScores {
  r2: number;
  mae: number;
  rmse: number;
  spearman: number;
  kendall: number;
}

export function regressionScores(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionScores {
  return {
    r2: r2(yTrue, yPred),
    mae: mae(yTrue, yPred),
    rmse: rmse(yTrue, yPred),
    spearman: spearman(yTrue, yPred),
    kendall: kendallTau(yTrue, yPred),
  };
}
