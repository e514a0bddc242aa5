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
 * - Per-layer tables are aggregated per network (./layer-aggregates.ts) and joined by setting.
 * - The accuracy drop follows ./accuracy-drop.ts's policy; the table type is ./table.ts's.
 */
import path from "node:path";
import fs from "node:fs";
import { readCsv, numberColumn, stringColumn, hasColumn, type CsvTable } from "../io/csv";
import { readReleasedMetricsCsv, releasedMetricsFile } from "../io/paper-data";
import { paperDataDir } from "../io/paths";

import { BGE_COLUMN_ALIASES, BGE_LAYER_METRICS, LAYER_ENCODING_PREFIX, RAMANUJAN_LAYER_METRICS } from "../metrics/catalogue";
import { applyBestRunDrop, applyDenseTable, loadDenseTable, type DenseTable } from "./accuracy-drop";
import { aggregateLayers, concatLayers, joinAggregates, type LayerRows } from "./layer-aggregates";
import { settingKey, tableKeys, type DropSource, type NetTable } from "./table";
export * from "./table";
export * from "./accuracy-drop";
export * from "./layer-aggregates";
export { MGE_METRICS, MGE_METRIC_GROUPS, BGE_LAYER_METRICS, BGE_COLUMN_ALIASES, RAMANUJAN_LAYER_METRICS, LAYER_AGGREGATES } from "../metrics/catalogue";

import { prunerCategory } from "../pruning/catalogue";
export { PRUNER_CATEGORY, PAI_ALGORITHMS, PAPER_PRUNERS, prunerCategory } from "../pruning/catalogue";

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

/**
 * Loads unrolled.csv, or the experiment grid's own results (a superset of its columns, possibly
 * with `dense_accuracy`, `accuracy_drop`, `realised_sparsity`). Every other numeric column is kept
 * in `num`; string columns other than model/dataset/pruning are dropped.
 */
export function loadNetworkCsv(file = releasedMetricsFile(), opts: LoadOptions = {}): { table: NetTable; info: LoadInfo } {
  return networkTableFromCsv(readReleasedMetricsCsv(file), opts);
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
  const { table: unrolled, info } = loadNetworkCsv(releasedMetricsFile(dir), opts);
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
