/**
 * Loaders for the paper's released metrics (layout of shared/paper-data, reference-notes §2, §5.2)
 * and for the project's own experiment-grid results, into one network-per-row table.
 *
 * - `graph_metrics/unrolled/unrolled.csv`: one row per trained SNN with the 16 MGE topometrics
 *   (§2.1). 47 settings (model, dataset, pruning, sparsity, seed) appear twice, as identical rows
 *   (all WRN-28-2 / Tiny-ImageNet, §5.2): the first occurrence is kept; two rows of one setting that
 *   differ are an error.
 * - `graph_metrics/rolled/rolled-<dataset>-<model>.csv` and `rolled_channel/…`: one row per layer
 *   (§2.2). The algorithm column is `pruning_algorithm` in most files and `pruning` in two.
 * - `ramanunjan_results/<model>/rolled-<dataset>-<model>.csv`: one row per layer, **no algorithm
 *   column**; its rows are in the same order as the rolled file (§2.3), so the algorithm is taken
 *   from the rolled row with the same index, after checking that accuracy, sparsity, seed, layer name
 *   and layer density agree row by row (an Error names the file and row otherwise).
 * - Per-layer tables are aggregated per network: mean, min and max over layers, and a
 *   density-weighted mean Σ_l d_l·m_l / Σ_l d_l with d_l the layer density (`layer_sparsity` in the
 *   files is density, §2.2). Layers where a metric is undefined are left out of that metric's
 *   aggregates (all-undefined gives NaN): NaN (e.g. the iterative Ramanujan metrics of the first
 *   conv, §2.3) and −inf (90 `degree_bound` values of tiny ResNet/WRN layers at 0.98 sparsity, where
 *   the Ramanujan bound √(d_l−1)+√(d_r−1) is 0 and δ_r divides by it). The count of infinite values
 *   left out is returned (`infiniteLayerValues`) and shown by the notebooks.
 *
 * Accuracy drop (the regression target; the released data has no dense accuracies, §4):
 * 1. a column `accuracy_drop` in the input (own grid results) is used as is;
 * 2. else a column `dense_accuracy`: drop = dense_accuracy − accuracy;
 * 3. else a dense-baseline table (CSV with model, dataset, accuracy[, seed]): drop = dense − accuracy,
 *    with the dense accuracy of the same seed when the table has seeds for it, else the mean over seeds;
 * 4. else the fallback: drop = (best accuracy among all runs of the same model and dataset) − accuracy.
 *    It is an absolute drop in accuracy points (fractions), ≥ 0, and 0 for the best run.
 */
import path from "node:path";
import fs from "node:fs";
import { readCsv, numberColumn, stringColumn, hasColumn, type CsvTable } from "../io/csv";
import { paperDataDir } from "../io/paths";

import { BGE_COLUMN_ALIASES, BGE_LAYER_METRICS, LAYER_AGGREGATES, LAYER_ENCODING_PREFIX, RAMANUJAN_LAYER_METRICS } from "../metrics/catalogue";
export { MGE_METRICS, MGE_METRIC_GROUPS, BGE_LAYER_METRICS, BGE_COLUMN_ALIASES, RAMANUJAN_LAYER_METRICS, LAYER_AGGREGATES } from "../metrics/catalogue";

import { prunerCategory } from "../pruning/catalogue";
export { PRUNER_CATEGORY, PAI_ALGORITHMS, PAPER_PRUNERS, prunerCategory } from "../pruning/catalogue";

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

export interface LoadOptions {
  /** Dense baselines (a path to a CSV or a loaded table); see the module comment for precedence. */
  dense?: string | DenseTable;
  /** Keep duplicate settings instead of removing them (default false). */
  keepDuplicates?: boolean;
}

export interface LoadInfo {
  rowsRead: number;
  duplicatesRemoved: number;
  dropSource: DropSource;
}

/** Path of the released unrolled.csv. */
export function unrolledCsvPath(dir = paperDataDir()): string {
  return path.join(dir, "graph_metrics", "unrolled", "unrolled.csv");
}

