/**
 * Anti-aliased straight segments accumulated into a float density buffer (row-major, width W).
 *
 * Coverage model (exact for it, not an approximation of it): a segment from (x0, y0) to (x1, y1), with
 * x0 < x1 on pixel boundaries, crosses the whole columns x0 … x1 − 1. In column j it occupies the
 * vertical interval of height w = max(1, |slope|) centred on its mid-height in that column — for steep
 * segments exactly the interval it sweeps, for shallow ones a 1-px-thick box, the vertical cross-section
 * of a 1-px-thick line. Each pixel row r receives ink · |[lo, hi] ∩ [r, r + 1]| / w. So every column a
 * segment crosses receives exactly `ink` (rows outside the buffer excepted), and a segment's total is
 * ink · (x1 − x0): the picture is the density of edges per column, which is what makes the binned
 * picture conserve ink exactly whatever the bin size.
 *
 * Complexity: O(|x1 − x0| + |y1 − y0|) per segment (one or two rows per column for shallow segments,
 * ⌈w⌉ + 1 for steep ones); no allocation.
 */

/** Adds the coverage of one segment to `buf` (W×H). x0 and x1 must be distinct integers; either order. */
export function depositSegment(buf: Float32Array, W: number, H: number, x0: number, y0: number, x1: number, y1: number, ink: number): void {
  if (x1 < x0) {
    const tx = x0;
    x0 = x1;
    x1 = tx;
    const ty = y0;
    y0 = y1;
    y1 = ty;
  }
  const dx = x1 - x0;
  if (dx <= 0) return;
  const slope = (y1 - y0) / dx;
  const steep = slope > 1 || slope < -1;
  const w = steep ? Math.abs(slope) : 1;
  const scale = ink / w;
  const jLo = x0 < 0 ? 0 : x0;
  const jHi = x1 > W ? W : x1;
  for (let j = jLo; j < jHi; j++) {
    const mid = y0 + (j - x0 + 0.5) * slope;
    const lo = mid - 0.5 * w;
    if (!steep) {
      const r = Math.floor(lo);
      const f = lo - r;
      if (r >= 0 && r < H) buf[r * W + j] += (1 - f) * ink;
      if (f > 0 && r + 1 >= 0 && r + 1 < H) buf[(r + 1) * W + j] += f * ink;
      continue;
    }
    // Steep: rows strictly inside [lo, hi) get `scale` each, the two end rows their fraction.
    const hi = lo + w;
    const r0 = Math.floor(lo);
    const r1 = Math.floor(hi);
    if (r0 >= 0 && r0 < H) buf[r0 * W + j] += (r0 + 1 - lo) * scale;
    const a = r0 + 1 < 0 ? 0 : r0 + 1;
    const b = r1 > H ? H : r1;
    for (let r = a, idx = a * W + j; r < b; r++, idx += W) buf[idx] += scale;
    if (r1 >= 0 && r1 < H && hi > r1) buf[r1 * W + j] += (hi - r1) * scale;
  }
}
