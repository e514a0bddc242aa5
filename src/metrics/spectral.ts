/**
 * Expansion metrics (reference-notes §2.1, "spectral_gap" and "spectral_radius"; main.py
 * `process_graph_topometrics` and the MGE branch of `main`).
 *
 * Graph view: the simple undirected graph of `undirected-simple.ts` (igraph
 * `as_undirected(combine_edges='first')` then `to_directed()`), weighted by the stored |w|
 * (float16-rounded by the encoders, exact in float32). A is symmetric with A[u,v] = w(u,v) and
 * A[v,v] = 2·w(loop).
 *
 * - spectral gap: `eigsh(A, k=3, which='LM')`, absolute values sorted descending, gap = σ1 − σ3.
 *   For a (near-)bipartite graph the spectrum is ±-symmetric, so σ1 = |+λ1| = |−λ1| and σ3 is the
 *   second distinct magnitude.
 * - spectral radius: the largest eigenvalue of L = diag(colsum A) − A (`eigsh(L, k=2, 'LM')`, max).
 *   L is positive semi-definite, so its largest-magnitude eigenvalues are its largest ones.
 *
 * Precision: we compute in float64 on the exact float32 weights. The reference ran eigsh on a
 * float32 A (ARPACK single precision), so its σ carry float32 error of up to ~3e-6 relative: on the
 * Conv-6 erk 0.98 fixture, scipy's float32 eigsh on *our* matrix reproduces the fixture's σ digit for
 * digit, while scipy's float64 eigsh agrees with ours to 7e-14 and differs from the fixture by
 * 2.0e-6, 2.9e-6, 5.2e-7 (bench/spectral-scipy-check.ts). Its Laplacian is float64 but with degrees
 * summed in float32 (scipy `sum(axis=0)` keeps float32): 1e-9 relative on Conv-6, 4e-15 on the
 * ResNet-20 fixtures. So agreement with the fixtures is bounded by the reference's float32 arithmetic
 * (≤ 3e-6 adjacency, ≤ 1.1e-9 Laplacian), while our values are accurate to ~1e-13.
 *
 * Complexity: O(E) per operator application; typically a few hundred applications
 * (see bench/spectral.ts); memory 8 bytes per stored slot + (ncv + 1)·8·N for the Lanczos basis.
 */
import type { CsrGraph } from "../encoding/csr";
import { largestMagnitudeEigenvalues, type EigenOptions, type SymmetricOperator } from "./eigen";
import { simpleUndirected, type SimpleUndirected } from "./undirected-simple";

export interface SpectralGap {
  readonly gap: number;
  readonly top3AbsEigs: [number, number, number];
}

export interface SpectralRadius {
  readonly radius: number;
  readonly top2: [number, number];
}

export type SpectralOptions = Omit<EigenOptions, "k">;

/** y = A x for the symmetric weighted adjacency of the simple undirected view. */
export function adjacencyOperator(s: SimpleUndirected, unweighted = false): SymmetricOperator {
  if (!unweighted && s.weights.length !== s.neighbors.length) {
    throw new Error("metrics/spectral: the undirected view was built without weights");
  }
  const n = s.numNodes;
  const off = s.offsets;
  const nb = s.neighbors;
  const w = s.weights;
  const lw = s.loopWeight;
  const hasLoopW = lw.length === n;
  return {
    size: n,
    apply(x: Float64Array, y: Float64Array): void {
      for (let u = 0; u < n; u++) {
        let acc = 0;
        const b = off[u + 1];
        if (unweighted) {
          for (let e = off[u]; e < b; e++) acc += x[nb[e]];
        } else {
          for (let e = off[u]; e < b; e++) acc += w[e] * x[nb[e]];
        }
        y[u] = acc;
      }
      if (hasLoopW) {
        for (let u = 0; u < n; u++) {
          const l = lw[u];
          // Unweighted adjacency (igraph_edges_to_sparse_matrix: data = ones, summed) has 2 on a loop.
          if (l !== 0) y[u] += (unweighted ? 2 : 2 * l) * x[u];
        }
      }
    },
  };
}

/** y = L x with L = diag(colsum A) − A; the loop terms of D and A cancel. */
export function laplacianOperator(s: SimpleUndirected): SymmetricOperator {
  const n = s.numNodes;
  const off = s.offsets;
  const nb = s.neighbors;
  const w = s.weights;
  if (w.length !== nb.length) throw new Error("metrics/spectral: the undirected view was built without weights");
  const deg = new Float64Array(n);
  for (let u = 0; u < n; u++) {
    let d = 0;
    for (let e = off[u]; e < off[u + 1]; e++) d += w[e];
    deg[u] = d;
  }
  return {
    size: n,
    apply(x: Float64Array, y: Float64Array): void {
      for (let u = 0; u < n; u++) {
        let acc = deg[u] * x[u];
        const b = off[u + 1];
        for (let e = off[u]; e < b; e++) acc -= w[e] * x[nb[e]];
        y[u] = acc;
      }
    },
  };
}

function checkSize(n: number, k: number, what: string): void {
  if (n <= k) {
    throw new Error(`metrics/spectral: ${what} needs more than ${k} nodes (eigsh k=${k} < N), the graph has ${n}`);
  }
}

/** Spectral gap σ1 − σ3 of the weighted undirected adjacency; accepts a prebuilt view. */
export function spectralGap(graph: CsrGraph, options: SpectralOptions = {}, view?: SimpleUndirected): SpectralGap {
  checkSize(graph.numNodes, 3, "the spectral gap");
  const s = view ?? simpleUndirected(graph, true);
  return spectralGapOfView(s, options);
}

/** Spectral gap of a prebuilt simple undirected view (weighted unless `unweighted`). */
export function spectralGapOfView(s: SimpleUndirected, options: SpectralOptions = {}, unweighted = false): SpectralGap {
  checkSize(s.numNodes, 3, "the spectral gap");
  const r = largestMagnitudeEigenvalues(adjacencyOperator(s, unweighted), { ...options, k: 3 });
  const abs = Array.from(r.values, Math.abs).sort((a, b) => b - a);
  return { gap: abs[0] - abs[2], top3AbsEigs: [abs[0], abs[1], abs[2]] };
}

/** Largest eigenvalue of the weighted Laplacian (and the second largest). */
export function spectralRadius(graph: CsrGraph, options: SpectralOptions = {}, view?: SimpleUndirected): SpectralRadius {
  checkSize(graph.numNodes, 2, "the spectral radius");
  const s = view ?? simpleUndirected(graph, true);
  return spectralRadiusOfView(s, options);
}

export function spectralRadiusOfView(s: SimpleUndirected, options: SpectralOptions = {}): SpectralRadius {
  checkSize(s.numNodes, 2, "the spectral radius");
  const r = largestMagnitudeEigenvalues(laplacianOperator(s), { ...options, k: 2 });
  const v = Array.from(r.values).sort((a, b) => b - a);
  return { radius: v[0], top2: [v[0], v[1]] };
}
