/**
 * The paper's analyses as functions returning tidy tables (one observation per row):
 * (a) classify the pruning algorithm (11 classes) or its category (3) from the MGE topometrics
 *     (v1 of the paper, reference-notes §5.1);
 * (b) regress the accuracy drop from MGE vs rolled-BGE vs rolled-channel-BGE vs Ramanujan metrics vs
 *     a density-only baseline (v2 §4.2.1), scored overall, per sparsity and per architecture;
 * (c) SHAP importance (mean |TreeSHAP| contribution) of each topometric per sparsity and per
 *     architecture (v2 §4.2.2);
 * (d) rank the PaI algorithms per (architecture, dataset, sparsity) by predicted drop and compare
 *     with the true ranking by Kendall τ-b (v2 §4.2.3), MGE vs Ramanujan metrics;
 * (e) correlations of per-layer Ramanujan metrics with layer density, and of network-level
 *     features with the drop (v2 §4.1).
 *
 * Design choices (the paper's are unknown, §7):
 * - (b) all feature sets use the same rows (networks present in every encoding) and the same folds,
 *   so their scores are comparable; per-sparsity / per-architecture scores are computed on the
 *   out-of-fold predictions of the one overall CV, restricted to that group.
 * - (d) uses grouped 5-fold CV with the (architecture, dataset, sparsity) cell as group, so no network
 *   of a ranked cell is seen in training; predicted and true drops are averaged over seeds per algorithm.
 */
import type { NetTable, LayerRows } from "./data";
import { PAI_ALGORITHMS, filterTable } from "./data";
import { featureMatrix, featureSetName, featureColumn, type FeatureSpec } from "./features";
import { CLASSIFY_PROTOCOL, REGRESS_PROTOCOL, cvClassify, cvRegress, encodeLabels, fitRegressor, type BoostProtocol } from "./models";
import { stratifiedKFoldIds, kFoldIds, groupKFoldIds } from "./cv";
import { balancedAccuracy, accuracy, macroF1, confusionMatrix, regressionScores, kendallTau, spearman, pearson } from "./scores";
import { shapXgb, takeRows } from "./xgboost";
import type { Progress } from "../util/progress";

/** A tidy score row. */
export interface ScoreRow {
  task: string;
  features: string;
  /** "all", "sparsity", "model" or "fold". */
  groupBy: string;
  group: string;
  metric: string;
  value: number;
  n: number;
}

export interface ClassificationResult {
  target: "algorithm" | "category";
  classes: string[];
  scores: ScoreRow[];
  /** confusion[t][p] over `classes`. */
  confusion: number[][];
  pred: Int32Array;
  truth: Int32Array;
  foldIds: Int32Array;
}

export interface ExperimentOptions {
  protocol?: BoostProtocol;
  progress?: Progress;
  /**
   * regressDrop only: grouped CV instead of k-fold, e.g. "model" = leave one architecture out
   * (as many folds as architectures when there are fewer than `protocol.folds`).
   */
  groupBy?: "model" | "dataset";
}

/**
 * (a) Classify the algorithm or its category; stratified CV on that target.
 * @example
 *   const { table } = loadNetworkCsv();
 *   const r = classifyPruner(table, "algorithm", "mge");
 * @throws when a feature set's columns are missing from the table or XGBoost is not installed.
 */
export function classifyPruner(
  t: NetTable,
  target: "algorithm" | "category",
  features: FeatureSpec = "mge",
  opts: ExperimentOptions = {},
): ClassificationResult {
  const protocol = opts.protocol ?? CLASSIFY_PROTOCOL;
  const labels = target === "algorithm" ? t.pruning : t.category;
  const { codes, classes } = encodeLabels(labels);
  const { x } = featureMatrix(t, features);
  const foldIds = stratifiedKFoldIds(codes, protocol.folds, protocol.seed);
  opts.progress?.update(0, 1);
  const { pred } = cvClassify(x, codes, classes.length, foldIds, protocol);
  opts.progress?.update(1, 1);
  const fname = featureSetName(features);
  const task = `classify-${target}`;
  const scores: ScoreRow[] = [];
  const push = (groupBy: string, group: string, idx: number[] | null) => {
    const yt = idx ? idx.map((i) => codes[i]) : codes;
    const yp = idx ? idx.map((i) => pred[i]) : pred;
    const n = yt.length;
    scores.push({ task, features: fname, groupBy, group, metric: "balanced_accuracy", value: balancedAccuracy(yt, yp), n });
    scores.push({ task, features: fname, groupBy, group, metric: "accuracy", value: accuracy(yt, yp), n });
    scores.push({ task, features: fname, groupBy, group, metric: "macro_f1", value: macroF1(yt, yp), n });
  };
  push("all", "all", null);
  for (let f = 0; f < protocol.folds; f++) push("fold", String(f), indicesWhere(t.n, (i) => foldIds[i] === f));
  for (const [g, idx] of groupIndices(t, "sparsity")) push("sparsity", g, idx);
  for (const [g, idx] of groupIndices(t, "model")) push("model", g, idx);
  return { target, classes, scores, confusion: confusionMatrix(codes, pred, classes.length), pred, truth: codes, foldIds };
}