/**
 * Loads unrolled.csv, or the experiment grid's own results (a superset of its columns, possibly
 * with `dense_accuracy`, `accuracy_drop`, `realised_sparsity`). Every other numeric column is kept
 * in `num`; string columns other than model/dataset/pruning are dropped.
 */
export function loadNetworkCsv(file = unrolledCsvPath(), opts: LoadOptions = {}): { table: NetTable; info: LoadInfo } {
  if (!fs.existsSync(file)) {
    throw new Error(`analysis/data: ${file} not found (set SNN_PAPER_DATA or run \`npm run fetch-paper-data\` for the paper's data)`);
  }
  const t = readCsv(file);
  return networkTableFromCsv(t, opts);
}

const ID_COLUMNS = new Set(["model", "dataset", "pruning", "pruning_algorithm", "sparsity", "seed", "accuracy", "dense_accuracy", "accuracy_drop"]);

/** Builds a NetTable from a parsed network-per-row CSV (see loadNetworkCsv). */
export function networkTableFromCsv(t: CsvTable, opts: LoadOptions = {}): { table: NetTable; info: LoadInfo } {
  const prCol = hasColumn(t, "pruning") ? "pruning" : "pruning_algorithm";
  const model = stringColumn(t, "model");
  const dataset = stringColumn(t, "dataset");
  const pruning = stringColumn(t, prCol).map((s) => s.toLowerCase());
  const sparsity = numberColumn(t, "sparsity");
  const seed = numberColumn(t, "seed");
  const accuracy = numberColumn(t, "accuracy");
  const numNames: string[] = [];
  const numCols: Float64Array[] = [];
  for (const name of t.header) {
    if (ID_COLUMNS.has(name)) continue;
    let numeric = true;
    const j = t.header.indexOf(name);
    for (let i = 0; i < t.rows.length && numeric; i++) {
      const s = t.rows[i][j].trim();
      if (s !== "" && s !== "nan" && s !== "NaN" && Number.isNaN(Number(s))) numeric = false;
    }
    if (!numeric) continue;
    numNames.push(name);
    numCols.push(numberColumn(t, name));
  }
  for (let i = 0; i < t.rows.length; i++) {
    if (!(accuracy[i] >= 0 && accuracy[i] <= 1)) {
      throw new Error(`analysis/data: ${t.source}:${t.lines[i]}: accuracy ${accuracy[i]} is not a fraction in [0, 1]`);
    }
    if (!Number.isFinite(sparsity[i]) || !Number.isFinite(seed[i])) {
      throw new Error(`analysis/data: ${t.source}:${t.lines[i]}: sparsity/seed must be numbers`);
    }
    prunerCategory(pruning[i]);
  }
  // Duplicates: identical rows are merged, differing ones refused.
  const keep: number[] = [];
  const firstOf = new Map<string, number>();
  let duplicates = 0;
  for (let i = 0; i < t.rows.length; i++) {
    const k = settingKey(model[i], dataset[i], pruning[i], sparsity[i], seed[i]);
    const f = firstOf.get(k);
    if (f === undefined || opts.keepDuplicates) {
      firstOf.set(k, i);
      keep.push(i);
      continue;
    }
    const a = t.rows[f];
    const b = t.rows[i];
    if (a.some((v, j) => v !== b[j])) {
      throw new Error(`analysis/data: ${t.source}: lines ${t.lines[f]} and ${t.lines[i]} are the same setting (${k}) with different values`);
    }
    duplicates++;
  }
  const num: Record<string, Float64Array> = {};
  numNames.forEach((name, c) => {
    num[name] = Float64Array.from(keep, (i) => numCols[c][i]);
  });
  const n = keep.length;
  const table: NetTable = {
    n,
    model: keep.map((i) => model[i]),
    dataset: keep.map((i) => dataset[i]),
    pruning: keep.map((i) => pruning[i]),
    category: keep.map((i) => prunerCategory(pruning[i])),
    sparsity: Float64Array.from(keep, (i) => sparsity[i]),
    seed: Float64Array.from(keep, (i) => seed[i]),
    accuracy: Float64Array.from(keep, (i) => accuracy[i]),
    denseAccuracy: new Float64Array(n).fill(NaN),
    accuracyDrop: new Float64Array(n),
    dropSource: "best run of same model and dataset",
    num,
    source: t.source,
  };
  const sub = (col: string) => Float64Array.from(keep, (i) => numberColumn(t, col)[i]);
  if (hasColumn(t, "accuracy_drop")) {
    table.accuracyDrop = sub("accuracy_drop");
    if (hasColumn(t, "dense_accuracy")) table.denseAccuracy = sub("dense_accuracy");
    table.dropSource = "accuracy_drop column";
  } else if (hasColumn(t, "dense_accuracy")) {
    table.denseAccuracy = sub("dense_accuracy");
    for (let i = 0; i < n; i++) table.accuracyDrop[i] = table.denseAccuracy[i] - table.accuracy[i];
    table.dropSource = "dense_accuracy column";
  } else if (opts.dense !== undefined) {
    applyDenseTable(table, typeof opts.dense === "string" ? loadDenseTable(opts.dense) : opts.dense);
  } else {
    applyBestRunDrop(table);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(table.accuracyDrop[i])) {
      throw new Error(`analysis/data: ${t.source}: accuracy drop of ${tableKeys(table)[i]} is ${table.accuracyDrop[i]} (${table.dropSource})`);
    }
  }
  return { table, info: { rowsRead: t.rows.length, duplicatesRemoved: duplicates, dropSource: table.dropSource } };
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

