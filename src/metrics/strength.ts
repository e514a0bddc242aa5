/**
 * Strength connectivity, part 1: node strength.
 *
 * Definition (igraph `strength(weights="weight", mode="all")`, official `main.py`): the strength
 * of v is the sum of the weights of all edges incident to v, in- and out-edges together; a
 * self-loop counts twice (igraph's default `loops=True`). Weights are the CSR weights, i.e. |w|
 * rounded to float16 by the MGE encoder, widened to float32; sums are taken in float64.
 * The metric is the mean over all N nodes, which equals 2·Σ_e w_e / N.
 *
 * Normalisation in the released unrolled.csv (reference-notes §2.1): mean strength / E.
 * (The released values were computed on trained weights; fixtures use weights at initialisation.)
 *
 * Source: reference-notes §2.1. Complexity: O(N + E) time; the mean needs no extra memory.
 */
import type { CsrGraph } from "../encoding/csr";

/** Strength (in + out weighted degree, float64) of every node. O(N + E), 8N bytes. */
export function nodeStrengths(g: CsrGraph): Float64Array {
  const n = g.numNodes;
  const off = g.offsets;
  const t = g.targets;
  const w = g.weights;
  const s = new Float64Array(n);
  for (let u = 0; u < n; u++) {
    const b = off[u + 1];
    let out = 0;
    for (let e = off[u]; e < b; e++) {
      const x = w[e];
      out += x;
      s[t[e]] += x;
    }
    s[u] += out;
  }
  return s;
}

/** Official `strength` (raw): mean node strength = 2·Σ w / N. O(E), no allocation. */
export function meanStrength(g: CsrGraph): number {
  if (g.numNodes === 0) throw new Error("metrics/strength: the mean strength is not defined on a graph without nodes");
  const w = g.weights;
  let total = 0;
  for (let e = 0; e < g.numEdges; e++) total += w[e];
  return (2 * total) / g.numNodes;
}
