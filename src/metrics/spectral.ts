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
import { EigenWorkspace, largestMagnitudeEigenvalues, type EigenOptions, type EigenResult, type SymmetricOperator } from "./eigen";
import { defaultProductThreads, offDiagonalProduct, type OffDiagonalProduct } from "../encoding/symmetric-product";
import { simpleUndirected, type SimpleUndirected } from "../encoding/undirected-simple";

export interface SpectralGap {
  readonly gap: number;
  readonly top3AbsEigs: [number, number, number];
}

export interface SpectralRadius {
  readonly radius: number;
  readonly top2: [number, number];
}

export type SpectralOptions = Omit<EigenOptions, "k" | "workspace"> & {
  /** Laplacian degree summation (spectral radius only); see `DegreeSums`. */
  readonly degreeSums?: DegreeSums;
  /**
   * Threads of the sparse products, 1 or 2 (default: 2 on a multi-core machine for views of at least
   * 4 M slots, else 1; symmetric-product.ts). The eigenvalues agree to rounding either way.
   */
  readonly threads?: number;
  /**
   * Shared set-up for several spectra of the same view (see `SpectralWorkspace`); its thread count
   * takes the place of `threads`.
   */
  readonly workspace?: SpectralWorkspace;
};

/**
 * What the spectra of one simple undirected view can share: the sparse products (the weighted one
 * serves both the adjacency and the Laplacian; with two threads each holds a worker and a copy of
 * half the pairs) and the eigensolver's vectors. Building them once instead of per spectrum saves
 * their allocation and first-touch page faults (~0.2 s on a 192 k-node MGE, ~0.5 s on 478 k nodes).
 * Call `dispose()` when done: it stops the workers.
 */
export class SpectralWorkspace {
  readonly threads: number;
  readonly eigen: EigenWorkspace;
  private readonly products = new Map<boolean, OffDiagonalProduct>();
  private disposed = false;

  /** `eigen`: vectors to use (e.g. `EigenWorkspace.prefaulted`, made before the view existed). */
  constructor(
    readonly view: SimpleUndirected,
    threads?: number,
    eigen?: EigenWorkspace,
  ) {
    this.threads = threads ?? defaultProductThreads(view);
    if (this.threads !== 1 && this.threads !== 2) throw new Error(`metrics/spectral: threads must be 1 or 2, got ${this.threads}`);
    if (eigen && eigen.size !== Math.max(1, view.numNodes)) {
      throw new Error(`metrics/spectral: the eigen workspace holds vectors of size ${eigen.size}, the view has ${view.numNodes} nodes`);
    }
    this.eigen = eigen ?? new EigenWorkspace(Math.max(1, view.numNodes));
  }

  /** The off-diagonal product of the view (built on first use). */
  product(unweighted: boolean): OffDiagonalProduct {
    if (this.disposed) throw new Error("metrics/spectral: workspace used after dispose()");
    let p = this.products.get(unweighted);
    if (!p) {
      p = offDiagonalProduct(this.view, unweighted, this.threads);
      this.products.set(unweighted, p);
    }
    return p;
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.products.values()) p.dispose();
    this.products.clear();
    this.eigen.dispose();
  }
}

/**
 * Runs `f` with a workspace for `view` (made from `options.threads` and `eigen`, or
 * `options.workspace` when it is already one for this view) and disposes what it made. `f` receives
 * the options to pass on.
 */
export function withSpectralWorkspace<T>(view: SimpleUndirected, options: SpectralOptions, f: (options: SpectralOptions) => T, eigen?: EigenWorkspace): T {
  if (options.workspace && options.workspace.view === view) {
    eigen?.dispose(); // unused: the given workspace has its own vectors
    return f(options);
  }
  const { workspace: _ignored, ...rest } = options;
  const ws = new SpectralWorkspace(view, options.threads, eigen);
  try {
    return f({ ...rest, workspace: ws });
  } finally {
    ws.dispose();
  }
}

/** The product to use: the workspace's (not disposed with the operator) or a new one. */
function productFor(s: SimpleUndirected, unweighted: boolean, threads: number | SpectralWorkspace): { product: OffDiagonalProduct; owned: boolean } {
  if (typeof threads === "number") return { product: offDiagonalProduct(s, unweighted, threads), owned: true };
  if (threads.view !== s) throw new Error("metrics/spectral: the workspace was made for another undirected view");
  return { product: threads.product(unweighted), owned: false };
}

/** A symmetric operator that may hold a worker thread until disposed. */
export interface SpectralOperator extends SymmetricOperator {
  /** Threads its products use (see symmetric-product.ts). */
  readonly threads: number;
  dispose(): void;
}

/**
 * y = A x for the symmetric (weighted unless `unweighted`) adjacency of the simple undirected view,
 * on `threads` threads or with the product of a workspace.
 */
export function adjacencyOperator(s: SimpleUndirected, unweighted = false, threads: number | SpectralWorkspace = 1): SpectralOperator {
  const n = s.numNodes;
  const lw = s.loopWeight;
  const hasLoopW = lw.length === n;
  const { product, owned } = productFor(s, unweighted, threads);
  return {
    size: n,
    threads: product.threads,
    apply(x: Float64Array, y: Float64Array): void {
      product.apply(x, y);
      if (hasLoopW) {
        for (let u = 0; u < n; u++) {
          const l = lw[u];
          // Unweighted adjacency (igraph_edges_to_sparse_matrix: data = ones, summed) has 2 on a loop.
          if (l !== 0) y[u] += (unweighted ? 2 : 2 * l) * x[u];
        }
      }
    },
    dispose: () => {
      if (owned) product.dispose();
    },
  };
}