/** One layer row of a rolled / rolled-channel / Ramanujan file. */
export interface LayerRows {
  n: number;
  model: string[];
  dataset: string[];
  pruning: string[];
  sparsity: Float64Array;
  seed: Float64Array;
  accuracy: Float64Array;
  layerId: Float64Array;
  layerName: string[];
  /** Layer density (the files' `layer_sparsity`). */
  density: Float64Array;
  num: Record<string, Float64Array>;
  source: string;
}

function layerRowsFromCsv(t: CsvTable, metrics: readonly string[], pruning: string[] | null): LayerRows {
  const prCol = hasColumn(t, "pruning_algorithm") ? "pruning_algorithm" : hasColumn(t, "pruning") ? "pruning" : null;
  const pr = pruning ?? (prCol ? stringColumn(t, prCol).map((s) => s.toLowerCase()) : null);
  if (!pr) throw new Error(`analysis/data: ${t.source} has no pruning column and no algorithm list was given`);
  const num: Record<string, Float64Array> = {};
  for (const m of metrics) {
    const alias = BGE_COLUMN_ALIASES[m];
    num[m] = !hasColumn(t, m) && alias !== undefined && hasColumn(t, alias) ? numberColumn(t, alias) : numberColumn(t, m);
  }
  return {
    n: t.rows.length,
    model: stringColumn(t, "model"),
    dataset: stringColumn(t, "dataset"),
    pruning: pr,
    sparsity: numberColumn(t, "sparsity"),
    seed: numberColumn(t, "seed"),
    accuracy: numberColumn(t, "accuracy"),
    layerId: numberColumn(t, "layer_id"),
    layerName: stringColumn(t, "layer_name"),
    density: numberColumn(t, "layer_sparsity"),
    num,
    source: t.source,
  };
}

function concatLayers(parts: LayerRows[], source: string): LayerRows {
  const num: Record<string, Float64Array> = {};
  const names = parts.length > 0 ? Object.keys(parts[0].num) : [];
  const cat = (get: (p: LayerRows) => Float64Array) => {
    const total = parts.reduce((s, p) => s + p.n, 0);
    const out = new Float64Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(get(p), o);
      o += p.n;
    }
    return out;
  };
  for (const m of names) num[m] = cat((p) => p.num[m]);
  return {
    n: parts.reduce((s, p) => s + p.n, 0),
    model: parts.flatMap((p) => p.model),
    dataset: parts.flatMap((p) => p.dataset),
    pruning: parts.flatMap((p) => p.pruning),
    sparsity: cat((p) => p.sparsity),
    seed: cat((p) => p.seed),
    accuracy: cat((p) => p.accuracy),
    layerId: cat((p) => p.layerId),
    layerName: parts.flatMap((p) => p.layerName),
    density: cat((p) => p.density),
    num,
    source,
  };
}

