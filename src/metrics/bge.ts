/**
 * Topometrics of the bipartite graph encodings, per layer (reference-notes §2.2; official
 * `process_graph_topometrics` in main.py), for the rolled BGE (§1.1) and the rolled-channel BGE
 * (§1.2) of every conv, residual and linear layer.
 *
 * Per layer, on the directed layer graph G (left → right, weights |w|):
 * - cutEdges / cutNodes: bridges and articulation points of the undirected multigraph view
 *   (connectivity.ts; igraph `bridges()`, `articulation_points()`);
 * - motifs: 4-node motif total (motifs.ts). `motifs: "reference"` (default) is the official
 *   `motifs_randesu_estimate(size=4, sample=int(0.001·|V|))`. For layers with fewer than 1,000
 *   nodes that sample is 0, which igraph refuses (the official function would raise); we then
 *   report the exact total (what the estimator gives with every node as a root) and mark the
 *   layer `motifsMethod: "exact"`. `motifs: "exact"` uses the exact total for every layer.
 * - oneHop: mean out-neighbourhood size of order 1, node included (neighbourhood.ts);
 * - strength: mean in+out weighted degree (strength.ts); kCore: mean coreness on total degree (kcore.ts);
 * - components / meanComponentSize: weakly connected components (after as_undirected → to_directed,
 *   strong = weak) and mean component size N / count (raw, not normalised as in unrolled.csv);
 * - spectralGap / spectralRadius: spectral.ts on the simple undirected weighted view (NaN, with a
 *   note, for layers of ≤ 3 nodes, where eigsh(k=3) is undefined).
 * All values are raw (the released rolled CSVs are unnormalised).
 *
 * Per network: mean, min, max and density-weighted mean over layers (density = edges/(|left|·|right|)
 * unless the caller passes the weight density), skipping NaN.
 *
 * Complexity per layer: O(E) for the simple metrics, the motif cost of motifs.ts, and the eigen-solves.
 */
import type { CsrGraph } from "../encoding/csr";
import type { Progress } from "../util/progress";
import { cutStructure, weakComponents } from "./connectivity";
import { meanCoreness } from "./kcore";
import { estimateMotifsOfView, exactMotifTotalsOfView } from "./motifs";
import { oneHopMean } from "./neighbourhood";
import { summariseLayers, type LayerSummary } from "./ramanujan";
import { spectralGapOfView, spectralRadiusOfView, withSpectralWorkspace, type SpectralOptions } from "./spectral";
import { meanStrength } from "./strength";
import { simpleUndirected } from "../encoding/undirected-simple";

export interface BgeLayerInput {
  readonly name: string;
  /** The layer's BGE, partitions [left, right]. */
  readonly graph: CsrGraph;
  /** Weight density of the layer for the density-weighted mean (default edges / (left·right)). */
  readonly density?: number;
}

export interface BgeMetricsOptions {
  /** "reference" (default): the official estimator, exact where its sample would be 0; "exact": always exact. */
  readonly motifs?: "reference" | "exact";
  /** Seed of the motif estimator (default 0). */
  readonly motifSeed?: number;
  readonly spectral?: SpectralOptions;
  readonly progress?: Progress;
}

export interface BgeLayerMetrics {
  readonly name: string;
  readonly nodes: number;
  readonly edges: number;
  readonly density: number;
  readonly cutEdges: number;
  readonly cutNodes: number;
  readonly motifs: number;
  readonly motifsMethod: "estimate" | "exact";
  readonly oneHop: number;
  readonly strength: number;
  readonly kCore: number;
  readonly components: number;
  readonly meanComponentSize: number;
  readonly spectralGap: number;
  readonly spectralRadius: number;
  /** Why a value is NaN, if one is. */
  readonly notes: readonly string[];
}

export { BGE_METRICS, type BgeMetricName } from "./catalogue";
import { BGE_METRICS, type BgeMetricName } from "./catalogue";

const MODULE = "metrics/bge";

function bipartiteSides(g: CsrGraph, name: string): [number, number] {
  if (g.partitions.length !== 2 || g.partitions[0].start !== 0 || g.partitions[1].start !== g.partitions[0].size) {
    throw new Error(`${MODULE}: layer ${name}: a BGE needs partitions [left, right] in node order, got ${g.partitions.length} partitions`);
  }
  return [g.partitions[0].size, g.partitions[1].size];
}

/** The BGE topometrics of one layer graph. */
export function bgeLayerMetrics(layer: BgeLayerInput, options: BgeMetricsOptions = {}): BgeLayerMetrics {
  const g = layer.graph;
  const [L, R] = bipartiteSides(g, layer.name);
  const notes: string[] = [];
  const density = layer.density ?? (L * R > 0 ? g.numEdges / (L * R) : Number.NaN);
  const cuts = cutStructure(g);
  const comps = weakComponents(g);
  const view = simpleUndirected(g, true);
  let motifs: number;
  let motifsMethod: "estimate" | "exact";
  const sample = Math.floor(0.001 * g.numNodes);
  if ((options.motifs ?? "reference") === "reference" && sample >= 1) {
    motifs = estimateMotifsOfView(view, { size: 4, sampleSize: sample, seed: options.motifSeed ?? 0 }).estimate;
    motifsMethod = "estimate";
  } else {
    motifs = exactMotifTotalsOfView(view).connected4;
    motifsMethod = "exact";
    if (sample < 1 && (options.motifs ?? "reference") === "reference") {
      notes.push(`motifs: int(0.001·${g.numNodes}) = 0 roots (the official estimator would fail); exact total reported`);
    }
  }
  let spectralGap = Number.NaN;
  let spectralRadius = Number.NaN;
  if (g.numNodes > 3) {
    [spectralGap, spectralRadius] = withSpectralWorkspace(view, options.spectral ?? {}, (o) => [spectralGapOfView(view, o).gap, spectralRadiusOfView(view, o).radius]);
  } else {
    notes.push(`spectral: ${g.numNodes} nodes, eigsh(k=3) needs more than 3`);
  }
  return {
    name: layer.name,
    nodes: g.numNodes,
    edges: g.numEdges,
    density,
    cutEdges: cuts.bridges,
    cutNodes: cuts.articulationPoints,
    motifs,
    motifsMethod,
    oneHop: oneHopMean(g),
    strength: meanStrength(g),
    kCore: meanCoreness(g),
    components: comps.count,
    meanComponentSize: comps.meanSize,
    spectralGap,
    spectralRadius,
    notes,
  };
}

export interface BgeNetworkMetrics {
  readonly layers: readonly BgeLayerMetrics[];
  /** Per metric: mean, min, max, density-weighted mean over layers (NaN layers skipped). */
  readonly summary: Readonly<Record<BgeMetricName, LayerSummary>>;
}

/** BGE topometrics of every layer and their per-network summaries. */
export function bgeNetworkMetrics(layers: readonly BgeLayerInput[], options: BgeMetricsOptions = {}): BgeNetworkMetrics {
  const out: BgeLayerMetrics[] = [];
  for (let i = 0; i < layers.length; i++) {
    options.progress?.update(i, layers.length, layers[i].name);
    out.push(bgeLayerMetrics(layers[i], options));
  }
  options.progress?.finish();
  const dens = out.map((l) => l.density);
  const summary = {} as Record<BgeMetricName, LayerSummary>;
  for (const m of BGE_METRICS) summary[m] = summariseLayers(out.map((l) => l[m]), dens);
  return { layers: out, summary };
}
