/** Independent dense eigenvalue oracle for the spectral tests (not the solver in src/metrics/eigen.ts). */

/** Oracle: classical Jacobi (largest off-diagonal pivot), eigenvalues only. */
export function oracleEigenvalues(a0: Float64Array, n: number): number[] {
  const a = Float64Array.from(a0);
  for (let it = 0; it < 200 * n * n; it++) {
    let p = 0;
    let q = 1;
    let best = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const v = Math.abs(a[i * n + j]);
        if (v > best) {
          best = v;
          p = i;
          q = j;
        }
      }
    }
    let scale = 0;
    for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + i]));
    if (best <= 1e-15 * Math.max(scale, 1e-300)) break;
    const phi = 0.5 * Math.atan2(2 * a[p * n + q], a[q * n + q] - a[p * n + p]);
    const c = Math.cos(phi);
    const s = Math.sin(phi);
    for (let r = 0; r < n; r++) {
      const x = a[r * n + p];
      const y = a[r * n + q];
      a[r * n + p] = c * x - s * y;
      a[r * n + q] = s * x + c * y;
    }
    for (let r = 0; r < n; r++) {
      const x = a[p * n + r];
      const y = a[q * n + r];
      a[p * n + r] = c * x - s * y;
      a[q * n + r] = s * x + c * y;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(a[i * n + i]);
  return out;
}

