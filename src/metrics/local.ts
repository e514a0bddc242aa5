/**
 * Local connectivity of the MGE: sink, source and disconnected nodes and the removable
 * out- and in-connections, with the exact definitions of the official code (`main.py`), index
 * quirks included, so that `reference`-aligned graphs reproduce the released numbers.
 *
 * Definitions (directed graph G, N nodes, edges with multiplicity; I = size of the input layer
 * including its padding nodes, O = size of the output layer):
 * - sinks        = #{v : outdeg(v) = 0 ∧ indeg(v) ≠ 0} − O   (can be negative when output nodes lose all in-edges)
 * - sources      = #{v : outdeg(v) ≠ 0 ∧ indeg(v) = 0} − I
 * - disconnected = #{v : outdeg(v) = 0 ∧ indeg(v) = 0}
 * - removable out-connections = Σ indeg(v) over sinks v with v < N − 1 − O
 *   (the official bound is off by one: the last hidden node, index N − 1 − O, is never counted)
 * - removable in-connections  = Σ outdeg(v) over sources v with v > I
 *   (off by one the other way: node I, the first node after the input layer, is never counted)
 * A self-loop counts in both the in- and the out-degree of its node (as in igraph).
 *
 * Normalisation in the released unrolled.csv (reference-notes §2.1): counts / N, removable / E.
 *
 * Source: reference-notes §2.1; official `main.py` (eliacunegatti/mge-snn).
 * Complexity: O(N + E) time (one pass for the in-degrees), 4N bytes.
 */
import { inDegrees, type CsrGraph } from "../encoding/csr";

export interface LayerSizes {
  /** Nodes of the input layer, padding nodes included (3,468 for a 32×32×3 input with p = 1). */
  readonly inputLayerSize: number;
  /** Nodes of the output layer (the classes). */
  readonly outputLayerSize: number;
}

export interface LocalConnectivity {
  /** #sinks − outputLayerSize (official `sink_nodes`). */
  readonly sinkNodes: number;
  /** #sources − inputLayerSize (official `source_nodes`). */
  readonly sourceNodes: number;
  /** Nodes without any edge (official `disconnected_nodes`). */
  readonly disconnectedNodes: number;
  /** Official `lost_out_edges` / `r-out`. */
  readonly removableOutEdges: number;
  /** Official `lost_in_edges` / `r-in`. */
  readonly removableInEdges: number;
  /** Plain counts, before subtracting the layer sizes. */
  readonly sinkCount: number;
  readonly sourceCount: number;
}

/**
 * Layer sizes from the graph's partitions: the first and the last partition. A graph with a
 * single partition has no input or output layer, so both are 0 (nothing is subtracted).
 */
export function defaultLayerSizes(g: CsrGraph): LayerSizes {
  const p = g.partitions;
  if (p.length < 2) return { inputLayerSize: 0, outputLayerSize: 0 };
  return { inputLayerSize: p[0].size, outputLayerSize: p[p.length - 1].size };
}

function checkSizes(g: CsrGraph, s: LayerSizes): void {
  for (const [k, v] of [["inputLayerSize", s.inputLayerSize], ["outputLayerSize", s.outputLayerSize]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > g.numNodes) {
      throw new Error(`metrics/local: ${k} must be an integer in 0..${g.numNodes}, got ${v}`);
    }
  }
}

/** Role codes of `nodeRoles`. */
export const NODE_ROLE = { through: 0, sink: 1, source: 2, disconnected: 3 } as const;

/**
 * Every node's role in the definitions above: sink (outdeg = 0, indeg ≠ 0), source (outdeg ≠ 0,
 * indeg = 0), disconnected (neither) or through (both), as `NODE_ROLE` codes. The counts of
 * `localConnectivity` are counts of these roles. O(N + E) (O(N) when `inDeg` is given).
 */
export function nodeRoles(g: CsrGraph, inDeg?: Int32Array): Uint8Array {
  const n = g.numNodes;
  const indeg = inDeg ?? inDegrees(g);
  if (indeg.length !== n) throw new Error(`metrics/local: in-degree array has ${indeg.length} entries for ${n} nodes`);
  const off = g.offsets;
  const roles = new Uint8Array(n);
  for (let v = 0; v < n; v++) {
    const out = off[v + 1] !== off[v];
    const inn = indeg[v] !== 0;
    roles[v] = out ? (inn ? NODE_ROLE.through : NODE_ROLE.source) : inn ? NODE_ROLE.sink : NODE_ROLE.disconnected;
  }
  return roles;
}

/**
 * Index bounds of the removable connections, with the official off-by-one quirks: the in-edges of a
 * sink v count when v < `sinksBelow` (= N − 1 − O), the out-edges of a source v when v > `sourcesAbove` (= I).
 */
export function removableBounds(g: CsrGraph, sizes: LayerSizes = defaultLayerSizes(g)): { sinksBelow: number; sourcesAbove: number } {
  checkSizes(g, sizes);
  return { sinksBelow: g.numNodes - 1 - sizes.outputLayerSize, sourcesAbove: sizes.inputLayerSize };
}

/** All five local metrics in one pass over the node roles. `inDeg` may be passed when the caller already has it. */
export function localConnectivity(g: CsrGraph, sizes: LayerSizes = defaultLayerSizes(g), inDeg?: Int32Array): LocalConnectivity {
  const { sinksBelow, sourcesAbove } = removableBounds(g, sizes);
  const n = g.numNodes;
  const indeg = inDeg ?? inDegrees(g);
  const roles = nodeRoles(g, indeg);
  const off = g.offsets;
  let sinks = 0;
  let sources = 0;
  let disc = 0;
  let rOut = 0;
  let rIn = 0;
  for (let v = 0; v < n; v++) {
    const r = roles[v];
    if (r === NODE_ROLE.disconnected) disc++;
    else if (r === NODE_ROLE.sink) {
      sinks++;
      if (v < sinksBelow) rOut += indeg[v];
    } else if (r === NODE_ROLE.source) {
      sources++;
      if (v > sourcesAbove) rIn += off[v + 1] - off[v];
    }
  }
  return {
    sinkNodes: sinks - sizes.outputLayerSize,
    sourceNodes: sources - sizes.inputLayerSize,
    disconnectedNodes: disc,
    removableOutEdges: rOut,
    removableInEdges: rIn,
    sinkCount: sinks,
    sourceCount: sources,
  };
}
