/**
 * One results row of a sparse network, what the grid writes per cell and what a notebook computes
 * for a network of its own: weight counts and realised sparsity, the MGE's size and its 16
 * topometrics in the paper's normalisation (comparable with the released unrolled.csv), and the
 * per-layer rolled / rolled-channel BGE and Ramanujan metrics summarised per network (mean, min,
 * max, density-weighted mean; density = the layer's weight density, as in the paper's files) under
 * the columns src/analysis reads for the paper's per-layer files. Every column name comes from the
 * metric catalogue (src/metrics/catalogue.ts).
 *
 * Complexity: that of `encodeMge` + `computeTopometrics` (dominated by 2-hop, motifs and spectra),
 * plus the per-layer encodings when asked for.
 */
import type { Row } from "./executor";
import type { MetricsConfig } from "./grid";
import type { ArchSpec } from "../nn/spec";
import type { MaskMap, WeightMap } from "../nn/tensors";
import { maskDensity } from "../pruning/density";
import { prunableLayers } from "../pruning/layers";
import type { DensityReport } from "../pruning/types";
import { encodeMge } from "../encoding/mge";
import { encodeRolledBge, encodeRolledChannelBge, type LayerGraph } from "../encoding/bge";
import { computeTopometrics } from "../metrics/topometrics";
import { bgeNetworkMetrics } from "../metrics/bge";
import { ramanujanNetworkMetrics } from "../metrics/ramanujan";
import * as catalogue from "../metrics/catalogue";

/** Wall seconds since `t0` (performance.now()), to the millisecond. */
export function seconds(t0: number): number {
  return Math.round(performance.now() - t0) / 1000;
}

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

interface SummaryLike {
  mean: number;
  min: number;
  max: number;
  densityWeightedMean: number;
}

function putSummary(row: Row, prefix: string, stem: string, s: SummaryLike): void {
  row[catalogue.layerAggregateColumn(prefix, stem, "mean")] = finiteOrNull(s.mean);
  row[catalogue.layerAggregateColumn(prefix, stem, "min")] = finiteOrNull(s.min);
  row[catalogue.layerAggregateColumn(prefix, stem, "max")] = finiteOrNull(s.max);
  row[catalogue.layerAggregateColumn(prefix, stem, "wmean")] = finiteOrNull(s.densityWeightedMean);
}

/** `nnz`, `params` and `realised_sparsity` of a network's masks, with the density report they come from. */
export function densityRow(spec: ArchSpec, masks: MaskMap): { row: Row; density: DensityReport } {
  const density = maskDensity(masks, prunableLayers(spec));
  const row: Row = {
    nnz: density.perLayer.reduce((a, l) => a + l.kept, 0),
    params: density.perLayer.reduce((a, l) => a + l.total, 0),
    realised_sparsity: 1 - density.global,
  };
  return { row, density };
}

/** As the encoders' `(architecture, masks, { weights, … })`; here the weights are required (weighted metrics). */
export interface NetworkRowOptions extends Pick<MetricsConfig, "motifs" | "bge" | "ramanujan"> {
  /** The network's weights: |w| weighs the MGE's and the BGEs' edges (strength, spectral metrics). */
  readonly weights: WeightMap;
  /** Seed of the motif estimators. */
  readonly seed: number;
  /** Called with a label as each step starts (the grid shows it as the cell's stage). */
  readonly onStage?: (label: string) => void;
}

/**
 * The results row of one sparse network (see the module comment); `t_encode_s`, `t_metrics_s` and
 * `t_bge_s` time its steps. A network without edges gets its counts and no metrics.
 * @example
 *   const net = loadNetwork("lenet5_snip_0.9.safetensors", spec);
 *   const row = networkRow(spec, net.masks, { weights: net.weights, seed: 0, motifs: "exact", bge: true, ramanujan: true });
 *   row["spectral_gap"]; row["rolled:bridges_mean"];
 * @throws what encodeMge, computeTopometrics and the per-layer metrics throw (a mask that does not
 *   fit the spec, a graph too large for the CSR, a metric undefined on the graph).
 */
export function networkRow(spec: ArchSpec, masks: MaskMap, options: NetworkRowOptions): Row {
  const weights = options.weights;
  const stage = options.onStage ?? (() => {});
  const motifs = options.motifs ?? "estimate";
  const { row, density } = densityRow(spec, masks);

  stage("encode MGE");
  let t0 = performance.now();
  const mge = encodeMge(spec, masks, { weights });
  row.t_encode_s = seconds(t0);
  row.nodes = mge.numNodes;
  row.edges = mge.numEdges;
  stage("MGE topometrics");
  t0 = performance.now();
  if (mge.numEdges > 0) {
    const wanted = catalogue.METRIC_NAMES.filter((m) => motifs !== "none" || m !== "motifs");
    const tm = computeTopometrics(mge, { metrics: wanted, motifs: motifs === "none" ? undefined : motifs, seed: options.seed, normalize: "paper" });
    for (const m of catalogue.METRIC_NAMES) row[catalogue.METRICS[m].csvColumn] = finiteOrNull(tm.metrics[m]);
  }
  row.t_metrics_s = seconds(t0);

  if (options.bge || options.ramanujan) {
    stage("BGE metrics");
    t0 = performance.now();
    const layerDensity = new Map(density.perLayer.map((l) => [l.name, l.density]));
    const inputs = (layers: readonly LayerGraph[]) => layers.map((l) => ({ name: l.layer, graph: l.graph, density: layerDensity.get(`${l.layer}.weight`) }));
    const rolled = inputs(encodeRolledBge(spec, masks, { weights }));
    if (options.bge) {
      const bgeOptions = { motifs: motifs === "exact" ? ("exact" as const) : ("reference" as const), motifSeed: options.seed };
      const r = bgeNetworkMetrics(rolled, bgeOptions);
      const rc = bgeNetworkMetrics(inputs(encodeRolledChannelBge(spec, masks, { weights })), bgeOptions);
      for (const m of catalogue.BGE_METRICS) {
        putSummary(row, catalogue.LAYER_ENCODING_PREFIX.rolled, catalogue.BGE_METRIC_INFO[m].column, r.summary[m]);
        putSummary(row, catalogue.LAYER_ENCODING_PREFIX.rolledChannel, catalogue.BGE_METRIC_INFO[m].column, rc.summary[m]);
      }
    }
    if (options.ramanujan) {
      const rm = ramanujanNetworkMetrics(rolled);
      for (const m of catalogue.RAMANUJAN_METRICS) putSummary(row, catalogue.LAYER_ENCODING_PREFIX.ramanujan, catalogue.RAMANUJAN_METRIC_INFO[m].column, rm[m]);
    }
    const dens = density.perLayer.map((l) => l.density);
    const [meanCol, minCol, maxCol, globalCol] = catalogue.DENSITY_COLUMNS;
    row[meanCol] = dens.reduce((a, b) => a + b, 0) / dens.length;
    row[minCol] = Math.min(...dens);
    row[maxCol] = Math.max(...dens);
    row[globalCol] = density.global;
    row.t_bge_s = seconds(t0);
  }
  return row;
}
