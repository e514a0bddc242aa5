/**
 * The metric catalogue: one descriptor per metric of the paper, from which everything that names a
 * metric is derived — `computeTopometrics`'s steps and normalisation, the CLI's JSON keys, the
 * reference fixtures' keys, the analysis feature sets and groups, and the columns of the results
 * files. Adding a metric is its computation in its own module plus one line here.
 *
 * Sources: reference-notes §2.1 (the 16 MGE topometrics, their columns in the released
 * `graph_metrics/unrolled/unrolled.csv`, the fixtures' `metrics_raw` keys, the groups printed by
 * the official `main.py`, the divisors of the released normalisation), §2.2 (the per-layer BGE
 * metrics of the rolled / rolled_channel files), §2.3 (the Ramanujan metrics).
 */

export type MetricName =
  | "sinkNodes"
  | "sourceNodes"
  | "disconnectedNodes"
  | "removableOutEdges"
  | "removableInEdges"
  | "oneHop"
  | "twoHop"
  | "motifs"
  | "strength"
  | "kCore"
  | "cutEdges"
  | "cutNodes"
  | "connectedComponents"
  | "avgConnectedComponents"
  | "spectralGap"
  | "spectralRadius";

/** Computation steps of `computeTopometrics`; metrics computed together share a step (and its time). */
export type StepName =
  | "inDegrees"
  | "inAdjacency"
  | "local"
  | "oneHop"
  | "twoHop"
  | "motifs"
  | "strength"
  | "kCore"
  | "cutStructure"
  | "components"
  | "simpleView"
  | "spectralGap"
  | "spectralRadius";

export type MetricGroup = "local" | "neighbourhood" | "strength" | "global" | "expansion";

export interface MetricInfo {
  /** Column of the released graph_metrics/unrolled/unrolled.csv (and of the results files). */
  readonly csvColumn: string;
  /** Position of that column among the 16 metric columns of unrolled.csv (the file's own order). */
  readonly csvPosition: number;
  /** Key in the reference fixtures' `metrics_raw` (and in the CLI's JSON). */
  readonly fixtureKey: string;
  readonly group: MetricGroup;
  /** What `normalize: "paper"` divides the raw value by. */
  readonly paperDivisor: "N" | "E" | "none";
  /** The step that computes it. */
  readonly step: StepName;
  /** True when the value depends on edge weights. */
  readonly weighted: boolean;
}

/** The 16 MGE topometrics, in the order of reference-notes §2.1's table. */
export const METRICS: Readonly<Record<MetricName, MetricInfo>> = {
  sinkNodes: { csvColumn: "sink_nodes", csvPosition: 0, fixtureKey: "sink_nodes", group: "local", paperDivisor: "N", step: "local", weighted: false },
  sourceNodes: { csvColumn: "source_nodes", csvPosition: 1, fixtureKey: "source_nodes", group: "local", paperDivisor: "N", step: "local", weighted: false },
  disconnectedNodes: { csvColumn: "disc_nodes", csvPosition: 2, fixtureKey: "disconnected_nodes", group: "local", paperDivisor: "N", step: "local", weighted: false },
  removableOutEdges: { csvColumn: "r-out", csvPosition: 3, fixtureKey: "removable_out_edges", group: "local", paperDivisor: "E", step: "local", weighted: false },
  removableInEdges: { csvColumn: "r-in", csvPosition: 4, fixtureKey: "removable_in_edges", group: "local", paperDivisor: "E", step: "local", weighted: false },
  oneHop: { csvColumn: "1-hop_nei", csvPosition: 11, fixtureKey: "1-hop", group: "neighbourhood", paperDivisor: "E", step: "oneHop", weighted: false },
  twoHop: { csvColumn: "2-hop_nei", csvPosition: 5, fixtureKey: "2-hop", group: "neighbourhood", paperDivisor: "E", step: "twoHop", weighted: false },
  motifs: { csvColumn: "motif", csvPosition: 7, fixtureKey: "motifs", group: "neighbourhood", paperDivisor: "E", step: "motifs", weighted: false },
  strength: { csvColumn: "avg_node_strength", csvPosition: 10, fixtureKey: "strength", group: "strength", paperDivisor: "E", step: "strength", weighted: true },
  kCore: { csvColumn: "k-core", csvPosition: 13, fixtureKey: "k-core", group: "strength", paperDivisor: "E", step: "kCore", weighted: false },
  cutEdges: { csvColumn: "cut-edges", csvPosition: 6, fixtureKey: "cut-edges", group: "global", paperDivisor: "E", step: "cutStructure", weighted: false },
  cutNodes: { csvColumn: "cut-nodes", csvPosition: 12, fixtureKey: "cut-nodes", group: "global", paperDivisor: "E", step: "cutStructure", weighted: false },
  connectedComponents: { csvColumn: "no_connected_components", csvPosition: 8, fixtureKey: "connected_components", group: "global", paperDivisor: "none", step: "components", weighted: false },
  avgConnectedComponents: { csvColumn: "mean_connected_components", csvPosition: 9, fixtureKey: "avg_connected_components", group: "global", paperDivisor: "N", step: "components", weighted: false },
  spectralGap: { csvColumn: "spectral_gap", csvPosition: 14, fixtureKey: "spectral-gap", group: "expansion", paperDivisor: "none", step: "spectralGap", weighted: true },
  spectralRadius: { csvColumn: "spectral_radius", csvPosition: 15, fixtureKey: "spectral-radius", group: "expansion", paperDivisor: "none", step: "spectralRadius", weighted: true },
};

