/**
 * Per-layer tables (the paper's rolled, rolled-channel and Ramanujan files, one row per layer)
 * aggregated per network: mean, min and max over layers, and a density-weighted mean
 * Σ_l d_l·m_l / Σ_l d_l with d_l the layer density (`layer_sparsity` in the files is density,
 * reference-notes §2.2). Layers where a metric is undefined are left out of that metric's
 * aggregates (all-undefined gives NaN): NaN (e.g. the iterative Ramanujan metrics of the first
 * conv, §2.3) and −inf (90 `degree_bound` values of tiny ResNet/WRN layers at 0.98 sparsity, where
 * the Ramanujan bound √(d_l−1)+√(d_r−1) is 0 and δ_r divides by it). The count of infinite values
 * left out is returned (`infiniteLayerValues`) and shown by the notebooks. The aggregates are joined
 * to a network table by setting key.
 */
import { LAYER_AGGREGATES } from "../metrics/catalogue";
import { settingKey, tableKeys, takeTableRows, type NetTable } from "./table";

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

/** Layer rows of several files, one after the other. */
export function concatLayers(parts: LayerRows[], source: string): LayerRows {
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
