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

/** All five local metrics in one pass. `inDeg` may be passed when the caller already has it. */
export function localConnectivity(g: CsrGraph, sizes: LayerSizes = defaultLayerSizes(g), inDeg?: Int32Array): LocalConnectivity {
  checkSizes(g, sizes);
  const n = g.numNodes;
  const indeg = inDeg ?? inDegrees(g);
  if (indeg.length !== n) throw new Error(`metrics/local: in-degree array has ${indeg.length} entries for ${n} nodes`);
  const off = g.offsets;
  const outLimit = n - 1 - sizes.outputLayerSize;
  const inLimit = sizes.inputLayerSize;
  let sinks = 0;
  let sources = 0;
  let disc = 0;
  let rOut = 0;
  let rIn = 0;
  for (let v = 0; v < n; v++) {
    const od = off[v + 1] - off[v];
    const id = indeg[v];
    if (od === 0) {
      if (id === 0) disc++;
      else {
        sinks++;
        if (v < outLimit) rOut += id;
      }
    } else if (id === 0) {
      sources++;
      if (v > inLimit) rIn += od;
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
