/**
 * Global connectivity of the MGE on its undirected view (direction ignored, every edge kept):
 * bridges (cut-edges), articulation points (cut-nodes) and weakly connected components.
 *
 * Definitions (official `main.py`, python-igraph):
 * - cut-edges = `len(G.bridges())`: edges whose removal increases the number of connected
 *   components. Parallel edges are never bridges (removing one copy leaves the other), and
 *   self-loops never are, as in igraph ≥ 0.10.
 * - cut-nodes = `len(G.articulation_points())`: nodes whose removal increases the number of
 *   components (an isolated node is not one).
 * - connected components: the official code takes `as_undirected(combine_edges="first")`,
 *   then `to_directed()` (every edge becomes a mutual pair) and counts strongly connected
 *   components, which are the weakly connected components of G. Isolated nodes count as
 *   components of size 1. `avg_connected_components` = mean component size = N / #components.
 *
 * Normalisation in the released unrolled.csv (reference-notes §2.1): cut-edges / E,
 * cut-nodes / E (sic), #components raw, mean component size / N (= 1 / #components).
 *
 * Algorithms: bridges and articulation points in ONE iterative Hopcroft–Tarjan DFS (explicit
 * stack, no recursion, so 10^8-edge graphs do not overflow the call stack). The DFS skips the
 * edge to the parent only once, so a second parallel edge to the parent acts as a back edge:
 * this is how parallel edges are kept from being bridges without edge ids. Components by
 * union–find (path halving, union by index) over the edge list.
 *
 * Source: reference-notes §2.1; Hopcroft & Tarjan, "Efficient algorithms for graph
 * manipulation" (CACM 1973). Complexity: DFS O(N + E) time, 22N bytes + the in-adjacency;
 * components O(N + E·α(N)) time, 4N bytes.
 */
import type { CsrGraph } from "../encoding/csr";
import { silentProgress, type Progress } from "../util/progress";
import { checkInAdjacency, inAdjacency, type InAdjacency } from "../encoding/in-adjacency";

export interface CutStructure {
  /** Number of bridges (official `cut-edges`). */
  readonly bridges: number;
  /** Number of articulation points (official `cut-nodes`). */
  readonly articulationPoints: number;
  /** 1 for every articulation point. */
  readonly isArticulation: Uint8Array;
  /** Bridges as undirected pairs [parent0, child0, parent1, child1, …] (DFS tree orientation). */
  readonly bridgeEndpoints: Int32Array;
}

/** Bridges and articulation points of the undirected multigraph view, in one iterative DFS. */
export function cutStructure(g: CsrGraph, inAdj?: InAdjacency, progress: Progress = silentProgress): CutStructure {
  const n = g.numNodes;
  const adj = inAdj ?? inAdjacency(g);
  checkInAdjacency(g, adj, "metrics/connectivity");
  const off = g.offsets;
  const tgt = g.targets;
  const ioff = adj.offsets;
  const src = adj.sources;
  const disc = new Int32Array(n); // 0 = not visited; DFS times start at 1
  const low = new Int32Array(n);
  const parent = new Int32Array(n);
  const cursor = new Int32Array(n); // position in the combined (out-row, in-row) neighbour list
  const stack = new Int32Array(n);
  const skippedParent = new Uint8Array(n);
  const isArt = new Uint8Array(n);
  const bridgeList: number[] = [];
  let bridges = 0;
  let arts = 0;
  let time = 0;
  let visited = 0;
  for (let root = 0; root < n; root++) {
    if (disc[root] !== 0) continue;
    let sp = 0;
    stack[sp++] = root;
    disc[root] = low[root] = ++time;
    parent[root] = -1;
    visited++;
    let rootChildren = 0;
    while (sp > 0) {
      const v = stack[sp - 1];
      const outA = off[v];
      const od = off[v + 1] - outA;
      const inA = ioff[v];
      const total = od + ioff[v + 1] - inA;
      const pv = parent[v];
      let i = cursor[v];
      let descended = false;
      while (i < total) {
        const w = i < od ? tgt[outA + i] : src[inA + i - od];
        i++;
        if (w === pv && skippedParent[v] === 0) {
          skippedParent[v] = 1;
          continue;
        }
        if (disc[w] === 0) {
          parent[w] = v;
          disc[w] = low[w] = ++time;
          stack[sp++] = w;
          visited++;
          if (v === root) rootChildren++;
          descended = true;
          break;
        }
        if (disc[w] < low[v]) low[v] = disc[w];
      }
      cursor[v] = i;
      if (descended) continue;
      sp--;
      if (pv >= 0) {
        if (low[v] < low[pv]) low[pv] = low[v];
        if (low[v] > disc[pv]) {
          bridges++;
          bridgeList.push(pv, v);
        }
        if (pv !== root && low[v] >= disc[pv] && isArt[pv] === 0) {
          isArt[pv] = 1;
          arts++;
        }
      }
      if ((visited & 65535) === 0) progress.update(visited, n, "bridges/articulation points");
    }
    if (rootChildren >= 2) {
      isArt[root] = 1;
      arts++;
    }
  }
  progress.update(n, n, "bridges/articulation points");
  return { bridges, articulationPoints: arts, isArticulation: isArt, bridgeEndpoints: Int32Array.from(bridgeList) };
}

export interface Components {
  /** Number of weakly connected components, isolated nodes included (official `connected_components`). */
  readonly count: number;
  /** N / count (official `avg_connected_components`). */
  readonly meanSize: number;
  /** Components that are a single node without edges. */
  readonly isolatedNodes: number;
  /** Size of the largest component. */
  readonly largestSize: number;
  /** Component label of every node, 0..count-1, numbered by smallest member. */
  readonly labels: Int32Array;
}

/** Weakly connected components by union–find over the edges. */
export function weakComponents(g: CsrGraph): Components {
  const n = g.numNodes;
  if (n === 0) throw new Error("metrics/connectivity: components are not defined on a graph without nodes");
  const off = g.offsets;
  const tgt = g.targets;
  const parent = new Int32Array(n);
  for (let v = 0; v < n; v++) parent[v] = v;
  for (let u = 0; u < n; u++) {
    const b = off[u + 1];
    for (let e = off[u]; e < b; e++) {
      let a = u;
      while (parent[a] !== a) {
        parent[a] = parent[parent[a]];
        a = parent[a];
      }
      let c = tgt[e];
      while (parent[c] !== c) {
        parent[c] = parent[parent[c]];
        c = parent[c];
      }
      // Linking the larger index under the smaller keeps every root the smallest member.
      if (a < c) parent[c] = a;
      else if (c < a) parent[a] = c;
    }
  }
  const labels = new Int32Array(n);
  const sizes: number[] = [];
  let isolated = 0;
  for (let v = 0; v < n; v++) {
    let r = v;
    while (parent[r] !== r) r = parent[r];
    parent[v] = r;
    if (r === v) {
      labels[v] = sizes.length;
      sizes.push(0);
    } else labels[v] = labels[r];
    sizes[labels[v]]++;
  }
  const indeg = new Uint8Array(n);
  for (let e = 0; e < g.numEdges; e++) indeg[tgt[e]] = 1;
  for (let v = 0; v < n; v++) if (indeg[v] === 0 && off[v + 1] === off[v]) isolated++;
  let largest = 0;
  for (const s of sizes) if (s > largest) largest = s;
  return { count: sizes.length, meanSize: n / sizes.length, isolatedNodes: isolated, largestSize: largest, labels };
}
