/**
 * The vector kernels of the Lanczos solver (./eigen.ts): BLAS level-1 operations (dot, axpy and
 * fused variants) and the blocked projections of a vector on a basis and of the basis rotation,
 * each one plain loop over Float64Array, blocked so that a block of the long vector stays in cache.
 * Complexity: O(n) per vector operation, O(count·n) per projection, O(m·keep·n) per rotation.
 */

const BLOCK = 2048;

/** h[i] = V[i]·w for i < count, blocked so that each block of w stays in cache. */
export function project(V: readonly Float64Array[], count: number, w: Float64Array, h: Float64Array): void {
  const n = w.length;
  for (let i = 0; i < count; i++) h[i] = 0;
  for (let c0 = 0; c0 < n; c0 += BLOCK) {
    const c1 = Math.min(n, c0 + BLOCK);
    for (let i = 0; i < count; i++) {
      const v = V[i];
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t = c0;
      for (; t + 3 < c1; t += 4) {
        s0 += v[t] * w[t];
        s1 += v[t + 1] * w[t + 1];
        s2 += v[t + 2] * w[t + 2];
        s3 += v[t + 3] * w[t + 3];
      }
      for (; t < c1; t++) s0 += v[t] * w[t];
      h[i] += s0 + s1 + (s2 + s3);
    }
  }
}

/** w -= Σ_i h[i]·V[i] for i < count, blocked. */
export function subtract(V: readonly Float64Array[], count: number, w: Float64Array, h: Float64Array): void {
  const n = w.length;
  for (let c0 = 0; c0 < n; c0 += BLOCK) {
    const c1 = Math.min(n, c0 + BLOCK);
    for (let i = 0; i < count; i++) {
      const v = V[i];
      const hi = h[i];
      if (hi === 0) continue;
      for (let t = c0; t < c1; t++) w[t] -= hi * v[t];
    }
  }
}

/** V[q] ← Σ_{l<m} coef[l*keep + q]·V[l] for q < keep, in place, one block of rows at a time. */
export function rotateInPlace(V: Float64Array[], m: number, keep: number, coef: Float64Array, n: number): void {
  const buf = new Float64Array(keep * BLOCK);
  for (let c0 = 0; c0 < n; c0 += BLOCK) {
    const c1 = Math.min(n, c0 + BLOCK);
    const len = c1 - c0;
    buf.fill(0);
    for (let l = 0; l < m; l++) {
      const v = V[l];
      let q = 0;
      // Four outputs per pass over v: a quarter of the loads of v.
      for (; q + 3 < keep; q += 4) {
        const a0 = coef[l * keep + q];
        const a1 = coef[l * keep + q + 1];
        const a2 = coef[l * keep + q + 2];
        const a3 = coef[l * keep + q + 3];
        const o0 = q * BLOCK - c0;
        const o1 = o0 + BLOCK;
        const o2 = o1 + BLOCK;
        const o3 = o2 + BLOCK;
        for (let t = c0; t < c1; t++) {
          const x = v[t];
          buf[o0 + t] += a0 * x;
          buf[o1 + t] += a1 * x;
          buf[o2 + t] += a2 * x;
          buf[o3 + t] += a3 * x;
        }
      }
      for (; q < keep; q++) {
        const c = coef[l * keep + q];
        const o = q * BLOCK - c0;
        for (let t = c0; t < c1; t++) buf[o + t] += c * v[t];
      }
    }
    for (let q = 0; q < keep; q++) {
      const y = V[q];
      const o = q * BLOCK;
      for (let t = 0; t < len; t++) y[c0 + t] = buf[o + t];
    }
  }
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s0 = 0;
  let s1 = 0;
  const n = a.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
  }
  if (i < n) s0 += a[i] * b[i];
  return s0 + s1;
}

/** y += alpha·x, then returns z·y (one pass). */
export function axpyThenDot(alpha: number, x: Float64Array, y: Float64Array, z: Float64Array): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i] + alpha * x[i];
    y[i] = v;
    s += z[i] * v;
  }
  return s;
}

/** y += alpha·x, then returns y·y (one pass). */
export function axpyThenNorm2(alpha: number, x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i] + alpha * x[i];
    y[i] = v;
    s += v * v;
  }
  return s;
}

export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

/** w -= (y·w) y. */
export function axpyDot(y: Float64Array, w: Float64Array): void {
  axpy(-dot(y, w), y, w);
}

/** Fills v with a seeded random unit vector orthogonal to basis[0..count-1] and `locked`. */
