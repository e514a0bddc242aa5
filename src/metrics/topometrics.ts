/**
 * The 16 MGE topometrics of the paper in one call, with the official code's definitions and,
 * on request, the normalisation of the released `unrolled.csv`.
 *
 * Definitions: reference-notes §2.1 (each metric's module documents its own definition, view of
 * the graph and complexity). Groups as printed by the official `main.py`:
 * - local connectivity: sink, source and disconnected nodes, removable out/in connections (local.ts);
 * - neighbourhood: 1-hop and 2-hop mean out-neighbourhood sizes (neighbourhood.ts), 4-node motifs (motifs.ts);
 * - strength: mean node strength (strength.ts), mean coreness (kcore.ts);
 * - global connectivity: cut-edges, cut-nodes, #components and mean component size (connectivity.ts);
 * - expansion: spectral gap and Laplacian spectral radius (spectral.ts).
 *
 * Normalisation (`normalize: "paper"`), as determined in reference-notes §2.1 from the released
 * data: sink/source/disconnected counts and the mean component size are divided by N; r-out,
 * r-in, 1-hop, 2-hop, motifs, strength, k-core, cut-edges and cut-nodes by E; the number of
 * components and the two spectral metrics stay raw. `"raw"` gives the official values before
 * that step (the fixtures' `metrics_raw`).
 *
 * Motifs: `"estimate"` is the official estimator (igraph `motifs_randesu_estimate(size=4,
 * sample=int(0.001·N))`, here seeded); `"exact"` is the exact number of connected induced
 * 4-node subgraphs of the undirected simple view, which the estimator estimates.
 *
 * Complexity: dominated by 2-hop (O(Σ indeg·outdeg)), the motifs and the spectral solvers; the
 * other metrics are O(N + E). Extra memory beyond the graph: 4E bytes for the in-adjacency shared
 * by k-core and the DFS, plus O(N) arrays, plus whatever motifs/spectral need.
 */
import { inDegrees, type CsrGraph } from "../encoding/csr";
import { silentProgress, type Progress } from "../util/progress";
import { inAdjacency, type InAdjacency } from "../encoding/in-adjacency";
import { cutStructure, weakComponents, type CutStructure } from "./connectivity";
import { meanCoreness } from "./kcore";
import { defaultLayerSizes, localConnectivity, type LayerSizes, type LocalConnectivity } from "./local";
import { oneHopMean, twoHopMean } from "./neighbourhood";
import { meanStrength } from "./strength";
import { EigenWorkspace, solverVectors } from "./eigen";
import { estimateMotifsOfView, exactMotifTotalsOfView } from "./motifs";
import { spectralGapOfView, spectralRadiusOfView, withSpectralWorkspace, type SpectralOptions } from "./spectral";
import { simpleUndirected, type SimpleUndirected } from "../encoding/undirected-simple";
import { METRICS, METRIC_NAMES, paperNormalize, type MetricName, type StepName } from "./catalogue";

export { METRICS, METRIC_NAMES, parseMetricName, paperNormalize, type MetricName, type StepName, type MetricGroup, type MetricInfo } from "./catalogue";

export interface TopometricsOptions {
  /** Metrics to compute (default: all 16). */
  readonly metrics?: readonly MetricName[];
  /** "estimate" (default): the official sampled estimator; "exact": exact connected 4-node subgraph count. */
  readonly motifs?: "exact" | "estimate";
  /** Seed of the motif estimator's vertex sample (default 0). */
  readonly seed?: number;
  /** Fraction of the nodes the motif estimator samples (default 0.001, as the official code). */
  readonly motifSampleFraction?: number;
  /** "raw" (default): official values; "paper": the divisions used in the released unrolled.csv. */
  readonly normalize?: "raw" | "paper";
  /** Input layer size incl. padding nodes (default: the first partition; 0 with a single partition). */
  readonly inputLayerSize?: number;
  /** Output layer size (default: the last partition; 0 with a single partition). */
  readonly outputLayerSize?: number;
  /** Threads of the spectral metrics' sparse products, 1 or 2 (default: see SpectralOptions.threads). */
  readonly threads?: number;
  readonly progress?: Progress;
}

