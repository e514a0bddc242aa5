/**
 * The one graph type of the library: a directed multigraph in compressed sparse row (CSR) form,
 * held in typed arrays so that graphs of 10^8 edges fit in memory (12 bytes per edge: Int32 target
 * + Float32 weight, plus 4 bytes per node of offsets). No JS object exists per node or edge.
 *
 * Edges run from the input side to the output side of the network. Parallel edges are allowed
 * (igraph, which the reference code uses, keeps them too); metrics document how they treat them.
 * Nodes are grouped in partitions (the layers of the MGE, or the two sides of a bipartite graph),
 * in index order; `partitions` lets any node's layer and (channel, row, col) be recovered.
 */
export interface Partition {
  /** Human-readable name: "input", the PyTorch module name of the layer, or "left"/"right". */
  readonly name: string;
  /** First node index of the partition. */
  readonly start: number;
  /** Number of nodes. */
  readonly size: number;
  /** Shape of the feature map the nodes stand for (channel-major raster order); 1×1 for dense layers. */
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

export interface CsrGraph {
  readonly numNodes: number;
  readonly numEdges: number;
  /** Out-edges of v are the slots offsets[v] .. offsets[v+1]-1 (length numNodes + 1). */
  readonly offsets: Int32Array;
  /** Edge targets, grouped by source and ascending within a source. */
  readonly targets: Int32Array;
  /** Edge weights |w| (float16-rounded where the encoder says so), aligned with `targets`. */
  readonly weights: Float32Array;
  /** Layers, in node order, covering 0 .. numNodes-1 without gaps. */
  readonly partitions: readonly Partition[];
}

/** Largest edge count a CSR can hold: slot indices are Int32. */
export const MAX_EDGES = 2 ** 31 - 1;

/**
 * Builds a CSR from edge arrays (COO) by a counting sort on the source, then sorts each row by
 * target. O(N + E log d). Throws, naming the edge, on an index outside 0..numNodes-1.
 */
export function csrFromEdges(
  numNodes: number,
  sources: ArrayLike<number>,
  targets: ArrayLike<number>,
  weights: ArrayLike<number> | null,
  partitions?: readonly Partition[],
): CsrGraph {
  const m = sources.length;
  if (targets.length !== m) throw new Error(`encoding/csr: ${m} sources but ${targets.length} targets`);
  if (weights && weights.length !== m) throw new Error(`encoding/csr: ${m} edges but ${weights.length} weights`);
  if (m > MAX_EDGES) throw new Error(`encoding/csr: ${m} edges exceed the Int32 CSR limit of ${MAX_EDGES}`);
  const offsets = new Int32Array(numNodes + 1);
  for (let e = 0; e < m; e++) {
    const s = sources[e];
    const t = targets[e];
    if (!(s >= 0 && s < numNodes) || !(t >= 0 && t < numNodes) || !Number.isInteger(s) || !Number.isInteger(t)) {
      throw new Error(`encoding/csr: edge ${e} (${s} -> ${t}) has a node outside 0..${numNodes - 1}`);
    }
    offsets[s + 1]++;
  }
  for (let v = 0; v < numNodes; v++) offsets[v + 1] += offsets[v];
  const cursor = offsets.slice(0, numNodes);
  const tgt = new Int32Array(m);
  const w = new Float32Array(m);
  for (let e = 0; e < m; e++) {
    const slot = cursor[sources[e]]++;
    tgt[slot] = targets[e];
    w[slot] = weights ? weights[e] : 1;
  }
  sortRows(offsets, tgt, w);
  return {
    numNodes,
    numEdges: m,
    offsets,
    targets: tgt,
    weights: w,
    partitions: partitions ?? [{ name: "all", start: 0, size: numNodes, channels: numNodes, height: 1, width: 1 }],
  };
}

/** Sorts each CSR row by target (insertion sort for short rows, index sort otherwise), carrying weights. */
export function sortRows(offsets: Int32Array, targets: Int32Array, weights: Float32Array): void {
  const n = offsets.length - 1;
  for (let v = 0; v < n; v++) {
    const a = offsets[v];
    const b = offsets[v + 1];
    if (b - a < 2) continue;
    let sorted = true;
    for (let i = a + 1; i < b; i++) if (targets[i - 1] > targets[i]) { sorted = false; break; }
    if (sorted) continue;
    if (b - a <= 32) {
      for (let i = a + 1; i < b; i++) {
        const t = targets[i];
        const x = weights[i];
        let j = i - 1;
        while (j >= a && targets[j] > t) {
          targets[j + 1] = targets[j];
          weights[j + 1] = weights[j];
          j--;
        }
        targets[j + 1] = t;
        weights[j + 1] = x;
      }
    } else {
      const idx = Array.from({ length: b - a }, (_, i) => a + i);
      idx.sort((p, q) => targets[p] - targets[q]);
      const t2 = idx.map((i) => targets[i]);
      const w2 = idx.map((i) => weights[i]);
      for (let i = 0; i < t2.length; i++) {
        targets[a + i] = t2[i];
        weights[a + i] = w2[i];
      }
    }
  }
}

/** Out-degree of every node. O(N). */
export function outDegrees(g: CsrGraph): Int32Array {
  const d = new Int32Array(g.numNodes);
  for (let v = 0; v < g.numNodes; v++) d[v] = g.offsets[v + 1] - g.offsets[v];
  return d;
}

/** In-degree of every node. O(N + E). */
export function inDegrees(g: CsrGraph): Int32Array {
  const d = new Int32Array(g.numNodes);
  const t = g.targets;
  for (let e = 0; e < g.numEdges; e++) d[t[e]]++;
  return d;
}

/** In-edges as a CSR over targets: `sources` grouped by target, ascending. O(N + E). */
export interface ReverseCsr {
  readonly offsets: Int32Array;
  readonly sources: Int32Array;
  readonly weights: Float32Array;
}

export function reverseCsr(g: CsrGraph): ReverseCsr {
  const n = g.numNodes;
  const offsets = new Int32Array(n + 1);
  for (let e = 0; e < g.numEdges; e++) offsets[g.targets[e] + 1]++;
  for (let v = 0; v < n; v++) offsets[v + 1] += offsets[v];
  const cursor = offsets.slice(0, n);
  const sources = new Int32Array(g.numEdges);
  const weights = new Float32Array(g.numEdges);
  for (let u = 0; u < n; u++) {
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const slot = cursor[g.targets[e]]++;
      sources[slot] = u;
      weights[slot] = g.weights[e];
    }
  }
  return { offsets, sources, weights };
}

