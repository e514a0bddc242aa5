/**
 * Strength connectivity, part 2: k-core index (coreness) on the total degree.
 *
 * Definition (igraph `coreness(mode="all")`, official `main.py`): the coreness of v is the
 * largest k such that v belongs to a subgraph in which every node has total degree ≥ k, the
 * degree being in-degree + out-degree with multiplicity: parallel edges count once each and a
 * self-loop counts twice, as igraph counts them. The metric is the mean coreness over all N nodes.
 *
 * Normalisation in the released unrolled.csv (reference-notes §2.1): mean coreness / E.
 *
 * Algorithm: Batagelj & Zaversnik, "An O(m) Algorithm for Cores Decomposition of Networks"
 * (2003): bucket-sort the nodes by degree, then peel in order, moving each still-unpeeled
 * neighbour with a larger current degree down one bucket. A self-loop never lowers a degree
 * (its node is the one being peeled), which is exactly igraph's behaviour.
 *
 * Source: reference-notes §2.1. Complexity: O(N + E + maxdeg) time, 12N bytes + the in-adjacency.
 */
import type { CsrGraph } from "../encoding/csr";
import { checkInAdjacency, inAdjacency, type InAdjacency } from "./adjacency";

/** Coreness of every node (total degree, multi-edges counted, self-loops twice). */
export function coreness(g: CsrGraph, inAdj?: InAdjacency): Int32Array {
  const n = g.numNodes;
  const adj = inAdj ?? inAdjacency(g);
  checkInAdjacency(g, adj, "metrics/kcore");
  const off = g.offsets;
  const tgt = g.targets;
  const ioff = adj.offsets;
  const src = adj.sources;
  const deg = new Int32Array(n);
  let maxDeg = 0;
  for (let v = 0; v < n; v++) {
    const d = off[v + 1] - off[v] + ioff[v + 1] - ioff[v];
    deg[v] = d;
    if (d > maxDeg) maxDeg = d;
  }
  // bin[d] = first position in `vert` of the nodes whose current degree is d.
  const bin = new Int32Array(maxDeg + 1);
  for (let v = 0; v < n; v++) bin[deg[v]]++;
  let start = 0;
  for (let d = 0; d <= maxDeg; d++) {
    const c = bin[d];
    bin[d] = start;
    start += c;
  }
  const vert = new Int32Array(n);
  const pos = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    const p = bin[deg[v]]++;
    pos[v] = p;
    vert[p] = v;
  }
  for (let d = maxDeg; d > 0; d--) bin[d] = bin[d - 1];
  bin[0] = 0;
  for (let i = 0; i < n; i++) {
    const v = vert[i];
    const dv = deg[v];
    for (let pass = 0; pass < 2; pass++) {
      const nb = pass === 0 ? tgt : src;
      const a = pass === 0 ? off[v] : ioff[v];
      const b = pass === 0 ? off[v + 1] : ioff[v + 1];
      for (let e = a; e < b; e++) {
        const u = nb[e];
        const du = deg[u];
        if (du > dv) {
          const pu = pos[u];
          const pw = bin[du];
          const w = vert[pw];
          if (u !== w) {
            pos[u] = pw;
            vert[pu] = w;
            pos[w] = pu;
            vert[pw] = u;
          }
          bin[du] = pw + 1;
          deg[u] = du - 1;
        }
      }
    }
  }
  return deg;
}

/** Official `k-core` (raw): mean coreness over all nodes. */
export function meanCoreness(g: CsrGraph, inAdj?: InAdjacency): number {
  if (g.numNodes === 0) throw new Error("metrics/kcore: the mean coreness is not defined on a graph without nodes");
  const c = coreness(g, inAdj);
  let s = 0;
  for (let v = 0; v < c.length; v++) s += c[v];
  return s / c.length;
}
