/**
 * The network table: one row per trained network (the paper's released rows or the experiment
 * grid's own), identity columns as arrays and the numeric feature columns by name; the row
 * operations the analyses use (keys, selection, filtering, plain records).
 */

/** How the accuracy drop of a table was obtained. */
export type DropSource = "accuracy_drop column" | "dense_accuracy column" | "dense table" | "best run of same model and dataset";

/** One row per trained network; features are the numeric columns in `num`. */
export interface NetTable {
  n: number;
  model: string[];
  dataset: string[];
  pruning: string[];
  category: string[];
  sparsity: Float64Array;
  seed: Float64Array;
  accuracy: Float64Array;
  /** Dense accuracy used for the drop (NaN where the best-run fallback was used). */
  denseAccuracy: Float64Array;
  accuracyDrop: Float64Array;
  dropSource: DropSource;
  /** Numeric feature columns by name. */
  num: Record<string, Float64Array>;
  /** Where it came from, for messages. */
  source: string;
}

/** Key of one setting (one trained network). */
export function settingKey(model: string, dataset: string, pruning: string, sparsity: number, seed: number): string {
  return `${model}|${dataset}|${pruning}|${sparsity}|${seed}`;
}

export function tableKeys(t: NetTable): string[] {
  const out: string[] = new Array(t.n);
  for (let i = 0; i < t.n; i++) out[i] = settingKey(t.model[i], t.dataset[i], t.pruning[i], t.sparsity[i], t.seed[i]);
  return out;
}

/** Rows `idx` of a table. */
export function takeTableRows(t: NetTable, idx: ArrayLike<number>): NetTable {
  const pick = <T>(a: T[]): T[] => Array.from(idx as ArrayLike<number>, (i) => a[i]);
  const pickN = (a: Float64Array): Float64Array => Float64Array.from(idx as ArrayLike<number>, (i) => a[i]);
  const num: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(t.num)) num[k] = pickN(v);
  return {
    n: idx.length,
    model: pick(t.model),
    dataset: pick(t.dataset),
    pruning: pick(t.pruning),
    category: pick(t.category),
    sparsity: pickN(t.sparsity),
    seed: pickN(t.seed),
    accuracy: pickN(t.accuracy),
    denseAccuracy: pickN(t.denseAccuracy),
    accuracyDrop: pickN(t.accuracyDrop),
    dropSource: t.dropSource,
    num,
    source: t.source,
  };
}

/** Rows for which `keep(i)` is true. */
export function filterTable(t: NetTable, keep: (i: number) => boolean): NetTable {
  const idx: number[] = [];
  for (let i = 0; i < t.n; i++) if (keep(i)) idx.push(i);
  return takeTableRows(t, idx);
}

/** Plain records (one object per network), e.g. for a danfo DataFrame or a CSV. */
export function tableRecords(t: NetTable, columns?: string[]): Record<string, string | number>[] {
  const cols = columns ?? Object.keys(t.num);
  const out: Record<string, string | number>[] = [];
  for (let i = 0; i < t.n; i++) {
    const r: Record<string, string | number> = {
      model: t.model[i],
      dataset: t.dataset[i],
      pruning: t.pruning[i],
      category: t.category[i],
      sparsity: t.sparsity[i],
      seed: t.seed[i],
      accuracy: t.accuracy[i],
      accuracy_drop: t.accuracyDrop[i],
    };
    for (const c of cols) {
      if (!(c in t.num)) throw new Error(`analysis/table: no column '${c}' in ${t.source}`);
      r[c] = t.num[c][i];
    }
    out.push(r);
  }
  return out;
}