/**
 * The undirected view with direction dropped and every edge kept (multi-edges stay parallel):
 * each directed edge e = (u, v) appears in u's row and in v's row with `edgeIds` = e, so a DFS can
 * skip exactly the edge it came through (needed for bridges on multigraphs). A self-loop appears
 * twice in its node's row. 2E slots; O(N + E).
 */
export interface UndirectedCsr {
  readonly numNodes: number;
  readonly offsets: Int32Array;
  readonly neighbors: Int32Array;
  readonly edgeIds: Int32Array;
  readonly weights: Float32Array;
}

export function undirectedView(g: CsrGraph, withWeights = true): UndirectedCsr {
  const n = g.numNodes;
  const m2 = 2 * g.numEdges;
  if (m2 > MAX_EDGES) throw new Error(`encoding/csr: the undirected view needs ${m2} slots, above the Int32 limit`);
  const offsets = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) offsets[u + 1] += g.offsets[u + 1] - g.offsets[u];
  for (let e = 0; e < g.numEdges; e++) offsets[g.targets[e] + 1]++;
  for (let v = 0; v < n; v++) offsets[v + 1] += offsets[v];
  const cursor = offsets.slice(0, n);
  const neighbors = new Int32Array(m2);
  const edgeIds = new Int32Array(m2);
  const weights = withWeights ? new Float32Array(m2) : new Float32Array(0);
  for (let u = 0; u < n; u++) {
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const v = g.targets[e];
      let s = cursor[u]++;
      neighbors[s] = v;
      edgeIds[s] = e;
      if (withWeights) weights[s] = g.weights[e];
      s = cursor[v]++;
      neighbors[s] = u;
      edgeIds[s] = e;
      if (withWeights) weights[s] = g.weights[e];
    }
  }
  return { numNodes: n, offsets, neighbors, edgeIds, weights };
}

/** Index of the partition holding node v (binary search over partition starts). */
export function partitionOf(g: CsrGraph, v: number): number {
  const p = g.partitions;
  let lo = 0;
  let hi = p.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (p[mid].start <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** (partition, channel, row, col) of node v. */
export function nodePosition(g: CsrGraph, v: number): { partition: number; channel: number; row: number; col: number } {
  const pi = partitionOf(g, v);
  const p = g.partitions[pi];
  const local = v - p.start;
  const hw = p.height * p.width;
  const channel = Math.floor(local / hw);
  const rem = local - channel * hw;
  return { partition: pi, channel, row: Math.floor(rem / p.width), col: rem % p.width };
}
