/**
 * Ramanujan metrics of a layer's bipartite graph (reference-notes §2.3; official
 * `ramanunjan_metric.py` + `process_graph_ramanunjan` in main.py, adapted from
 * VITA-Group/ramanujan-on-pai, Hoang et al., ICLR 2023). Computed on the rolled BGE of each conv,
 * residual and linear layer (left nodes c_in·k², right nodes c_out; edges left → right, |w|).
 *
 * Definitions (degrees are igraph `degree()`: in + out, parallel edges counted):
 * - iterative_spectral_gap / iterative_degree_bound ("imdb"): for every distinct left degree d ≥ 3
 *   (in order of first appearance), take the subgraph induced by the left nodes of degree exactly d
 *   plus all right nodes, drop zero-degree nodes, let d_l, d_r be the mean left / right degrees; if
 *   d_l ≥ 3 and d_r ≥ 3, symmetrise it (simple undirected view) and record
 *     gap = |λ|₁ − |λ|₃ of the weighted adjacency, and
 *     δ_r = (√(d_l−1) + √(d_r−1) − μ) / (√(d_l−1) + √(d_r−1)), μ = |λ|₃ of the 0/1 adjacency.
 *   Both are averaged over the recorded subgraphs; none recorded → NaN (the official None, e.g. the
 *   first conv layer in the released CSVs).
 * - degree_bound (δ_r of the whole layer): the same δ_r on the layer graph after dropping
 *   zero-degree nodes, with d_l, d_r the mean degrees; no ≥ 3 filter; NaN when one side is empty or
 *   at most 3 nodes remain (eigsh k=3 needs N > 3).
 * Eigenvalues: `eigen.ts` in float64 (the official code used float32 for the weighted matrix and
 * float64 for the 0/1 one). √(d−1) with d < 1 cannot occur (nodes of degree 0 are dropped).
 *
 * Complexity: per layer, one eigen-solve pair per distinct left degree, each O(E_d) per operator
 * application; total O(E · iterations). Aggregation over layers: mean/min/max/density-weighted
 * mean over the finite values, with the number of NaN layers reported.
 */
import { csrFromEdges, type CsrGraph } from "../encoding/csr";
import { spectralGapOfView, withSpectralWorkspace, type SpectralOptions } from "./spectral";
import { simpleUndirected } from "../encoding/undirected-simple";

export interface RamanujanLayerMetrics {
  readonly iterativeSpectralGap: number;
  readonly iterativeDegreeBound: number;
  readonly degreeBound: number;
  /** Number of d-left-regular subgraphs that passed the d_l, d_r ≥ 3 filter. */
  readonly validSubgraphs: number;
}

const MODULE = "metrics/ramanujan";

function leftSize(g: CsrGraph, context: string): number {
  if (g.partitions.length !== 2) {
    throw new Error(`${MODULE}: ${context}: a bipartite layer graph needs 2 partitions (left, right), got ${g.partitions.length}`);
  }
  const L = g.partitions[0].size;
  if (g.partitions[0].start !== 0 || g.partitions[1].start !== L) {
    throw new Error(`${MODULE}: ${context}: partitions must be [left, right] in node order`);
  }
  return L;
}

/** Total degree (in + out) of every node. */
function totalDegrees(g: CsrGraph): Int32Array {
  const d = new Int32Array(g.numNodes);
  for (let u = 0; u < g.numNodes; u++) {
    d[u] += g.offsets[u + 1] - g.offsets[u];
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) d[g.targets[e]]++;
  }
  return d;
}

/**
 * The subgraph induced by `keep` (a 0/1 mask), with nodes renumbered in id order, and its
 * zero-degree nodes dropped. Returns the graph and how many of its nodes came from the left side.
 */
function inducedNonIsolated(g: CsrGraph, keep: Uint8Array, L: number): { graph: CsrGraph; left: number; degrees: Int32Array } {
  const n = g.numNodes;
  const deg = new Int32Array(n);
  const src: number[] = [];
  const dst: number[] = [];
  const w: number[] = [];
  for (let u = 0; u < n; u++) {
    if (!keep[u]) continue;
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const v = g.targets[e];
      if (!keep[v]) continue;
      src.push(u);
      dst.push(v);
      w.push(g.weights[e]);
      deg[u]++;
      deg[v]++;
    }
  }
  const id = new Int32Array(n).fill(-1);
  let m = 0;
  let left = 0;
  for (let u = 0; u < n; u++) {
    if (keep[u] && deg[u] > 0) {
      id[u] = m++;
      if (u < L) left++;
    }
  }
  const degrees = new Int32Array(m);
  for (let u = 0; u < n; u++) if (id[u] >= 0) degrees[id[u]] = deg[u];
  const s2 = src.map((u) => id[u]);
  const t2 = dst.map((v) => id[v]);
  const graph = csrFromEdges(m, s2, t2, w, [
    { name: "left", start: 0, size: left, channels: left, height: 1, width: 1 },
    { name: "right", start: left, size: m - left, channels: m - left, height: 1, width: 1 },
  ]);
  return { graph, left, degrees };
}

function meanOf(a: Int32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s / (to - from);
}

