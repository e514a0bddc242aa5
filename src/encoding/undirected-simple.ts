/**
 * The simple undirected view of a directed multigraph, as the reference code builds it with
 * igraph's `as_undirected(combine_edges='first')` (then `to_directed()` for the spectral
 * metrics): one entry per unordered node pair {u, v} that has at least one edge in either
 * direction, stored in both rows, neighbours ascending, no self-loops in the rows.
 *
 * Weight of a pair ('first'): igraph keeps the weight of the edge with the lowest edge id among
 * all edges u→v and v→u (checked with python-igraph 0.10.2). Here the edge id is the CSR slot, so
 * 'first' is the first parallel edge in input order (csrFromEdges keeps that order within a row),
 * and for a reciprocal pair the edge leaving the smaller node id. This equals igraph's choice when
 * the encoder inserted edges in source-major order, and only matters when a pair carries several
 * edges with different weights (never in the BGEs; the MGE fixtures have no parallel edges).
 *
 * Self-loops: igraph collapses the loops of v into one undirected loop and `to_directed()` turns it
 * into two directed loops, which scipy's csc constructor sums: A[v, v] = 2·w(first loop of v).
 * `loopWeight[v]` holds that w (0 when v has no loop). Motif counts ignore loops.
 *
 * Source: reference-notes §2.1 (spectral rows), main.py `process_graph_topometrics`.
 * Complexity: O(N + E) time; 4(N + E) bytes of scratch, 8 bytes per stored slot (4 without weights).
 */
import type { CsrGraph } from "./csr";
import { MAX_EDGES } from "./csr";

export interface SimpleUndirected {
  readonly numNodes: number;
  /** Neighbours of u are neighbors[offsets[u] .. offsets[u+1]-1], ascending, distinct, ≠ u. */
  readonly offsets: Int32Array;
  readonly neighbors: Int32Array;
  /** Weight of each slot ('first' rule); empty when built without weights. */
  readonly weights: Float32Array;
  /** Weight of v's first self-loop, 0 if none (A[v, v] = 2·loopWeight[v]); empty without weights. */
  readonly loopWeight: Float32Array;
  /** Number of unordered pairs {u, v}, u ≠ v (edges of the simple graph). */
  readonly numEdges: number;
}

/** Builds the simple undirected view; `withWeights = false` saves 4 bytes per slot for motif counting. */
export function simpleUndirected(g: CsrGraph, withWeights = true): SimpleUndirected {
  const n = g.numNodes;
  const m = g.numEdges;
  const off = g.offsets;
  const tgt = g.targets;
  for (let u = 0; u < n; u++) {
    for (let e = off[u] + 1; e < off[u + 1]; e++) {
      if (tgt[e - 1] > tgt[e]) {
        throw new Error(`encoding/undirected-simple: CSR row ${u} is not sorted by target (slot ${e})`);
      }
    }
  }
  // In-edges as slot ids, grouped by target and ascending by slot (hence by source).
  const inOff = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) inOff[tgt[e] + 1]++;
  for (let v = 0; v < n; v++) inOff[v + 1] += inOff[v];
  const cursor = inOff.slice(0, n);
  const inSlot = new Int32Array(m);
  const inSrc = new Int32Array(m);
  for (let u = 0; u < n; u++) {
    const b = off[u + 1];
    for (let e = off[u]; e < b; e++) {
      const c = cursor[tgt[e]]++;
      inSlot[c] = e;
      inSrc[c] = u;
    }
  }
  // Pass 1: distinct neighbours per node.
  const offsets = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) {
    let i = off[u];
    const ie = off[u + 1];
    let j = inOff[u];
    const je = inOff[u + 1];
    let last = -1;
    let count = 0;
    while (i < ie || j < je) {
      let x: number;
      if (j >= je || (i < ie && tgt[i] <= inSrc[j])) x = tgt[i++];
      else x = inSrc[j++];
      if (x !== last) {
        last = x;
        if (x !== u) count++;
      }
    }
    offsets[u + 1] = offsets[u] + count;
    if (offsets[u + 1] > MAX_EDGES) throw new Error(`encoding/undirected-simple: more than ${MAX_EDGES} slots`);
  }
  const total = offsets[n];
  const neighbors = new Int32Array(total);
  const weights = withWeights ? new Float32Array(total) : new Float32Array(0);
  const loopWeight = withWeights ? new Float32Array(n) : new Float32Array(0);
  const w = g.weights;
  // Pass 2: fill; for each distinct neighbour keep the weight of the lowest slot id.
  for (let u = 0; u < n; u++) {
    let i = off[u];
    const ie = off[u + 1];
    let j = inOff[u];
    const je = inOff[u + 1];
    let s = offsets[u] - 1;
    let last = -1;
    let bestSlot = 0;
    let loopSlot = -1;
    while (i < ie || j < je) {
      let x: number;
      let slot: number;
      if (j >= je || (i < ie && tgt[i] <= inSrc[j])) {
        x = tgt[i];
        slot = i++;
      } else {
        x = inSrc[j];
        slot = inSlot[j++];
      }
      if (x === u) {
        if (loopSlot < 0 || slot < loopSlot) loopSlot = slot;
        last = x;
        continue;
      }
      if (x !== last) {
        last = x;
        s++;
        neighbors[s] = x;
        bestSlot = slot;
        if (withWeights) weights[s] = w[slot];
      } else if (slot < bestSlot) {
        bestSlot = slot;
        if (withWeights) weights[s] = w[slot];
      }
    }
    if (withWeights && loopSlot >= 0) loopWeight[u] = w[loopSlot];
  }
  return { numNodes: n, offsets, neighbors, weights, loopWeight, numEdges: total / 2 };
}
