/**
 * The accuracy-drop policy (the regression target; the released data has no dense accuracies,
 * reference-notes §4):
 * 1. a column `accuracy_drop` in the input (own grid results) is used as is;
 * 2. else a column `dense_accuracy`: drop = dense_accuracy − accuracy;
 * 3. else a dense-baseline table (CSV with model, dataset, accuracy[, seed]): drop = dense − accuracy,
 *    with the dense accuracy of the same seed when the table has seeds for it, else the mean over seeds;
 * 4. else the fallback: drop = (best accuracy among all runs of the same model and dataset) − accuracy.
 *    It is an absolute drop in accuracy points (fractions), ≥ 0, and 0 for the best run.
 * The network-table loader (./data.ts) picks the first that applies.
 */
import { readCsv, numberColumn, stringColumn, hasColumn } from "../io/csv";
import type { NetTable } from "./table";

/** A dense-baseline table: accuracy per (model, dataset[, seed]). */
export interface DenseTable {
  bySeed: Map<string, number>;
  mean: Map<string, number>;
}

/** Reads a dense-baseline CSV with columns model, dataset, accuracy and optionally seed. */
export function loadDenseTable(file: string): DenseTable {
  const t = readCsv(file);
  const model = stringColumn(t, "model");
  const dataset = stringColumn(t, "dataset");
  const acc = numberColumn(t, "accuracy");
  const seed = hasColumn(t, "seed") ? numberColumn(t, "seed") : null;
  const bySeed = new Map<string, number>();
  const sums = new Map<string, [number, number]>();
  for (let i = 0; i < t.rows.length; i++) {
    if (!Number.isFinite(acc[i])) throw new Error(`analysis/data: ${file}:${t.lines[i]}: dense accuracy is '${t.rows[i][t.header.indexOf("accuracy")]}'`);
    const k = `${model[i]}|${dataset[i]}`;
    if (seed) bySeed.set(`${k}|${seed[i]}`, acc[i]);
    const s = sums.get(k) ?? [0, 0];
    s[0] += acc[i];
    s[1] += 1;
    sums.set(k, s);
  }
  const mean = new Map<string, number>();
  for (const [k, [s, c]] of sums) mean.set(k, s / c);
  return { bySeed, mean };
}

/** drop = dense accuracy (same seed if known, else mean over seeds) − accuracy. */
export function applyDenseTable(t: NetTable, dense: DenseTable): void {
  for (let i = 0; i < t.n; i++) {
    const k = `${t.model[i]}|${t.dataset[i]}`;
    const d = dense.bySeed.get(`${k}|${t.seed[i]}`) ?? dense.mean.get(k);
    if (d === undefined) throw new Error(`analysis/data: the dense table has no accuracy for model '${t.model[i]}', dataset '${t.dataset[i]}'`);
    t.denseAccuracy[i] = d;
    t.accuracyDrop[i] = d - t.accuracy[i];
  }
  t.dropSource = "dense table";
}

/** Fallback drop: best accuracy among all runs of the same model and dataset − accuracy. */
export function applyBestRunDrop(t: NetTable): void {
  const best = new Map<string, number>();
  for (let i = 0; i < t.n; i++) {
    const k = `${t.model[i]}|${t.dataset[i]}`;
    best.set(k, Math.max(best.get(k) ?? -Infinity, t.accuracy[i]));
  }
  for (let i = 0; i < t.n; i++) {
    t.denseAccuracy[i] = NaN;
    t.accuracyDrop[i] = best.get(`${t.model[i]}|${t.dataset[i]}`)! - t.accuracy[i];
  }
  t.dropSource = "best run of same model and dataset";
}
