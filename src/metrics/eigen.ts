/**
 * Extreme eigenvalues of large sparse symmetric matrices, matrix-free.
 *
 * What: the k eigenvalues of largest magnitude ('LM', what scipy's `eigsh(..., which='LM')` returns,
 * used by the spectral gap and the Laplacian radius, reference-notes §2.1 and §2.3).
 *
 * Method: Krylov–Schur restarted Lanczos (Stewart 2001; for symmetric matrices it is equivalent to
 * thick-restart Lanczos, Wu & Simon 2000) with selective re-orthogonalisation (the three-term
 * recurrence first, then classical Gram–Schmidt against the basis vectors towards which Paige's
 * estimate says orthogonality is at risk — or the whole basis with `reorthogonalization: "full"` —
 * repeated when the DGKS test asks for it: "twice is enough", Giraud et al. 2005), over an operator
 * y = A·x given as a function on Float64Array vectors. The projected matrix is diagonalised by cyclic Jacobi, which is
 * accurate to machine precision for the small (≤ ~60) projected sizes.
 *  - Breakdown (an invariant subspace, e.g. a connected component exhausted) continues with a fresh
 *    seeded random vector orthogonal to the basis, so disconnected graphs are handled.
 *  - Multiplicities: a single-vector Krylov space sees only one copy of a repeated eigenvalue (in
 *    exact arithmetic). After convergence the solver therefore locks the k Ritz vectors and runs
 *    once more on the orthogonal complement; if that finds an eigenvalue of larger magnitude than
 *    the k-th, it is swapped in and the check repeats (`verify`; default on up to 100,000 rows).
 *    ±-paired eigenvalues (bipartite graphs) are distinct values and need no check.
 *  - Convergence: Ritz residual ‖A y − θ y‖ ≤ tol·|θ_1| for each wanted pair (ARPACK's test scaled by
 *    the largest Ritz value); the eigenvalue error is then ≤ the residual (and typically ≈ residual²/gap).
 *
 * Why not ARPACK (Debian libarpack2 through koffi, what scipy's eigsh runs)? Measured with
 * bench/arpack-compare.ts, same JS operator, on the ResNet-20 erk 0.98 MGE (192k nodes, 1.27M edges;
 * 2-core machine shared with other jobs, so times are indicative): adjacency top-3 — ours 35
 * operator applications vs ARPACK (ncv 20, tol = eps) 99; Laplacian top-2 — ours 24 vs ARPACK 21,
 * 0.6–0.8 s vs 0.5 s wall. Same eigenvalues to 1e-12. Both spend their time in the same JS operator
 * applications and in a full re-orthogonalisation of the same size, so ARPACK brings no speed-up
 * worth a system dependency that CI and notebook users may lack.
 * The multiplicity check (`verify`) roughly doubles the cost.
 *
 * Complexity per restart cycle of m Lanczos steps: m operator applications + O(m²·n) for the
 * re-orthogonalisation + O(m·p·n) for the restart (p kept vectors); memory (m + 2)·n doubles, which
 * solves of one size can share (`EigenWorkspace`) — on VMs where a first-touched page costs ~13 µs,
 * allocating the basis afresh took as long as 30 products on a 192 k-node MGE.
 */
import { Rng } from "../util/rng";
import { axpy, axpyDot, axpyThenDot, axpyThenNorm2, dot, project, rotateInPlace, subtract } from "./blas1";
import { EigenWorkspace } from "./eigen-workspace";
import { jacobiEigen, jacobiEigenvalues, sortByMagnitude } from "./jacobi";

export { EigenWorkspace } from "./eigen-workspace";
export { jacobiEigen, jacobiEigenvalues, sortByMagnitude } from "./jacobi";

/**
 * Krylov subspace size used for k wanted eigenvalues of an operator of size n unless `ncv` is
 * given (at least k + 2, at most n).
 */
export function defaultNcv(n: number, k: number, ncv?: number): number {
  return Math.min(n, Math.max(ncv ?? Math.max(2 * k + 16, 32), k + 2));
}

/** Vectors a solve of that size uses: the basis (ncv + 1) and one scratch vector. */
export function solverVectors(n: number, k: number, ncv?: number): number {
  return defaultNcv(n, k, ncv) + 2;
}