export interface TopometricsDetails {
  /** Sinks and sources before subtracting the layer sizes. */
  sinkCount?: number;
  sourceCount?: number;
  isolatedNodes?: number;
  largestComponent?: number;
  motifMode?: "exact" | "estimate";
  motifStandardError?: number;
  motifSampleSize?: number;
  adjacencyTop3AbsEigs?: number[];
  laplacianTop2Eigs?: number[];
  inputLayerSize: number;
  outputLayerSize: number;
}

export interface Topometrics {
  readonly nodes: number;
  readonly edges: number;
  readonly normalize: "raw" | "paper";
  /** Every metric; null when it was not requested. */
  readonly metrics: Record<MetricName, number | null>;
  /** Wall seconds per computation step that ran (see METRICS[m].step for which step gave m). */
  readonly seconds: Partial<Record<StepName, number>>;
  readonly details: TopometricsDetails;
}

function degreesFromOffsets(offsets: Int32Array): Int32Array {
  const n = offsets.length - 1;
  const d = new Int32Array(n);
  for (let v = 0; v < n; v++) d[v] = offsets[v + 1] - offsets[v];
  return d;
}

function emptyMetrics(): Record<MetricName, number | null> {
  const r = {} as Record<MetricName, number | null>;
  for (const m of METRIC_NAMES) r[m] = null;
  return r;
}

/**
 * Computes the requested topometrics of a (directed, multi-)graph, normally an MGE. Metrics that
 * share work are computed once (the five local metrics; cut-edges and cut-nodes; the two
 * component metrics; the simple undirected view for motifs and spectra).
 * @example
 *   const t = computeTopometrics(encodeMge(spec, net.masks, { weights: net.weights }), { normalize: "paper", seed: 0 });
 *   t.metrics.spectralGap; t.seconds.twoHop;
 * @throws on an empty graph or an unknown option value; the metric modules throw on graphs where
 *   their metric is not defined (e.g. the motif estimator when int(fraction·N) = 0, the spectra on N ≤ 3).
 */