function listCsv(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new Error(`analysis/data: folder ${dir} not found (set SNN_PAPER_DATA)`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".csv"))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Per-layer BGE rows of every rolled (or rolled-channel) file. */
export function loadBgeLayers(kind: "rolled" | "rolled_channel", dir = paperDataDir(), metrics: readonly string[] = BGE_LAYER_METRICS): LayerRows {
  const folder = path.join(dir, "graph_metrics", kind);
  return concatLayers(
    listCsv(folder).map((f) => layerRowsFromCsv(readCsv(f), metrics, null)),
    folder,
  );
}

/**
 * Per-layer Ramanujan rows with their algorithm recovered from the rolled file of the same
 * (dataset, model) by row order (reference-notes §2.3), after a row-by-row consistency check.
 * Also carries `no_weights` and `no_params` (for the global density).
 */
export function loadRamanujanLayers(dir = paperDataDir()): LayerRows {
  const root = path.join(dir, "ramanunjan_results");
  if (!fs.existsSync(root)) throw new Error(`analysis/data: folder ${root} not found (set SNN_PAPER_DATA)`);
  const parts: LayerRows[] = [];
  for (const model of fs.readdirSync(root).sort()) {
    const sub = path.join(root, model);
    if (!fs.statSync(sub).isDirectory()) continue;
    for (const file of listCsv(sub)) {
      const base = path.basename(file);
      const rolledFile = path.join(dir, "graph_metrics", "rolled", base);
      if (!fs.existsSync(rolledFile)) throw new Error(`analysis/data: ${file} has no rolled file ${rolledFile} to take the algorithms from`);
      const rolled = readCsv(rolledFile);
      const ram = readCsv(file);
      if (rolled.rows.length !== ram.rows.length) {
        throw new Error(`analysis/data: ${file} has ${ram.rows.length} rows but ${rolledFile} has ${rolled.rows.length}; the row-order join needs equal files`);
      }
      const prCol = hasColumn(rolled, "pruning_algorithm") ? "pruning_algorithm" : "pruning";
      const algo = stringColumn(rolled, prCol).map((s) => s.toLowerCase());
      checkAligned(ram, rolled);
      parts.push(layerRowsFromCsv(ram, [...RAMANUJAN_LAYER_METRICS, "no_weights", "no_params"], algo));
    }
  }
  return concatLayers(parts, root);
}

function checkAligned(ram: CsvTable, rolled: CsvTable): void {
  const cols: [string, "num" | "str", number][] = [
    ["accuracy", "num", 0],
    ["sparsity", "num", 0],
    ["seed", "num", 0],
    ["layer_name", "str", 0],
    ["layer_sparsity", "num", 1e-6],
  ];
  for (const [c, kind, tol] of cols) {
    if (kind === "str") {
      const a = stringColumn(ram, c);
      const b = stringColumn(rolled, c);
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) throw new Error(`analysis/data: row-order join: ${ram.source}:${ram.lines[i]} ${c}='${a[i]}' but ${rolled.source}:${rolled.lines[i]} has '${b[i]}'`);
      }
    } else {
      const a = numberColumn(ram, c);
      const b = numberColumn(rolled, c);
      for (let i = 0; i < a.length; i++) {
        if (!(Math.abs(a[i] - b[i]) <= tol)) {
          throw new Error(`analysis/data: row-order join: ${ram.source}:${ram.lines[i]} ${c}=${a[i]} but ${rolled.source}:${rolled.lines[i]} has ${b[i]}`);
        }
      }
    }
  }
}

