/**
 * Cyclic Jacobi eigen-decomposition of small dense symmetric matrices (Golub & Van Loan §8.5):
 * the projected matrices of the Lanczos solver (./eigen.ts, sizes ≤ ~60) and the dense oracles of
 * the tests. Accurate to machine precision; O(n³) per sweep, a handful of sweeps.
 */

/** Signed values sorted by decreasing magnitude (ties: larger value first). */
export function sortByMagnitude(vals: ArrayLike<number>): Float64Array {
  return Float64Array.from(Array.from(vals).sort((a, b) => Math.abs(b) - Math.abs(a) || b - a));
}

/** Eigenvalues of a dense symmetric n×n matrix (row-major), by cyclic Jacobi. */
export function jacobiEigenvalues(a: Float64Array, n: number): Float64Array {
  return jacobiEigen(a, n, false).values;
}

/**
 * Cyclic Jacobi eigen-decomposition of a dense symmetric matrix (row-major, not modified).
 * Returns the eigenvalues and, if asked, the eigenvectors as columns of S (S[i*n + c]).
 */
export function jacobiEigen(a0: Float64Array, n: number, withVectors = true): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(a0);
  const S = new Float64Array(withVectors ? n * n : 0);
  if (withVectors) for (let i = 0; i < n; i++) S[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    if (off <= 1e-32 * total || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = a[r * n + p];
          const arq = a[r * n + q];
          a[r * n + p] = c * arp - s * arq;
          a[r * n + q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = a[p * n + r];
          const aqr = a[q * n + r];
          a[p * n + r] = c * apr - s * aqr;
          a[q * n + r] = s * apr + c * aqr;
        }
        if (withVectors) {
          for (let r = 0; r < n; r++) {
            const srp = S[r * n + p];
            const srq = S[r * n + q];
            S[r * n + p] = c * srp - s * srq;
            S[r * n + q] = s * srp + c * srq;
          }
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: S };
}
