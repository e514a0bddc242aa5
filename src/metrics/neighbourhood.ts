/**
 * Neighbourhood connectivity: the mean size of every node's out-neighbourhood of order 1 and 2.
 *
 * Definition (igraph `neighborhood_size(order=k, mode="out")`, used by the official `main.py`):
 * the number of DISTINCT nodes at directed distance ≤ k from v, v itself included. Parallel
 * edges and self-loops add nothing; on a graph without them the order-1 mean is 1 + E/N.
 * The metric is the mean over all N nodes.
 *
 * Normalisation in the released unrolled.csv (reference-notes §2.1): both means / E.
 *
 * Algorithm: one pass per node with a stamp array (mark[w] = v when w has been counted for v),
 * so no set is built or cleared. Rows of the CSR are sorted, so parallel edges are adjacent and
 * each distinct out-neighbour is expanded once. Order 2 costs Σ_u indeg(u)·outdeg(u) stamp
 * checks (the same walk igraph does); the stamp array is 4N bytes and is read almost only in
 * the next one or two partitions of a layered graph, which keeps it in cache.
 *
 * Source: reference-notes §2.1. Complexity: order 1 O(N + E); order 2 O(N + Σ indeg·outdeg).
 */
import type { CsrGraph } from "../encoding/csr";
import { silentProgress, type Progress } from "../util/progress";

/** Distinct out-neighbourhood size of every node at order 1 (itself included). O(N + E). */
export function oneHopSizes(g: CsrGraph): Int32Array {
  const n = g.numNodes;
  const off = g.offsets;
  const t = g.targets;
  const size = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    const a = off[v];
    const b = off[v + 1];
    let c = 1;
    let prev = -1;
    for (let e = a; e < b; e++) {
      const u = t[e];
      if (u !== prev && u !== v) c++;
      prev = u;
    }
    size[v] = c;
  }
  return size;
}

/** Distinct out-neighbourhood size of every node at order 2 (itself included). */
export function twoHopSizes(g: CsrGraph, progress: Progress = silentProgress): Int32Array {
  const n = g.numNodes;
  const off = g.offsets;
  const t = g.targets;
  const size = new Int32Array(n);
  const mark = new Int32Array(n).fill(-1);
  const chunk = 1 << 14;
  for (let v0 = 0; v0 < n; v0 += chunk) {
    const v1 = Math.min(n, v0 + chunk);
    for (let v = v0; v < v1; v++) {
      const a = off[v];
      const b = off[v + 1];
      mark[v] = v;
      let c = 1;
      for (let e = a; e < b; e++) {
        const u = t[e];
        if (mark[u] !== v) {
          mark[u] = v;
          c++;
        }
      }
      let prev = -1;
      for (let e = a; e < b; e++) {
        const u = t[e];
        if (u === prev || u === v) continue;
        prev = u;
        const ub = off[u + 1];
        for (let f = off[u]; f < ub; f++) {
          const w = t[f];
          if (mark[w] !== v) {
            mark[w] = v;
            c++;
          }
        }
      }
      size[v] = c;
    }
    progress.update(v1, n, "2-hop");
  }
  return size;
}

/**
 * Distinct out-neighbourhood sizes at any order k ≥ 0 by a depth-bounded BFS per node
 * (O(N·(N + E)) worst case: meant for small graphs and for checking; orders 1 and 2 use the
 * dedicated passes above).
 */
export function neighbourhoodSizes(g: CsrGraph, order: number, progress: Progress = silentProgress): Int32Array {
  if (!Number.isInteger(order) || order < 0) throw new Error(`metrics/neighbourhood: order must be a non-negative integer, got ${order}`);
  if (order === 1) return oneHopSizes(g);
  if (order === 2) return twoHopSizes(g, progress);
  const n = g.numNodes;
  const off = g.offsets;
  const t = g.targets;
  const size = new Int32Array(n);
  const mark = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    let head = 0;
    let tail = 0;
    queue[tail++] = v;
    mark[v] = v;
    for (let depth = 0; depth < order && head < tail; depth++) {
      const levelEnd = tail;
      while (head < levelEnd) {
        const u = queue[head++];
        for (let e = off[u]; e < off[u + 1]; e++) {
          const w = t[e];
          if (mark[w] !== v) {
            mark[w] = v;
            queue[tail++] = w;
          }
        }
      }
    }
    size[v] = tail;
    if ((v & 4095) === 0) progress.update(v, n, `${order}-hop`);
  }
  progress.update(n, n, `${order}-hop`);
  return size;
}

function mean(a: Int32Array): number {
  if (a.length === 0) throw new Error("metrics/neighbourhood: the mean is not defined on a graph without nodes");
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** Official `1-hop` (raw): mean distinct out-neighbourhood size of order 1, node included. */
export function oneHopMean(g: CsrGraph): number {
  return mean(oneHopSizes(g));
}

/** Official `2-hop` (raw): mean distinct out-neighbourhood size of order 2, node included. */
export function twoHopMean(g: CsrGraph, progress: Progress = silentProgress): number {
  return mean(twoHopSizes(g, progress));
}
