/**
 * IEEE 754 binary16 (float16) and bfloat16 conversions, round-to-nearest-even, with subnormals,
 * infinities and NaN. The official MGE code stores edge weights as `np.float16` (reference-notes §1,
 * Appendix B.5); `roundToFloat16` reproduces that cast. O(1) per value, no allocation.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 (or a number, first rounded to float32) → binary16 bits, round-to-nearest-even. */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (and reaches 0x7c00 = Inf at the top).
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++;
  return h;
}

/** binary16 bits → number (exact). */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant !== 0 ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** The float16 value nearest to `value` (ties to even), widened back: `np.float32(np.float16(x))`. */
export function roundToFloat16(value: number): number {
  return float16BitsToFloat32(float32ToFloat16Bits(value));
}

/** bfloat16 bits → number (exact). */
export function bfloat16BitsToFloat32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/** float32 → bfloat16 bits, round-to-nearest-even (NaN kept quiet). */
export function float32ToBfloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  const lsb = (x >>> 16) & 1;
  return ((x + 0x7fff + lsb) >>> 16) & 0xffff;
}