/** A symmetric linear operator on R^size: writes A·x into y (y is not aliased with x). */
export interface SymmetricOperator {
  readonly size: number;
  apply(x: Float64Array, y: Float64Array): void;
}

export interface EigenOptions {
  /** Number of eigenvalues wanted (1 ≤ k < size). */
  readonly k: number;
  /** Relative residual tolerance (default 1e-8: the eigenvalue error is ≲ residual²/gap, i.e. at
   *  machine precision unless eigenvalues cluster within ~1e-8; 1e-10 costs ~25 % more operator
   *  applications on the ResNet-20 er 0.9 MGE for the same 15 digits). */
  readonly tol?: number;
  /** Krylov subspace size (default min(size, max(2k + 16, 32))). */
  readonly ncv?: number;
  /** Restart cycles before giving up with an error (default 5000). */
  readonly maxRestarts?: number;
  /** Seed of the start vector (default 1). */
  readonly seed?: number;
  /**
   * Re-check for missed copies of repeated eigenvalues by one deflated run (default: on for
   * size ≤ 100,000, where it is cheap; on large random sparse graphs an exactly repeated top
   * eigenvalue needs duplicated structure, and the check would double the cost).
   */
  readonly verify?: boolean;
  /** Matrices up to this size are solved densely by Jacobi (default 48). */
  readonly denseBelow?: number;
  /**
   * "selective" (default): a pass over the whole basis only on the steps where a Ritz residual
   * says orthogonality is at risk (see SELECTIVE_THRESHOLD), the three-term recurrence otherwise;
   * "full": that pass on every step (the reference behaviour, for cross-checks).
   */
  readonly reorthogonalization?: "selective" | "full";
  /**
   * Vectors to reuse (the Krylov basis and scratch) instead of allocating them: fresh memory is not
   * free (each first-touched page is a kernel page fault, ~3.4 ms per MiB measured on this project's
   * VMs, i.e. ~0.4 s for the 33-vector basis of a 478 k-node MGE), so solves on operators of one
   * size, such as the spectral gap and radius of one graph, should share one workspace.
   */
  readonly workspace?: EigenWorkspace;
}

export interface EigenResult {
  /** The k eigenvalues, sorted by decreasing magnitude (signed values). */
  readonly values: Float64Array;
  /** Operator applications used. */
  readonly matvecs: number;
  /** Restart cycles used (all runs together). */
  readonly restarts: number;
  /** Steps that re-orthogonalised against the whole basis (the others used the recurrence only). */
  readonly fullReorthogonalizations: number;
  /** Basis vectors projected out of new Lanczos vectors, all steps together. */
  readonly projections: number;
}

interface SolverStats {
  matvecs: number;
  restarts: number;
  fullReorth: number;
  projections: number;
}

/**
 * Selective re-orthogonalisation threshold. Paige (1976): a Lanczos vector loses orthogonality
 * only towards converged Ritz vectors, |y_c·v_{j+1}| ≈ ε‖A‖ / r_c with r_c = β_{j+1}|s_{j,c}| the
 * Ritz residual; a basis vector V_i = Σ_c S[i,c] y_c is projected out of the new vector only when
 * ε‖A‖·Σ_c |S[i,c]|/r_c exceeds 1e-10 (about 10⁻⁶ of √ε, the semi-orthogonality that keeps Ritz
 * values accurate to working precision; Simon 1984). On the fixture MGEs this projects 4–25 % of
 * the vectors that full re-orthogonalisation would, with eigenvalues equal to 1e-14
 * (tests/metrics/eigen.test.ts checks the values, the work saved, and that no ghost copies appear).
 */
const SELECTIVE_THRESHOLD = 1e-10;
const EPS = 2.220446049250313e-16;

/**
 * Restart: keep ⌊0.3·(ncv + k)⌋ Ritz vectors (at least k + 1). Fewer kept vectors make each
 * in-place rotation cheaper and the cycles longer; measured on the fixture MGEs (bench/spectral.ts)
 * with ncv 32, 0.3 needs 2–8 % fewer products and ~20 % less time than keeping half.
 */
