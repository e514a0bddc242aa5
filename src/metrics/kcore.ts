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
 * Algorithms: `coreness` is Batagelj & Zaversnik, "An O(m) Algorithm for Cores Decomposition
 * of Networks" (2003): bucket-sort the nodes by degree, then peel in order, moving each unpeeled
 * neighbour with a larger current degree down one bucket. `corenessByLevels` peels level by
 * level instead (the ParK scheme of Dasari, Desh & Zubair, 2014): at level k every remaining node
 * of degree ≤ k is found by a scan in index order and peeled, and neighbours that drop to k join
 * the level. It does the same O(E) decrements without the bucket swaps and reads rows in index
 * order, which is faster on layered graphs; it costs one O(N) scan per distinct level.
 * Both give igraph's values: a self-loop never lowers a degree (its node is the one peeled).
 *
 * Source: reference-notes §2.1. Complexity: BZ O(N + E + maxdeg) time, 12N bytes; levels
 * O(E + N·#levels) time, 9N bytes; both + the in-adjacency (4E bytes).
 */
import type { CsrGraph } from "../encoding/csr";
import { checkInAdjacency, inAdjacency, type InAdjacency } from "../encoding/in-adjacency";

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

/** Coreness of every node by level-synchronous peeling (same values as `coreness`). */
export function corenessByLevels(g: CsrGraph, inAdj?: InAdjacency): Int32Array {
  const n = g.numNodes;
  const adj = inAdj ?? inAdjacency(g);
  checkInAdjacency(g, adj, "metrics/kcore");
  const off = g.offsets;
  const tgt = g.targets;
  const ioff = adj.offsets;
  const src = adj.sources;
  const deg = new Int32Array(n);
  for (let v = 0; v < n; v++) deg[v] = off[v + 1] - off[v] + ioff[v + 1] - ioff[v];
  let cur = new Int32Array(n);
  let nxt = new Int32Array(n);
  const peeled = new Uint8Array(n);
  let remaining = n;
  let k = 0;
  while (remaining > 0) {
    let count = 0;
    let minRest = 0x7fffffff;
    for (let v = 0; v < n; v++) {
      if (peeled[v] !== 0) continue;
      const d = deg[v];
      if (d <= k) {
        cur[count++] = v;
        peeled[v] = 1;
      } else if (d < minRest) minRest = d;
    }
    if (count === 0) {
      k = minRest; // no node at this level: jump to the smallest remaining degree
      continue;
    }
    while (count > 0) {
      remaining -= count;
      let nn = 0;
      for (let i = 0; i < count; i++) {
        const v = cur[i];
        // deg[u] > k holds exactly for the unpeeled neighbours above this level.
        let b = off[v + 1];
        for (let e = off[v]; e < b; e++) {
          const u = tgt[e];
          const du = deg[u];
          if (du > k) {
            deg[u] = du - 1;
            if (du - 1 === k) {
              nxt[nn++] = u;
              peeled[u] = 1;
            }
          }
        }
        b = ioff[v + 1];
        for (let e = ioff[v]; e < b; e++) {
          const u = src[e];
          const du = deg[u];
          if (du > k) {
            deg[u] = du - 1;
            if (du - 1 === k) {
              nxt[nn++] = u;
              peeled[u] = 1;
            }
          }
        }
      }
      const swap = cur;
      cur = nxt;
      nxt = swap;
      count = nn;
    }
    k++;
  }
  return deg;
}

/** Official `k-core` (raw): mean coreness over all nodes. */
export function meanCoreness(g: CsrGraph, inAdj?: InAdjacency): number {
  if (g.numNodes === 0) throw new Error("metrics/kcore: the mean coreness is not defined on a graph without nodes");
  const c = corenessByLevels(g, inAdj);
  let s = 0;
  for (let v = 0; v < c.length; v++) s += c[v];
  return s / c.length;
}