/** The 16 metrics in the order of reference-notes §2.1. */
export const METRIC_NAMES: readonly MetricName[] = Object.keys(METRICS) as MetricName[];

/** Their unrolled.csv columns in §2.1's order (the analysis's "mge" feature set). */
export const MGE_METRICS: readonly string[] = METRIC_NAMES.map((m) => METRICS[m].csvColumn);

/** Their unrolled.csv columns in the file's own order. */
export const UNROLLED_METRIC_COLUMNS: readonly string[] = [...METRIC_NAMES].sort((a, b) => METRICS[a].csvPosition - METRICS[b].csvPosition).map((m) => METRICS[m].csvColumn);

/** Metric groups as printed by the official main.py (reference-notes §2.1): CSV columns per group. */
export const MGE_METRIC_GROUPS: Readonly<Record<MetricGroup, readonly string[]>> = (() => {
  const g: Record<MetricGroup, string[]> = { local: [], neighbourhood: [], strength: [], global: [], expansion: [] };
  for (const m of METRIC_NAMES) g[METRICS[m].group].push(METRICS[m].csvColumn);
  return g;
})();

/** Parses a metric name given as the camelCase name, the CSV column or the fixture key. */
export function parseMetricName(s: string): MetricName {
  for (const name of METRIC_NAMES) {
    const info = METRICS[name];
    if (s === name || s === info.csvColumn || s === info.fixtureKey) return name;
  }
  throw new Error(`metrics/topometrics: unknown metric '${s}'; known: ${METRIC_NAMES.join(", ")} (CSV column and fixture names are accepted too)`);
}

/**
 * Divides a raw value the way the released unrolled.csv does (reference-notes §2.1): what
 * `computeTopometrics(g, { normalize: "paper" })` and the CLI's `--normalize paper` apply to each
 * metric (identifiers spell it "normalize", as the option does).
 * @example paperNormalize("sinkNodes", 120, 1000, 5000) // 0.12: divided by N
 * @throws when the divisor (N or E) is 0.
 */
export function paperNormalize(name: MetricName, raw: number, nodes: number, edges: number): number {
  const d = METRICS[name].paperDivisor;
  if (d === "none") return raw;
  const by = d === "N" ? nodes : edges;
  if (by === 0) throw new Error(`metrics/topometrics: cannot normalise ${name} by ${d} = 0`);
  return raw / by;
}

// ---------------------------------------------------------------------------------------------
// Per-layer encodings (BGE, Ramanujan) and their per-network aggregates

export interface BgeMetricInfo {
  /** Column stem in the paper's rolled / rolled_channel files (68-column schema, typos included). */
  readonly column: string;
  /** The MGE topometric it is the BGE analogue of; two released files name their columns after it. */
  readonly mge: MetricName;
}