const KEEP_FRACTION = 0.3;

/**
 * The k largest-magnitude eigenvalues of a symmetric operator. Throws if k is out of range or if
 * the iteration does not converge within `maxRestarts` cycles (naming the residual reached).
 */
export function largestMagnitudeEigenvalues(op: SymmetricOperator, options: EigenOptions): EigenResult {
  const n = op.size;
  const k = options.k;
  if (!Number.isInteger(k) || k < 1 || k >= n) {
    throw new Error(`metrics/eigen: k = ${k} must be an integer with 1 ≤ k < size = ${n} (as scipy's eigsh requires)`);
  }
  const denseBelow = options.denseBelow ?? 48;
  if (n <= denseBelow) {
    const a = operatorToDense(op);
    const vals = jacobiEigenvalues(a, n);
    const sorted = sortByMagnitude(vals).slice(0, k);
    return { values: sorted, matvecs: n, restarts: 0, fullReorthogonalizations: 0, projections: 0 };
  }
  const tol = options.tol ?? 1e-8;
  const rng = new Rng(options.seed ?? 1);
  const verify = options.verify ?? n <= 100_000;
  const maxRestarts = options.maxRestarts ?? 5000;
  const ncv = defaultNcv(n, k, options.ncv);

  const stats: SolverStats = { matvecs: 0, restarts: 0, fullReorth: 0, projections: 0 };
  const selective = options.reorthogonalization === "full" ? 0 : SELECTIVE_THRESHOLD;
  const ws = options.workspace ?? new EigenWorkspace(n);
  if (ws.size !== n) throw new Error(`metrics/eigen: the workspace holds vectors of size ${ws.size}, the operator has size ${n}`);
  // Vectors [0, ncv] are the first run's basis (its k Ritz vectors stay in [0, k)); a deflated
  // verification run uses [ncv + 1, 2·ncv + 1] and its found vector is copied out before the next.
  const first = krylovSchur(op, k, ncv, tol, maxRestarts, rng, [], stats, selective, ws, 0, verify);
  const vals = Array.from(first.values);
  const vecs = first.vectors.slice();
  if (verify) {
    // Deflated run: the largest-magnitude eigenvalue orthogonal to the locked vectors.
    for (let round = 0; round < 4 * k + 4; round++) {
      if (vecs.length >= n) break;
      const ncv1 = Math.min(n - vecs.length, ncv);
      if (ncv1 < 2) break;
      const extra = krylovSchur(op, 1, ncv1, tol, maxRestarts, rng, vecs, stats, selective, ws, ncv + 1, true);
      const mu = extra.values[0];
      const kth = Math.abs(vals[vals.length - 1]);
      // A Ritz value is within the residual (≤ tol·|θ1|) of an eigenvalue, so a larger magnitude
      // beyond that margin is a genuinely missed eigenvalue.
      if (Math.abs(mu) > kth + tol * Math.abs(vals[0])) {
        vals.push(mu);
        vecs.push(Float64Array.from(extra.vectors[0]));
        const order = vals.map((_, i) => i).sort((a, b) => Math.abs(vals[b]) - Math.abs(vals[a]));
        const nv = order.map((i) => vals[i]);
        const nvec = order.map((i) => vecs[i]);
        vals.length = 0;
        vecs.length = 0;
        for (let i = 0; i < k; i++) {
          vals.push(nv[i]);
          vecs.push(nvec[i]);
        }
      } else {
        break;
      }
    }
  }
  return { values: Float64Array.from(vals), matvecs: stats.matvecs, restarts: stats.restarts, fullReorthogonalizations: stats.fullReorth, projections: stats.projections };
}

interface KsResult {
  values: Float64Array;
  vectors: Float64Array[];
}

/**
 * One Krylov–Schur run for the k largest-magnitude eigenpairs of `op` restricted to the orthogonal
 * complement of `locked` (orthonormal vectors).
 *
 * Memory traffic, not arithmetic, bounds the vector work on graphs of 10^5–10^6 nodes (the basis
 * does not fit in cache), so the kernels below are cache-blocked: classical Gram–Schmidt applied
 * twice (CGS2) computes all projections of a block of w before updating it, and the restart
 * V ← V·S is done in place block by block.
 */