/** [gap of the weighted adjacency, δ_r from the 0/1 adjacency] of one (sub)graph. */
function gapAndDeltaR(graph: CsrGraph, dl: number, dr: number, options: SpectralOptions): [number, number] {
  const view = simpleUndirected(graph, true);
  const [weighted, unweighted] = withSpectralWorkspace(view, options, (o) => [spectralGapOfView(view, o), spectralGapOfView(view, o, true)]);
  const mu = unweighted.top3AbsEigs[2];
  const ub = Math.sqrt(dl - 1) + Math.sqrt(dr - 1);
  return [weighted.gap, (ub - mu) / ub];
}

/** The three Ramanujan metrics of one rolled-BGE layer graph (partitions [left, right]). */
export function ramanujanLayerMetrics(layer: CsrGraph, options: SpectralOptions = {}, name = "layer"): RamanujanLayerMetrics {
  const L = leftSize(layer, name);
  const n = layer.numNodes;
  const deg = totalDegrees(layer);
  // Distinct left degrees ≥ 3 in order of first appearance (Python Counter order).
  const seen = new Set<number>();
  const order: number[] = [];
  for (let u = 0; u < L; u++) {
    if (deg[u] >= 3 && !seen.has(deg[u])) {
      seen.add(deg[u]);
      order.push(deg[u]);
    }
  }
  let sumGap = 0;
  let sumDr = 0;
  let valid = 0;
  const keep = new Uint8Array(n);
  for (const d of order) {
    keep.fill(0);
    for (let u = 0; u < L; u++) if (deg[u] === d) keep[u] = 1;
    for (let u = L; u < n; u++) keep[u] = 1;
    const sub = inducedNonIsolated(layer, keep, L);
    if (sub.left === 0 || sub.left === sub.graph.numNodes) continue;
    const dl = meanOf(sub.degrees, 0, sub.left);
    const dr = meanOf(sub.degrees, sub.left, sub.graph.numNodes);
    if (!(dl >= 3 && dr >= 3)) continue;
    const [g, r] = gapAndDeltaR(sub.graph, dl, dr, options);
    sumGap += g;
    sumDr += r;
    valid++;
  }
  // Whole layer.
  keep.fill(1);
  const whole = inducedNonIsolated(layer, keep, L);
  let degreeBound = Number.NaN;
  if (whole.left > 0 && whole.left < whole.graph.numNodes && whole.graph.numNodes > 3) {
    const dl = meanOf(whole.degrees, 0, whole.left);
    const dr = meanOf(whole.degrees, whole.left, whole.graph.numNodes);
    degreeBound = gapAndDeltaR(whole.graph, dl, dr, options)[1];
  }
  return {
    iterativeSpectralGap: valid > 0 ? sumGap / valid : Number.NaN,
    iterativeDegreeBound: valid > 0 ? sumDr / valid : Number.NaN,
    degreeBound,
    validSubgraphs: valid,
  };
}

export interface LayerSummary {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Σ density·x / Σ density over the layers with a finite value. */
  readonly densityWeightedMean: number;
  /** Layers with a finite value, and layers with NaN (left out of the summary). */
  readonly count: number;
  readonly nanCount: number;
}

/** Mean/min/max/density-weighted mean of per-layer values, skipping NaN (all NaN → NaN summary). */
export function summariseLayers(values: readonly number[], densities: readonly number[]): LayerSummary {
  if (values.length !== densities.length) {
    throw new Error(`${MODULE}: ${values.length} values but ${densities.length} densities`);
  }
  let sum = 0;
  let wsum = 0;
  let wtot = 0;
  let min = Infinity;
  let max = -Infinity;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    count++;
    sum += x;
    wsum += densities[i] * x;
    wtot += densities[i];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (count === 0) {
    return { mean: Number.NaN, min: Number.NaN, max: Number.NaN, densityWeightedMean: Number.NaN, count: 0, nanCount: values.length };
  }
  return {
    mean: sum / count,
    min,
    max,
    densityWeightedMean: wtot > 0 ? wsum / wtot : Number.NaN,
    count,
    nanCount: values.length - count,
  };
}

export interface RamanujanLayerInput {
  readonly name: string;
  /** Rolled BGE of the layer, partitions [left, right]. */
  readonly graph: CsrGraph;
  /** Weight density nnz/numel of the layer (default: edges / (left·right), equal for the rolled BGE). */
  readonly density?: number;
}

export interface RamanujanNetworkMetrics {
  readonly layers: ReadonlyArray<RamanujanLayerMetrics & { readonly name: string; readonly density: number }>;
  readonly iterativeSpectralGap: LayerSummary;
  readonly iterativeDegreeBound: LayerSummary;
  readonly degreeBound: LayerSummary;
}

/** Per-layer Ramanujan metrics and their per-network summaries. */
export function ramanujanNetworkMetrics(layers: readonly RamanujanLayerInput[], options: SpectralOptions = {}): RamanujanNetworkMetrics {
  const out = layers.map((l) => {
    const L = leftSize(l.graph, l.name);
    const R = l.graph.numNodes - L;
    const density = l.density ?? l.graph.numEdges / (L * R);
    return { name: l.name, density, ...ramanujanLayerMetrics(l.graph, options, l.name) };
  });
  const dens = out.map((l) => l.density);
  return {
    layers: out,
    iterativeSpectralGap: summariseLayers(out.map((l) => l.iterativeSpectralGap), dens),
    iterativeDegreeBound: summariseLayers(out.map((l) => l.iterativeDegreeBound), dens),
    degreeBound: summariseLayers(out.map((l) => l.degreeBound), dens),
  };
}