function indicesWhere(n: number, f: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (f(i)) out.push(i);
  return out;
}

/** Row indices grouped by sparsity, model or dataset (groups in sorted order). */
export function groupIndices(t: NetTable, by: "sparsity" | "model" | "dataset"): [string, number[]][] {
  const m = new Map<string, number[]>();
  for (let i = 0; i < t.n; i++) {
    const k = by === "sparsity" ? String(t.sparsity[i]) : by === "model" ? t.model[i] : t.dataset[i];
    const l = m.get(k);
    if (l) l.push(i);
    else m.set(k, [i]);
  }
  return [...m.entries()].sort((a, b) => (by === "sparsity" ? Number(a[0]) - Number(b[0]) : a[0] < b[0] ? -1 : 1));
}

export interface RegressionResult {
  scores: ScoreRow[];
  /** Out-of-fold predictions per feature set. */
  predictions: Record<string, Float64Array>;
  truth: Float64Array;
  foldIds: Int32Array;
}

/**
 * (b) Regress the accuracy drop with each feature set on the same rows and folds.
 * @example
 *   const r = regressDrop(loadPaperData().joined, ["mge", "ramanujan", "density"]);
 * @throws when a feature set's columns are missing from the table or XGBoost is not installed.
 */
export function regressDrop(
  t: NetTable,
  sets: (FeatureSpec)[] = ["mge", "rolled", "rolled-channel", "ramanujan", "density"],
  opts: ExperimentOptions = {},
): RegressionResult {
  const protocol = opts.protocol ?? REGRESS_PROTOCOL;
  const y = t.accuracyDrop;
  let foldIds: Int32Array;
  if (opts.groupBy) {
    const groups = opts.groupBy === "model" ? t.model : t.dataset;
    const distinct = new Set(groups).size;
    if (distinct < 2) throw new Error(`analysis/experiments: grouped CV by ${opts.groupBy} needs at least 2 groups, the table has ${distinct}`);
    foldIds = groupKFoldIds(groups, Math.min(protocol.folds, distinct), protocol.seed);
  } else {
    foldIds = kFoldIds(t.n, protocol.folds, protocol.seed);
  }
  const scores: ScoreRow[] = [];
  const predictions: Record<string, Float64Array> = {};
  sets.forEach((set, s) => {
    opts.progress?.update(s, sets.length);
    const fname = featureSetName(set);
    const { x } = featureMatrix(t, set);
    const pred = cvRegress(x, y, foldIds, protocol);
    predictions[fname] = pred;
    const push = (groupBy: string, group: string, idx: number[] | null) => {
      const yt = idx ? idx.map((i) => y[i]) : y;
      const yp = idx ? idx.map((i) => pred[i]) : pred;
      const sc = regressionScores(yt, yp);
      for (const [metric, value] of Object.entries(sc)) scores.push({ task: "regress-drop", features: fname, groupBy, group, metric, value, n: yt.length });
    };
    push("all", "all", null);
    for (const [g, idx] of groupIndices(t, "sparsity")) push("sparsity", g, idx);
    for (const [g, idx] of groupIndices(t, "model")) push("model", g, idx);
  });
  opts.progress?.update(sets.length, sets.length);
  return { scores, predictions, truth: Float64Array.from(y), foldIds };
}

export interface ShapRow {
  features: string;
  groupBy: string;
  group: string;
  feature: string;
  meanAbsShap: number;
  n: number;
}

export interface ShapResult {
  rows: ShapRow[];
  names: string[];
  /** n × p contributions (bias column dropped), row-major. */
  shap: Float64Array;
  /** n × p feature values (for beeswarm colouring). */
  values: Float64Array;
  /** Bias (expected value) per row. */
  bias: Float64Array;
}

/**
 * (c) Mean |SHAP| of each feature for a drop regressor (importance explains a fitted model, so no
 * CV), overall, per sparsity and per architecture. By default one model is fitted on all rows and
 * its contributions are averaged within each group; with `refitPerGroup` each sparsity and each
 * architecture gets its own model fitted on its rows only (what matters *within* a sparsity level,
 * rather than what the global model uses there). `shap`/`values` always come from the global model.
 * @example
 *   const s = shapImportance(table, "mge");
 * @throws when the feature set's columns are missing or XGBoost is not installed.
 */