/**
 * Aggregates per-layer metrics per network: `<metric>_<mean|min|max|wmean>` (wmean = weighted by
 * layer density), plus `layer_density_<mean|min|max>` and, when `no_weights`/`no_params` are there,
 * `global_density` = Σ nnz / Σ numel. A network's layers must not be repeated (same layer_id twice → Error).
 */
export interface LayerAggregates {
  keys: string[];
  num: Record<string, Float64Array>;
  accuracy: Float64Array;
  rows: { model: string; dataset: string; pruning: string; sparsity: number; seed: number }[];
  /** Per-layer ±inf metric values left out of the aggregates (see the module comment). */
  infiniteLayerValues: number;
}

export function aggregateLayers(layers: LayerRows, metrics: readonly string[]): LayerAggregates {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < layers.n; i++) {
    const k = settingKey(layers.model[i], layers.dataset[i], layers.pruning[i], layers.sparsity[i], layers.seed[i]);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  }
  const keys = [...groups.keys()];
  const n = keys.length;
  const num: Record<string, Float64Array> = {};
  const hasCounts = "no_weights" in layers.num && "no_params" in layers.num;
  const outNames: string[] = [];
  for (const m of metrics) for (const a of LAYER_AGGREGATES) outNames.push(`${m}_${a}`);
  outNames.push("layer_density_mean", "layer_density_min", "layer_density_max");
  if (hasCounts) outNames.push("global_density");
  for (const c of outNames) num[c] = new Float64Array(n).fill(NaN);
  const accuracy = new Float64Array(n);
  const rows: LayerAggregates["rows"] = [];
  let infinite = 0;
  keys.forEach((k, r) => {
    const idx = groups.get(k)!;
    const seen = new Set<number>();
    for (const i of idx) {
      if (seen.has(layers.layerId[i])) throw new Error(`analysis/data: ${layers.source}: network ${k} has layer_id ${layers.layerId[i]} twice`);
      seen.add(layers.layerId[i]);
    }
    const i0 = idx[0];
    rows.push({ model: layers.model[i0], dataset: layers.dataset[i0], pruning: layers.pruning[i0], sparsity: layers.sparsity[i0], seed: layers.seed[i0] });
    accuracy[r] = layers.accuracy[i0];
    for (const m of metrics) {
      const col = layers.num[m];
      let s = 0;
      let c = 0;
      let mn = Infinity;
      let mx = -Infinity;
      let ws = 0;
      let w = 0;
      for (const i of idx) {
        const v = col[i];
        if (!Number.isFinite(v)) {
          if (!Number.isNaN(v)) infinite++;
          continue;
        }
        s += v;
        c++;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
        ws += layers.density[i] * v;
        w += layers.density[i];
      }
      if (c > 0) {
        num[`${m}_mean`][r] = s / c;
        num[`${m}_min`][r] = mn;
        num[`${m}_max`][r] = mx;
        num[`${m}_wmean`][r] = w > 0 ? ws / w : NaN;
      }
    }
    let ds = 0;
    let dmn = Infinity;
    let dmx = -Infinity;
    let nnz = 0;
    let numel = 0;
    for (const i of idx) {
      const d = layers.density[i];
      ds += d;
      dmn = Math.min(dmn, d);
      dmx = Math.max(dmx, d);
      if (hasCounts) {
        nnz += layers.num.no_weights[i];
        numel += layers.num.no_params[i];
      }
    }
    num.layer_density_mean[r] = ds / idx.length;
    num.layer_density_min[r] = dmn;
    num.layer_density_max[r] = dmx;
    if (hasCounts) num.global_density[r] = nnz / numel;
  });
  return { keys, num, accuracy, rows, infiniteLayerValues: infinite };
}

/**
 * Inner join of a network table with per-network aggregated features (by setting key); the
 * features are added to `num` with `prefix`. Rows of `base` without a match are dropped (the
 * encodings cover different settings, §5.2); the count is returned so callers can report it.
 */