/** The per-layer BGE topometrics (reference-notes §2.2), in the files' order. */
export const BGE_METRIC_INFO = {
  cutEdges: { column: "bridges", mge: "cutEdges" },
  cutNodes: { column: "a_point", mge: "cutNodes" },
  motifs: { column: "motifs_count", mge: "motifs" },
  oneHop: { column: "nei_one_hop", mge: "oneHop" },
  strength: { column: "strenght_all", mge: "strength" },
  kCore: { column: "coreness_all", mge: "kCore" },
  components: { column: "weak_clusters", mge: "connectedComponents" },
  meanComponentSize: { column: "mean_weak", mge: "avgConnectedComponents" },
  spectralGap: { column: "spectral_gap_weighted_undirected", mge: "spectralGap" },
  spectralRadius: { column: "spectral_radius_laplacian_weighted_undirected", mge: "spectralRadius" },
} as const satisfies Record<string, BgeMetricInfo>;

export type BgeMetricName = keyof typeof BGE_METRIC_INFO;
export const BGE_METRICS = Object.keys(BGE_METRIC_INFO) as readonly BgeMetricName[];

/** Column stems of the BGE metrics in the rolled files. */
export const BGE_LAYER_METRICS: readonly string[] = BGE_METRICS.map((m) => BGE_METRIC_INFO[m].column);

/**
 * Two released BGE files (rolled-tinyimagenet-CONV-6, rolled_channel-tinyimagenet-Resnet-32) use the
 * column names of `process_graph_topometrics` (the MGE columns) instead of the 68-column schema; the
 * values are the same quantities on the same scale (checked against the same layers of the CIFAR-100 files).
 */
export const BGE_COLUMN_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(BGE_METRICS.map((m) => [BGE_METRIC_INFO[m].column, METRICS[BGE_METRIC_INFO[m].mge].csvColumn]));

/** The per-layer Ramanujan metrics (reference-notes §2.3): column stem in the ramanunjan_results files. */
export const RAMANUJAN_METRIC_INFO = {
  iterativeSpectralGap: { column: "iterative_spectral_gap" },
  iterativeDegreeBound: { column: "iterative_degree_bound" },
  degreeBound: { column: "degree_bound" },
} as const satisfies Record<string, { readonly column: string }>;

export type RamanujanMetricName = keyof typeof RAMANUJAN_METRIC_INFO;
export const RAMANUJAN_METRICS = Object.keys(RAMANUJAN_METRIC_INFO) as readonly RamanujanMetricName[];
export const RAMANUJAN_LAYER_METRICS: readonly string[] = RAMANUJAN_METRICS.map((m) => RAMANUJAN_METRIC_INFO[m].column);

/** Per-network aggregates of a per-layer metric: mean, min, max, density-weighted mean. */
export const LAYER_AGGREGATES = ["mean", "min", "max", "wmean"] as const;
export type LayerAggregate = (typeof LAYER_AGGREGATES)[number];

/** Column prefixes of the per-layer encodings' aggregates in a network table / results file. */
export const LAYER_ENCODING_PREFIX = { rolled: "rolled:", rolledChannel: "rolled_channel:", ramanujan: "ramanujan:" } as const;

/** `<prefix><stem>_<aggregate>`: the column of one aggregate of one per-layer metric. */
export function layerAggregateColumn(prefix: string, stem: string, aggregate: LayerAggregate): string {
  return `${prefix}${stem}_${aggregate}`;
}

/** Every aggregate column of the given per-layer metric stems, metric-major. */
export function layerAggregateColumns(prefix: string, stems: readonly string[]): string[] {
  return stems.flatMap((m) => LAYER_AGGREGATES.map((a) => layerAggregateColumn(prefix, m, a)));
}

/** The density-only baseline's columns (layer density mean/min/max, global density Σnnz/Σnumel). */
export const DENSITY_COLUMNS: readonly string[] = [
  ...(["mean", "min", "max"] as const).map((a) => layerAggregateColumn(LAYER_ENCODING_PREFIX.ramanujan, "layer_density", a)),
  `${LAYER_ENCODING_PREFIX.ramanujan}global_density`,
];