/**
 * How the Laplacian's degrees are summed: "float64" (default, exact to rounding) or "float32" as the
 * reference does (scipy `csc.sum(axis=0)` on the float32 adjacency = numpy's float32 pairwise
 * summation of each column in row order, first entry + pairwise sum of the rest; then widened).
 * "float32" reproduces the fixtures' Laplacian eigenvalues to ~1e-15 instead of ≤ 1e-7.
 */
export type DegreeSums = "float64" | "float32";

/** numpy's float32 pairwise sum (PW_BLOCKSIZE 128, 8 accumulators) of w[a .. a+n-1]. */
function pairwiseF32(w: Float32Array, a: number, n: number): number {
  const f = Math.fround;
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f(res + w[a + i]);
    return res;
  }
  if (n <= 128) {
    let r0 = w[a];
    let r1 = w[a + 1];
    let r2 = w[a + 2];
    let r3 = w[a + 3];
    let r4 = w[a + 4];
    let r5 = w[a + 5];
    let r6 = w[a + 6];
    let r7 = w[a + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      r0 = f(r0 + w[a + i]);
      r1 = f(r1 + w[a + i + 1]);
      r2 = f(r2 + w[a + i + 2]);
      r3 = f(r3 + w[a + i + 3]);
      r4 = f(r4 + w[a + i + 4]);
      r5 = f(r5 + w[a + i + 5]);
      r6 = f(r6 + w[a + i + 6]);
      r7 = f(r7 + w[a + i + 7]);
    }
    let res = f(f(f(r0 + r1) + f(r2 + r3)) + f(f(r4 + r5) + f(r6 + r7)));
    for (; i < n; i++) res = f(res + w[a + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return f(pairwiseF32(w, a, n2) + pairwiseF32(w, a + n2, n - n2));
}

/** y = L x with L = diag(colsum A) − A; the loop terms of D and A cancel. */
export function laplacianOperator(s: SimpleUndirected, degreeSums: DegreeSums = "float64", threads: number | SpectralWorkspace = 1): SpectralOperator {
  const n = s.numNodes;
  const off = s.offsets;
  const nb = s.neighbors;
  const w = s.weights;
  if (w.length !== nb.length) throw new Error("metrics/spectral: the undirected view was built without weights");
  const deg = new Float64Array(n);
  const lw = s.loopWeight;
  if (degreeSums === "float32") {
    // Column u of A in row order: neighbours below u, the diagonal 2·loop (if any), neighbours above.
    const col = new Float32Array(1024);
    let buf = col;
    for (let u = 0; u < n; u++) {
      const len = off[u + 1] - off[u] + (lw[u] !== 0 ? 1 : 0);
      if (len === 0) continue;
      if (buf.length < len) buf = new Float32Array(2 * len);
      let k = 0;
      let placed = lw[u] === 0;
      for (let e = off[u]; e < off[u + 1]; e++) {
        if (!placed && nb[e] > u) {
          buf[k++] = Math.fround(2 * lw[u]);
          placed = true;
        }
        buf[k++] = w[e];
      }
      if (!placed) buf[k++] = Math.fround(2 * lw[u]);
      const sum = Math.fround(buf[0] + pairwiseF32(buf, 1, len - 1));
      // L[u,u] = D[u,u] − A[u,u]; the loop part is subtracted below.
      deg[u] = sum - (lw[u] !== 0 ? Math.fround(2 * lw[u]) : 0);
    }
  } else {
    for (let u = 0; u < n; u++) {
      let d = 0;
      for (let e = off[u]; e < off[u + 1]; e++) d += w[e];
      deg[u] = d;
    }
  }
  const { product, owned } = productFor(s, false, threads);
  return {
    size: n,
    threads: product.threads,
    apply(x: Float64Array, y: Float64Array): void {
      product.apply(x, y);
      for (let u = 0; u < n; u++) y[u] = deg[u] * x[u] - y[u];
    },
    dispose: () => {
      if (owned) product.dispose();
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
  const { workspace, ...rest } = options;
  const op = adjacencyOperator(s, unweighted, workspace ?? options.threads ?? defaultProductThreads(s));
  let r: EigenResult;
  try {
    r = largestMagnitudeEigenvalues(op, { ...rest, k: 3, ...(workspace ? { workspace: workspace.eigen } : {}) });
  } finally {
    op.dispose();
  }
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
  const { workspace, ...rest } = options;
  const op = laplacianOperator(s, options.degreeSums ?? "float64", workspace ?? options.threads ?? defaultProductThreads(s));
  let r: EigenResult;
  try {
    r = largestMagnitudeEigenvalues(op, { ...rest, k: 2, ...(workspace ? { workspace: workspace.eigen } : {}) });
  } finally {
    op.dispose();
  }
  const v = Array.from(r.values).sort((a, b) => b - a);
  return { radius: v[0], top2: [v[0], v[1]] };
}
