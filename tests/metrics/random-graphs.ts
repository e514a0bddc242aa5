/** Small random directed multigraphs for the metric tests (seeded, with parallel edges, self-loops and isolated nodes). */
import { csrFromEdges, type CsrGraph, type Partition } from "../../src/encoding/csr";
import { Rng } from "../../src/util/rng";

export interface RandomGraphOptions {
  maxNodes?: number;
  /** Probability that an edge is followed by a parallel copy. */
  multi?: number;
  /** Allow self-loops. */
  loops?: boolean;
}

/** A random multigraph; the density varies with the seed so that some graphs are trees, some dense, some fragmented. */
export function randomMultigraph(seed: number, opts: RandomGraphOptions = {}): CsrGraph {
  const rng = new Rng(seed);
  const n = 1 + rng.int(opts.maxNodes ?? 14);
  const density = [0.5, 0.8, 1.0, 1.5, 3][rng.int(5)];
  const m = Math.floor(rng.next() * density * n);
  const src: number[] = [];
  const tgt: number[] = [];
  const w: number[] = [];
  for (let e = 0; e < m; e++) {
    const u = rng.int(n);
    let v = rng.int(n);
    if (u === v && !(opts.loops ?? true)) v = (v + 1) % n;
    if (u === v && n === 1 && !(opts.loops ?? true)) continue;
    src.push(u);
    tgt.push(v);
    w.push(Math.round(rng.next() * 1000) / 1024);
    if (rng.next() < (opts.multi ?? 0.15)) {
      src.push(u);
      tgt.push(v);
      w.push(Math.round(rng.next() * 1000) / 1024);
    }
  }
  return csrFromEdges(n, src, tgt, w);
}

/** A random layered graph (an MGE-like DAG with input/hidden/output partitions and occasional skip edges). */
export function randomLayered(seed: number): CsrGraph {
  const rng = new Rng(seed);
  const layers = 2 + rng.int(4);
  const sizes: number[] = [];
  for (let l = 0; l < layers; l++) sizes.push(1 + rng.int(6));
  const starts: number[] = [];
  let n = 0;
  for (const s of sizes) {
    starts.push(n);
    n += s;
  }
  const p = rng.next() * 0.6;
  const src: number[] = [];
  const tgt: number[] = [];
  for (let l = 0; l + 1 < layers; l++) {
    for (let i = 0; i < sizes[l]; i++) {
      for (let j = 0; j < sizes[l + 1]; j++) if (rng.next() < p) { src.push(starts[l] + i); tgt.push(starts[l + 1] + j); }
      if (l + 2 < layers && rng.next() < 0.2) { src.push(starts[l] + i); tgt.push(starts[l + 2] + rng.int(sizes[l + 2])); }
    }
  }
  const partitions: Partition[] = sizes.map((s, l) => ({ name: `L${l}`, start: starts[l], size: s, channels: s, height: 1, width: 1 }));
  return csrFromEdges(n, src, tgt, null, partitions);
}

/** Edge list (u, v) pairs of a CSR, one per edge slot. */
export function edgeList(g: CsrGraph): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let u = 0; u < g.numNodes; u++) for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) out.push([u, g.targets[e]]);
  return out;
}

/** Number of connected components of the undirected view by BFS, skipping one edge slot and one node. */
export function bfsComponents(n: number, edges: Array<[number, number]>, skipEdge = -1, skipNode = -1): number {
  const adj: number[][] = Array.from({ length: n }, () => []);
  edges.forEach(([u, v], i) => {
    if (i === skipEdge || u === skipNode || v === skipNode) return;
    adj[u].push(v);
    adj[v].push(u);
  });
  const seen = new Array<boolean>(n).fill(false);
  let count = 0;
  for (let s = 0; s < n; s++) {
    if (s === skipNode || seen[s]) continue;
    count++;
    const queue = [s];
    seen[s] = true;
    while (queue.length > 0) {
      const x = queue.pop() as number;
      for (const y of adj[x]) if (!seen[y]) { seen[y] = true; queue.push(y); }
    }
  }
  return count;
}