export function shapImportance(t: NetTable, features: FeatureSpec = "mge", opts: ExperimentOptions & { refitPerGroup?: boolean } = {}): ShapResult {
  const protocol = opts.protocol ?? REGRESS_PROTOCOL;
  const { x, names } = featureMatrix(t, features);
  const p = names.length;
  const contributions = (rows: number[] | null): Float64Array => {
    const xs = rows ? takeRows(x, rows) : x;
    const ys = rows ? Float64Array.from(rows, (i) => t.accuracyDrop[i]) : t.accuracyDrop;
    const b = fitRegressor(xs, ys, protocol);
    try {
      return shapXgb(b, xs);
    } finally {
      b.dispose();
    }
  };
  const contrib = contributions(null);
  const shap = new Float64Array(t.n * p);
  const bias = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    for (let j = 0; j < p; j++) shap[i * p + j] = contrib[i * (p + 1) + j];
    bias[i] = contrib[i * (p + 1) + p];
  }
  const fname = featureSetName(features);
  const rows: ShapRow[] = [];
  const push = (groupBy: string, group: string, idx: number[]) => {
    const local = opts.refitPerGroup && groupBy !== "all" ? contributions(idx) : null;
    for (let j = 0; j < p; j++) {
      let s = 0;
      if (local) for (let k = 0; k < idx.length; k++) s += Math.abs(local[k * (p + 1) + j]);
      else for (const i of idx) s += Math.abs(shap[i * p + j]);
      rows.push({ features: fname, groupBy, group, feature: names[j], meanAbsShap: s / idx.length, n: idx.length });
    }
  };
  push("all", "all", indicesWhere(t.n, () => true));
  for (const [g, idx] of groupIndices(t, "sparsity")) push("sparsity", g, idx);
  for (const [g, idx] of groupIndices(t, "model")) push("model", g, idx);
  return { rows, names, shap, values: Float64Array.from(x.data), bias };
}

export interface RankRow {
  features: string;
  model: string;
  dataset: string;
  sparsity: number;
  nAlgorithms: number;
  kendallTau: number;
  /** Algorithms by true mean drop (best first) and by predicted mean drop. */
  trueOrder: string;
  predictedOrder: string;
}

export interface RankingResult {
  rows: RankRow[];
  /** Mean τ over cells per feature set (cells with a defined τ). */
  summary: { features: string; meanKendallTau: number; cells: number }[];
}

/**
 * (d) Rank the 7 PaI algorithms in each (model, dataset, sparsity) cell by predicted drop and compare
 * with the true ranking (Kendall τ-b). Cells with fewer than 3 algorithms are skipped (τ is not informative).
 * @example
 *   const r = rankPaI(loadPaperData().joined, ["mge", "ramanujan"]);
 * @throws when a feature set's columns are missing or XGBoost is not installed.
 */
export function rankPaI(t: NetTable, sets: (FeatureSpec)[] = ["mge", "ramanujan"], opts: ExperimentOptions = {}): RankingResult {
  const protocol = opts.protocol ?? REGRESS_PROTOCOL;
  const pai = new Set<string>(PAI_ALGORITHMS);
  const sub = filterTable(t, (i) => pai.has(t.pruning[i]));
  const cellOf = Array.from({ length: sub.n }, (_, i) => `${sub.model[i]}|${sub.dataset[i]}|${sub.sparsity[i]}`);
  const foldIds = groupKFoldIds(cellOf, protocol.folds, protocol.seed);
  const rows: RankRow[] = [];
  const summary: RankingResult["summary"] = [];
  sets.forEach((set, s) => {
    opts.progress?.update(s, sets.length);
    const fname = featureSetName(set);
    const { x } = featureMatrix(sub, set);
    const pred = cvRegress(x, sub.accuracyDrop, foldIds, protocol);
    const cells = new Map<string, Map<string, [number, number, number]>>();
    for (let i = 0; i < sub.n; i++) {
      let c = cells.get(cellOf[i]);
      if (!c) cells.set(cellOf[i], (c = new Map()));
      const a = c.get(sub.pruning[i]) ?? [0, 0, 0];
      a[0] += sub.accuracyDrop[i];
      a[1] += pred[i];
      a[2] += 1;
      c.set(sub.pruning[i], a);
    }
    let tauSum = 0;
    let tauN = 0;
    for (const key of [...cells.keys()].sort()) {
      const c = cells.get(key)!;
      if (c.size < 3) continue;
      const algs = [...c.keys()].sort();
      const tr = algs.map((a) => c.get(a)![0] / c.get(a)![2]);
      const pr = algs.map((a) => c.get(a)![1] / c.get(a)![2]);
      const tau = kendallTau(tr, pr);
      const order = (v: number[]) => algs.map((a, i) => [a, v[i]] as const).sort((p, q) => p[1] - q[1]).map((p) => p[0]).join(" > ");
      const [model, dataset, sp] = key.split("|");
      rows.push({ features: fname, model, dataset, sparsity: Number(sp), nAlgorithms: algs.length, kendallTau: tau, trueOrder: order(tr), predictedOrder: order(pr) });
      if (!Number.isNaN(tau)) {
        tauSum += tau;
        tauN++;
      }
    }
    summary.push({ features: fname, meanKendallTau: tauSum / tauN, cells: tauN });
  });
  opts.progress?.update(sets.length, sets.length);
  return { rows, summary };
}