export function joinAggregates(base: NetTable, agg: LayerAggregates, prefix: string): { table: NetTable; unmatched: number } {
  const pos = new Map<string, number>();
  agg.keys.forEach((k, i) => pos.set(k, i));
  const keys = tableKeys(base);
  const idx: number[] = [];
  const aggIdx: number[] = [];
  for (let i = 0; i < base.n; i++) {
    const j = pos.get(keys[i]);
    if (j === undefined) continue;
    if (Math.abs(agg.accuracy[j] - base.accuracy[i]) > 1e-9) {
      throw new Error(`analysis/data: ${keys[i]}: accuracy ${base.accuracy[i]} in ${base.source} but ${agg.accuracy[j]} in the ${prefix} layers`);
    }
    idx.push(i);
    aggIdx.push(j);
  }
  const table = takeTableRows(base, idx);
  for (const [name, col] of Object.entries(agg.num)) {
    table.num[`${prefix}${name}`] = Float64Array.from(aggIdx, (j) => col[j]);
  }
  return { table, unmatched: base.n - idx.length };
}

/** Everything the experiments need, loaded once. */
export interface PaperData {
  /** unrolled.csv, deduplicated, with the drop (all 2,290 networks). */
  unrolled: NetTable;
  /** Networks present in all encodings, with feature columns `<mge metric>`, `rolled:…`, `rolled_channel:…`, `ramanujan:…`. */
  joined: NetTable;
  info: LoadInfo & { joinedRows: number; infiniteLayerValues: number };
}

/** The paper's per-layer encodings: BGE files (rolled, rolled_channel) and the Ramanujan files. */
export const LAYER_ENCODINGS = ["rolled", "rolled_channel", "ramanujan"] as const;
export type LayerEncoding = (typeof LAYER_ENCODINGS)[number];

/**
 * Loads one per-layer encoding of the paper's data, aggregates it per network and joins it to `t`
 * under its column prefix (`rolled:`, `rolled_channel:`, `ramanujan:`).
 * @throws when the encoding's files are missing or inconsistent (see loadBgeLayers, loadRamanujanLayers).
 */
export function joinLayerEncoding(t: NetTable, encoding: LayerEncoding, dir = paperDataDir()): { table: NetTable; unmatched: number; infiniteLayerValues: number } {
  const agg =
    encoding === "ramanujan"
      ? aggregateLayers(loadRamanujanLayers(dir), RAMANUJAN_LAYER_METRICS)
      : aggregateLayers(loadBgeLayers(encoding, dir), BGE_LAYER_METRICS);
  const prefix = encoding === "rolled" ? LAYER_ENCODING_PREFIX.rolled : encoding === "rolled_channel" ? LAYER_ENCODING_PREFIX.rolledChannel : LAYER_ENCODING_PREFIX.ramanujan;
  return { ...joinAggregates(t, agg, prefix), infiniteLayerValues: agg.infiniteLayerValues };
}

export interface PaperDataOptions extends LoadOptions {
  dir?: string;
  /** Load the per-layer encodings (rolled, rolled-channel, Ramanujan); default true. */
  layers?: boolean;
}

/** Loads unrolled.csv and (unless layers = false) joins the aggregated per-layer encodings to it. */
export function loadPaperData(opts: PaperDataOptions = {}): PaperData {
  const dir = opts.dir ?? paperDataDir();
  const { table: unrolled, info } = loadNetworkCsv(unrolledCsvPath(dir), opts);
  if (opts.layers === false) return { unrolled, joined: unrolled, info: { ...info, joinedRows: unrolled.n, infiniteLayerValues: 0 } };
  let joined = unrolled;
  let infinite = 0;
  for (const encoding of LAYER_ENCODINGS) {
    const j = joinLayerEncoding(joined, encoding, dir);
    infinite += j.infiniteLayerValues;
    joined = j.table;
  }
  return { unrolled, joined, info: { ...info, joinedRows: joined.n, infiniteLayerValues: infinite } };
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
      if (!(c in t.num)) throw new Error(`analysis/data: no column '${c}' in ${t.source}`);
      r[c] = t.num[c][i];
    }
    out.push(r);
  }
  return out;
}
