/**
 * In-neighbour index shared by the metrics that read the graph without direction (k-core,
 * bridges, articulation points, components).
 *
 * Definition: for every node v, the sources u of the edges u → v, grouped by v in ascending u
 * (one slot per edge, so parallel edges appear once per edge and a self-loop v → v appears once
 * here and once in v's out-row). Walking v's out-row of the CSR and then this row visits v's
 * neighbours in the undirected multigraph exactly as igraph's `neighbors(v, mode="all")` does.
 *
 * Why not `undirectedView` from encoding/csr: that copies every edge twice with edge ids and
 * weights (16 bytes per edge); the metrics here only need 4 bytes per edge on top of the CSR.
 *
 * Source: reference-notes §2.1 (igraph semantics). Complexity O(N + E) time, 4(N + E) bytes.
 */
import type { CsrGraph } from "./csr";

export interface InAdjacency {
  /** In-edges of v are the slots offsets[v] .. offsets[v+1]-1 (length numNodes + 1). */
  readonly offsets: Int32Array;
  /** Edge sources, grouped by target, ascending within a target. */
  readonly sources: Int32Array;
}

/** Builds the weightless reverse index of `g` by a counting sort on the target. */
export function inAdjacency(g: CsrGraph): InAdjacency {
  const n = g.numNodes;
  const m = g.numEdges;
  const off = g.offsets;
  const tgt = g.targets;
  const offsets = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) offsets[tgt[e] + 1]++;
  for (let v = 0; v < n; v++) offsets[v + 1] += offsets[v];
  const cursor = offsets.slice(0, n);
  const sources = new Int32Array(m);
  for (let u = 0; u < n; u++) {
    const b = off[u + 1];
    for (let e = off[u]; e < b; e++) sources[cursor[tgt[e]]++] = u;
  }
  return { offsets, sources };
}

/** Checks that an index passed by a caller belongs to `g` (same node and edge counts). */
export function checkInAdjacency(g: CsrGraph, adj: InAdjacency, module: string): void {
  if (adj.offsets.length !== g.numNodes + 1 || adj.sources.length !== g.numEdges) {
    throw new Error(
      `${module}: the in-adjacency has ${adj.offsets.length - 1} nodes / ${adj.sources.length} edges but the graph has ${g.numNodes} / ${g.numEdges}`,
    );
  }
}