function krylovSchur(
  op: SymmetricOperator,
  k: number,
  m: number,
  tol: number,
  maxRestarts: number,
  rng: Rng,
  locked: readonly Float64Array[],
  stats: SolverStats,
  selective: number,
  ws: EigenWorkspace,
  base: number,
  wantVectors: boolean,
): KsResult {
  const n = op.size;
  const V: Float64Array[] = [];
  for (let i = 0; i <= m; i++) V.push(ws.vector(base + i));
  const H = new Float64Array((m + 1) * m); // H[i*m + j], A V_m = V_{m+1} H
  const w = ws.vector(base + m + 1);
  const h = new Float64Array(m + 1);
  const h2 = new Float64Array(m + 1);
  const hl = new Float64Array(Math.max(1, locked.length));
  randomUnit(V[0], rng, V, 0, locked);
  let start = 0;
  let anorm = 0;
  const sel = new Int32Array(m + 1);
  const selV: Float64Array[] = new Array<Float64Array>(m + 1);
  const risk = new Uint8Array(m + 1);
  const prevRisk = new Uint8Array(m + 1);
  for (let cycle = 0; ; cycle++) {
    let mm = m; // size of the basis this cycle (< m when it converged early)
    for (let j = start; j < m; j++) {
      op.apply(V[j], w);
      stats.matvecs++;
      // The Lanczos recurrence first: by symmetry V_i·A·V_j = H[j, i] for i < j, which is already
      // known (the subdiagonal β, or the couplings to the kept Ritz vectors after a restart), so
      // those components and the diagonal α are removed directly (touching 2–3 vectors, or keep + 1
      // right after a restart). What remains in span(V) is then at rounding level, and one
      // classical Gram–Schmidt pass over the locked vectors and the whole basis restores full
      // orthogonality; it is repeated when the norm dropped by more than 1/√2 in that pass (the
      // DGKS criterion; Daniel et al. 1976, "twice is enough"). This halves the vector traffic of
      // running CGS twice on A·v_j directly, where the first pass always removes α and β.
      // The last coupling and α·v_j are removed in passes fused with the dots that follow them.
      h2.fill(0);
      let last = -1;
      for (let i = 0; i < j; i++) {
        const c = H[j * m + i];
        if (c !== 0) {
          if (last >= 0) axpy(-h2[last], V[last], w);
          h2[i] = c;
          last = i;
        }
      }
      const alpha = last >= 0 ? axpyThenDot(-h2[last], V[last], w, V[j]) : dot(V[j], w);
      h2[j] = alpha;
      let before = Math.sqrt(axpyThenNorm2(-alpha, V[j], w));
      let beta = before;
      anorm = Math.max(anorm, Math.abs(alpha) + before);
      // Which basis vectors w must be re-orthogonalised against this step: all of them ("full"
      // mode, or a deflated run), else those towards which Paige's estimate says orthogonality is
      // at risk, plus last step's (the loss propagates through the recurrence into the next vector).
      let count = 0;
      let ritz: Decomposition | null = null;
      let changed = false;
      if (selective === 0 || locked.length > 0) {
        for (let i = 0; i <= j; i++) sel[count++] = i;
      } else {
        for (let i = 0; i <= j; i++) H[i * m + j] = h2[i];
        ritz = markAtRisk(H, m, j + 1, before, anorm, selective, risk);
        for (let i = 0; i <= j; i++) {
          if (risk[i] || prevRisk[i]) sel[count++] = i;
          prevRisk[i] = risk[i];
        }
      }
      if (count === j + 1) stats.fullReorth++;
      stats.projections += count;
      for (let pass = 0; pass < 3 && count > 0; pass++) {
        if (locked.length > 0) {
          project(locked, locked.length, w, hl);
          subtract(locked, locked.length, w, hl);
        }
        for (let q = 0; q < count; q++) selV[q] = V[sel[q]];
        project(selV, count, w, h);
        // After the recurrence the projections are usually at rounding level (≲ 1e-15·‖w‖);
        // subtracting them would not change the computed values, so the pass is skipped below
        // 1e-12·‖w‖ — orders of magnitude below the √ε semi-orthogonality that keeps Ritz values
        // accurate to working precision (Simon 1984).
        let big = 0;
        for (let q = 0; q < count; q++) big = Math.max(big, Math.abs(h[q]));
        if (locked.length === 0 && big <= 1e-12 * before) {
          beta = before;
          break;
        }
        subtract(selV, count, w, h);
        changed = true;
        for (let q = 0; q < count; q++) h2[sel[q]] += h[q];
        beta = Math.sqrt(dot(w, w));
        if (beta > 0.7071 * before) break;
        before = beta;
        // Heavy cancellation: the next pass goes over the whole basis.
        if (count < j + 1) {
          count = 0;
          for (let i = 0; i <= j; i++) sel[count++] = i;
          stats.fullReorth++;
          stats.projections += count;
        }
      }
      for (let i = 0; i <= j; i++) H[i * m + j] = h2[i];
      if (beta <= 1e-12 * Math.max(anorm, 1e-300)) {
        // Invariant subspace: continue in a fresh direction (coupling 0).
        H[(j + 1) * m + j] = 0;
        randomUnit(V[j + 1], rng, V, j + 1, locked);
      } else {
        H[(j + 1) * m + j] = beta;
        const inv = 1 / beta;
        const vj1 = V[j + 1];
        for (let t = 0; t < n; t++) vj1[t] = w[t] * inv;
      }
      // Convergence is also tested inside the cycle (a Jacobi of ≤ m×m, negligible next to a
      // product), so the run stops at the step where it converges instead of the cycle's end;
      // not on the first few steps, where a small subspace could miss a larger eigenvalue.
      // The decomposition made for the re-orthogonalisation decision is reused when no projection
      // changed column j of H.
      if (j + 1 < m && j + 1 >= Math.max(2 * k + 8, start + 1) && rayleighRitz(H, m, j + 1, k, tol, anorm, changed ? null : ritz).converged) {
        mm = j + 1;
        break;
      }
    }
    const { theta, S, order, converged, worst } = rayleighRitz(H, m, mm, k, tol, anorm);
    const keep = converged ? k : Math.min(m - 1, Math.max(k + 1, Math.floor(KEEP_FRACTION * (m + k))));
    const bRow = new Float64Array(keep);
    const coef = new Float64Array(mm * keep); // coef[l*keep + q] = S[l, order[q]]
    for (let q = 0; q < keep; q++) {
      const c = order[q];
      let r = 0;
      for (let l = 0; l < mm; l++) {
        r += H[mm * m + l] * S[l * mm + c];
        coef[l * keep + q] = S[l * mm + c];
      }
      bRow[q] = r;
    }
    // In place: V[0..keep-1] ← V[0..mm-1]·coef (Ritz vectors of the kept values).
    rotateInPlace(V, mm, keep, coef, n);
    if (converged) {
      const values = new Float64Array(k);
      const vectors: Float64Array[] = [];
      for (let q = 0; q < k; q++) {
        values[q] = theta[order[q]];
        const y = V[q];
        const s = 1 / Math.sqrt(dot(y, y));
        for (let t = 0; t < n; t++) y[t] *= s;
        vectors.push(y);
      }
      return { values, vectors };
    }
    stats.restarts++;
    if (cycle >= maxRestarts) {
      throw new Error(
        `metrics/eigen: Lanczos did not converge after ${maxRestarts} restarts (size ${n}, k ${k}, ncv ${m}; worst relative residual ${worst.toExponential(2)} > tol ${tol})`,
      );
    }
    // The residual direction V[m] becomes V[keep].
    const tmp = V[keep];
    V[keep] = V[m];
    V[m] = tmp;
    H.fill(0);
    for (let q = 0; q < keep; q++) {
      H[q * m + q] = theta[order[q]];
      H[keep * m + q] = bRow[q];
    }
    start = keep;
    prevRisk.fill(0);
  }
}

