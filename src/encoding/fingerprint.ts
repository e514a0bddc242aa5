/**
 * An order-independent fingerprint of a directed weighted multigraph, as defined in the reference
 * fixtures' README (data/reference/README.md): the edges sorted by (source, target) ascending;
 * SHA-256 over all sources as little-endian int64 followed by all targets as little-endian int64;
 * SHA-256 of the weights as little-endian float32 in that order; the float64 sum of the weights;
 * the number of distinct (source, target) pairs; the number of self-loops. Parallel edges with the
 * same (source, target) are ordered by weight (the README leaves their order open).
 *
 * A CSR with rows sorted by target is already in this order, so this is one streaming O(E) pass
 * (plus a per-row check), with O(1 MB) of buffers.
 */
import { createHash } from "node:crypto";
import type { CsrGraph } from "./csr";

export interface EdgeFingerprint {
  readonly nodes: number;
  readonly edges: number;
  readonly sha256_sorted_edges_int64: string;
  readonly sha256_weights_float32_in_sorted_edge_order: string;
  readonly weight_sum_float64: number;
  readonly distinct_directed_pairs: number;
  readonly self_loops: number;
}

const CHUNK = 1 << 17;

/** Rows must be sorted by target; rows where equal targets carry unsorted weights are fixed on a copy. */
function rowSorted(g: CsrGraph, v: number): boolean {
  for (let e = g.offsets[v] + 1; e < g.offsets[v + 1]; e++) {
    const a = g.targets[e - 1];
    const b = g.targets[e];
    if (a > b || (a === b && g.weights[e - 1] > g.weights[e])) return false;
  }
  return true;
}

export function edgeFingerprint(g: CsrGraph): EdgeFingerprint {
  const h = createHash("sha256");
  const hw = createHash("sha256");
  // int64 LE of a non-negative int32 = (low word, 0): write pairs into an Int32 view.
  const ibuf = new Int32Array(2 * CHUNK);
  const ibytes = new Uint8Array(ibuf.buffer);
  const wbuf = new Float32Array(CHUNK);
  const wbytes = new Uint8Array(wbuf.buffer);
  let sum = 0;
  let distinct = 0;
  let loops = 0;
  const rowEdges = (v: number): { t: ArrayLike<number>; w: ArrayLike<number> } => {
    const a = g.offsets[v];
    const b = g.offsets[v + 1];
    if (rowSorted(g, v)) return { t: g.targets.subarray(a, b), w: g.weights.subarray(a, b) };
    const idx = Array.from({ length: b - a }, (_, i) => a + i);
    idx.sort((p, q) => g.targets[p] - g.targets[q] || g.weights[p] - g.weights[q]);
    return { t: idx.map((i) => g.targets[i]), w: idx.map((i) => g.weights[i]) };
  };
  let f = 0;
  let wf = 0;
  // Pass 1: sources, weights and the counts; pass 2: targets (the hash runs over sources then targets).
  for (let pass = 0; pass < 2; pass++) {
    for (let v = 0; v < g.numNodes; v++) {
      const a = g.offsets[v];
      const b = g.offsets[v + 1];
      if (a === b) continue;
      const { t, w } = rowEdges(v);
      for (let i = 0; i < b - a; i++) {
        ibuf[2 * f] = pass === 0 ? v : t[i];
        ibuf[2 * f + 1] = 0;
        if (++f === CHUNK) {
          h.update(ibytes);
          f = 0;
        }
        if (pass === 0) {
          wbuf[wf] = w[i];
          if (++wf === CHUNK) {
            hw.update(wbytes);
            wf = 0;
          }
          sum += w[i];
          if (i === 0 || t[i] !== t[i - 1]) distinct++;
          if (t[i] === v) loops++;
        }
      }
    }
  }
  if (f > 0) h.update(ibytes.subarray(0, f * 8));
  if (wf > 0) hw.update(wbytes.subarray(0, wf * 4));
  return {
    nodes: g.numNodes,
    edges: g.numEdges,
    sha256_sorted_edges_int64: h.digest("hex"),
    sha256_weights_float32_in_sorted_edge_order: hw.digest("hex"),
    weight_sum_float64: sum,
    distinct_directed_pairs: distinct,
    self_loops: loops,
  };
}