export interface CorrelationRow {
  metric: string;
  against: string;
  groupBy: string;
  group: string;
  spearman: number;
  pearson: number;
  /** Pairs used (both values finite). */
  n: number;
  /** Pairs left out because a value is NaN or ±inf (undefined metric, reference-notes §2.3). */
  excluded: number;
}

function correlate(metric: string, against: string, groupBy: string, group: string, a: ArrayLike<number>, b: ArrayLike<number>, idx: number[]): CorrelationRow {
  const x: number[] = [];
  const y: number[] = [];
  for (const i of idx) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      x.push(a[i]);
      y.push(b[i]);
    }
  }
  const ok = x.length >= 3;
  return {
    metric,
    against,
    groupBy,
    group,
    spearman: ok ? spearman(x, y) : NaN,
    pearson: ok ? pearson(x, y) : NaN,
    n: x.length,
    excluded: idx.length - x.length,
  };
}

/**
 * (e) How much of each per-layer metric is layer density: Spearman ρ and Pearson r between the
 * metric and the layer density over all layers, and per architecture (the v2 §4.1 question, on
 * the per-layer level).
 */
export function layerDensityCorrelation(layers: LayerRows, metrics: readonly string[]): CorrelationRow[] {
  const out: CorrelationRow[] = [];
  const all = Array.from({ length: layers.n }, (_, i) => i);
  const byModel = new Map<string, number[]>();
  for (let i = 0; i < layers.n; i++) {
    const l = byModel.get(layers.model[i]);
    if (l) l.push(i);
    else byModel.set(layers.model[i], [i]);
  }
  for (const m of metrics) {
    const col = layers.num[m];
    if (!col) throw new Error(`analysis/experiments: no layer metric '${m}' in ${layers.source}`);
    out.push(correlate(m, "layer density", "all", "all", col, layers.density, all));
    for (const [g, idx] of [...byModel.entries()].sort()) out.push(correlate(m, "layer density", "model", g, col, layers.density, idx));
  }
  return out;
}

/** Spearman ρ / Pearson r of network-level columns with the accuracy drop, overall and per sparsity. */
export function dropCorrelation(t: NetTable, columns: string[]): CorrelationRow[] {
  const out: CorrelationRow[] = [];
  const all = Array.from({ length: t.n }, (_, i) => i);
  for (const c of columns) {
    const col = featureColumn(t, c);
    out.push(correlate(c, "accuracy drop", "all", "all", col, t.accuracyDrop, all));
    for (const [g, idx] of groupIndices(t, "sparsity")) out.push(correlate(c, "accuracy drop", "sparsity", g, col, t.accuracyDrop, idx));
  }
  return out;
}

/**
 * Tidy score rows → one row per (feature set, group) with one column per metric, for display.
 * `groupBy` "all" gives the overall scores; "fold", "sparsity" or "model" one row per group.
 */
export function wideScores(rows: ScoreRow[], groupBy: string): Record<string, string | number>[] {
  const sel = rows.filter((r) => r.groupBy === groupBy);
  const out = new Map<string, Record<string, string | number>>();
  for (const r of sel) {
    const k = `${r.features}\u0000${r.group}`;
    let row = out.get(k);
    if (!row) {
      row = { features: r.features, [groupBy === "all" ? "scope" : groupBy]: groupBy === "all" ? "overall" : r.group };
      out.set(k, row);
    }
    row[r.metric] = r.value;
    row.networks = r.n;
  }
  // networks last
  return [...out.values()].map((row) => {
    const { networks, ...rest } = row;
    return { ...rest, networks };
  });
}