/**
 * Marks the basis vectors V_i (i < mm) towards which the next Lanczos vector may have lost
 * orthogonality. Ritz pairs (θ_c, y_c = Σ_i S[i,c] V_i) of the leading mm×mm block of H have
 * residuals r_c = beta·|S[mm-1,c]|; Paige's estimate |y_c·v_{j+1}| ≲ ε‖A‖/r_c bounds
 * |V_i·v_{j+1}| by ε‖A‖·Σ_c |S[i,c]|/r_c, and V_i is marked when that exceeds `threshold`.
 */
function markAtRisk(H: Float64Array, m: number, mm: number, beta: number, anorm: number, threshold: number, risk: Uint8Array): Decomposition {
  const dec = projectedEigen(H, m, mm);
  const S = dec.vectors;
  const inv = new Float64Array(mm); // ε‖A‖ / r_c
  for (let c = 0; c < mm; c++) {
    const r = beta * Math.abs(S[(mm - 1) * mm + c]);
    inv[c] = r > 0 ? (EPS * anorm) / r : Infinity;
  }
  for (let i = 0; i < mm; i++) {
    let e = 0;
    for (let c = 0; c < mm; c++) e += Math.abs(S[i * mm + c]) * inv[c];
    risk[i] = e > threshold ? 1 : 0;
  }
  return dec;
}