export function computeTopometrics(graph: CsrGraph, options: TopometricsOptions = {}): Topometrics {
  const n = graph.numNodes;
  const m = graph.numEdges;
  if (n === 0) throw new Error("metrics/topometrics: the graph has no nodes");
  const normalize = options.normalize ?? "raw";
  if (normalize !== "raw" && normalize !== "paper") throw new Error(`metrics/topometrics: normalize must be "raw" or "paper", got '${String(normalize)}'`);
  const motifMode = options.motifs ?? "estimate";
  if (motifMode !== "exact" && motifMode !== "estimate") throw new Error(`metrics/topometrics: motifs must be "exact" or "estimate", got '${String(motifMode)}'`);
  const seed = options.seed ?? 0;
  const sampleFraction = options.motifSampleFraction ?? 0.001;
  if (!(sampleFraction > 0 && sampleFraction <= 1)) throw new Error(`metrics/topometrics: motifSampleFraction must be in (0, 1], got ${sampleFraction}`);
  const requested = new Set<MetricName>(options.metrics ?? METRIC_NAMES);
  for (const r of requested) if (!(r in METRICS)) throw new Error(`metrics/topometrics: unknown metric '${String(r)}'`);
  const defaults = defaultLayerSizes(graph);
  const sizes: LayerSizes = {
    inputLayerSize: options.inputLayerSize ?? defaults.inputLayerSize,
    outputLayerSize: options.outputLayerSize ?? defaults.outputLayerSize,
  };

  const progress = options.progress ?? silentProgress;
  const metrics = emptyMetrics();
  const seconds: Partial<Record<StepName, number>> = {};
  const details: TopometricsDetails = { inputLayerSize: sizes.inputLayerSize, outputLayerSize: sizes.outputLayerSize };
  const steps = new Set<StepName>();
  for (const r of requested) steps.add(METRICS[r].step);
  const total = steps.size;
  let done = 0;
  const timed = <T>(step: StepName, f: () => T): T => {
    progress.update(done, total, step);
    const t0 = process.hrtime.bigint();
    const out = f();
    seconds[step] = Number(process.hrtime.bigint() - t0) / 1e9;
    return out;
  };
  const finished = (): void => {
    done++;
    progress.update(done, total);
  };

  // The spectra's Krylov basis is faulted in by a worker while the other metrics run (eigen.ts).
  const needSpectral = steps.has("spectralGap") || steps.has("spectralRadius");
  const eigenVectors = needSpectral ? EigenWorkspace.prefaulted(n, solverVectors(n, 3)) : null;

  // The in-adjacency (k-core, cut structure) also gives the in-degrees for the local metrics.
  let inAdj: InAdjacency | null = null;
  if (steps.has("kCore") || steps.has("cutStructure")) inAdj = timed("inAdjacency", () => inAdjacency(graph));
  if (steps.has("local")) {
    const adj = inAdj;
    const indeg = timed("inDegrees", () => (adj ? degreesFromOffsets(adj.offsets) : inDegrees(graph)));
    const loc: LocalConnectivity = timed("local", () => localConnectivity(graph, sizes, indeg));
    metrics.sinkNodes = loc.sinkNodes;
    metrics.sourceNodes = loc.sourceNodes;
    metrics.disconnectedNodes = loc.disconnectedNodes;
    metrics.removableOutEdges = loc.removableOutEdges;
    metrics.removableInEdges = loc.removableInEdges;
    details.sinkCount = loc.sinkCount;
    details.sourceCount = loc.sourceCount;
    finished();
  }
  if (steps.has("oneHop")) {
    metrics.oneHop = timed("oneHop", () => oneHopMean(graph));
    finished();
  }
  if (steps.has("twoHop")) {
    metrics.twoHop = timed("twoHop", () => twoHopMean(graph));
    finished();
  }
  if (steps.has("strength")) {
    metrics.strength = timed("strength", () => meanStrength(graph));
    finished();
  }
  if (steps.has("kCore") && inAdj) {
    const adj = inAdj;
    metrics.kCore = timed("kCore", () => meanCoreness(graph, adj));
    finished();
  }
  if (steps.has("cutStructure") && inAdj) {
    const adj = inAdj;
    const cut: CutStructure = timed("cutStructure", () => cutStructure(graph, adj));
    metrics.cutEdges = cut.bridges;
    metrics.cutNodes = cut.articulationPoints;
    finished();
  }
  inAdj = null;
  if (steps.has("components")) {
    const cc = timed("components", () => weakComponents(graph));
    metrics.connectedComponents = cc.count;
    metrics.avgConnectedComponents = cc.meanSize;
    details.isolatedNodes = cc.isolatedNodes;
    details.largestComponent = cc.largestSize;
    finished();
  }
  // The simple undirected view (igraph as_undirected(combine_edges="first")) is shared by the
  // motifs and the two spectral metrics; weights are kept only when a spectral metric needs them.
  let view: SimpleUndirected | null = null;
  const spectralOptions: SpectralOptions = options.threads !== undefined ? { threads: options.threads } : {};
  if (steps.has("motifs") || needSpectral) view = timed("simpleView", () => simpleUndirected(graph, needSpectral));
  if (steps.has("motifs") && view) {
    const vw = view;
    details.motifMode = motifMode;
    if (motifMode === "exact") {
      const totals = timed("motifs", () => exactMotifTotalsOfView(vw));
      metrics.motifs = totals.connected4;
    } else {
      const est = timed("motifs", () => estimateMotifsOfView(vw, { size: 4, sampleFraction, seed }));
      metrics.motifs = est.estimate;
      details.motifStandardError = est.standardError;
      details.motifSampleSize = est.sampleSize;
    }
    finished();
  }
  if (needSpectral && view) {
    const vw = view;
    // One workspace for both spectra: one Krylov basis and one product set-up (spectral.ts).
    withSpectralWorkspace(vw, spectralOptions, (o) => {
      if (steps.has("spectralGap")) {
        const r = timed("spectralGap", () => spectralGapOfView(vw, o));
        metrics.spectralGap = r.gap;
        details.adjacencyTop3AbsEigs = [...r.top3AbsEigs];
        finished();
      }
      if (steps.has("spectralRadius")) {
        const r = timed("spectralRadius", () => spectralRadiusOfView(vw, o));
        metrics.spectralRadius = r.radius;
        details.laplacianTop2Eigs = [...r.top2];
        finished();
      }
    }, eigenVectors ?? undefined);
  }
  view = null;
  progress.finish(`${requested.size} topometrics`);

  // Steps compute whole families; report only what was asked for.
  for (const name of METRIC_NAMES) if (!requested.has(name)) metrics[name] = null;
  if (normalize === "paper") {
    for (const name of METRIC_NAMES) {
      const v = metrics[name];
      if (v !== null) metrics[name] = paperNormalize(name, v, n, m);
    }
  }
  return { nodes: n, edges: m, normalize, metrics, seconds, details };
}