interface Decomposition {
  values: Float64Array;
  vectors: Float64Array;
}

/** Eigen-decomposition of the symmetrised leading mm×mm block of H (row stride m). */
function projectedEigen(H: Float64Array, m: number, mm: number): Decomposition {
  const T = new Float64Array(mm * mm);
  for (let i = 0; i < mm; i++) {
    for (let j = 0; j < mm; j++) T[i * mm + j] = 0.5 * (H[i * m + j] + H[j * m + i]);
  }
  return jacobiEigen(T, mm);
}

/**
 * Rayleigh–Ritz on the leading mm×mm block of H (row stride m; or its decomposition, when already
 * known): Ritz values, vectors (columns of S, stride mm), their order by decreasing magnitude, and whether the k wanted pairs have relative
 * residuals |H[mm, :]·s| / |θ1| ≤ tol.
 */
function rayleighRitz(
  H: Float64Array,
  m: number,
  mm: number,
  k: number,
  tol: number,
  anorm: number,
  known: Decomposition | null = null,
): { theta: Float64Array; S: Float64Array; order: number[]; converged: boolean; worst: number } {
  const { values: theta, vectors: S } = known ?? projectedEigen(H, m, mm);
  const order = Array.from({ length: mm }, (_, i) => i).sort((a, b) => Math.abs(theta[b]) - Math.abs(theta[a]));
  const scale = Math.max(Math.abs(theta[order[0]]), anorm * 1e-3, 1e-300);
  let converged = true;
  let worst = 0;
  for (let q = 0; q < Math.min(k, mm); q++) {
    const c = order[q];
    let r = 0;
    for (let l = 0; l < mm; l++) r += H[mm * m + l] * S[l * mm + c];
    const rel = Math.abs(r) / scale;
    if (rel > worst) worst = rel;
    if (rel > tol) converged = false;
  }
  return { theta, S, order, converged, worst };
}

function randomUnit(v: Float64Array, rng: Rng, basis: Float64Array[], count: number, locked: readonly Float64Array[]): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    for (let i = 0; i < v.length; i++) v[i] = rng.next() - 0.5;
    for (let pass = 0; pass < 2; pass++) {
      for (const y of locked) axpyDot(y, v);
      for (let i = 0; i < count; i++) axpyDot(basis[i], v);
    }
    const nrm = Math.sqrt(dot(v, v));
    if (nrm > 1e-8) {
      for (let i = 0; i < v.length; i++) v[i] /= nrm;
      return;
    }
  }
  throw new Error(`metrics/eigen: could not find a vector orthogonal to ${count + locked.length} basis vectors in R^${v.length}`);
}

/** Dense copy of a (small) operator, applying it to unit vectors. */
export function operatorToDense(op: SymmetricOperator): Float64Array {
  const n = op.size;
  const a = new Float64Array(n * n);
  const e = new Float64Array(n);
  const y = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    op.apply(e, y);
    for (let i = 0; i < n; i++) a[i * n + j] = y[i];
  }
  return a;
}
