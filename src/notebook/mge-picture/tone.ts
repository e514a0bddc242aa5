/**
 * Tone curve of the whole-MGE picture: how much ink (edges per column, see ./raster.ts) a pixel holds
 * → how opaque its colour is painted over white. The early layers of a CIFAR network hold 10^3–10^4
 * times the edges per pixel of the late ones, so a linear map would leave the late layers blank; the
 * default is logarithmic:
 *
 *   α(ink) = m · min(1, ink / k) + (1 − m) · ln(1 + ink / k) / ln(1 + I / k)      ("log", default)
 *   α(ink) = m · min(1, ink / k) + (1 − m) · (ink / I)^γ                          ("gamma"; γ = 1: "linear")
 *
 * with I the largest ink of the layer (or `reference`), k the knee (default 1: one edge fully crossing
 * a pixel) and m the floor (default 0.06) that keeps a single edge visible even beside a dense stage;
 * α is clipped to [0, 1]. Layers (main edges, shortcuts, intra-partition edges, flagged edges) are
 * composited over white in that order: c ← c·(1 − α) + colour·α. O(pixels).
 */
export type ToneCurve = "log" | "gamma" | "linear";

export interface ToneOptions {
  readonly curve?: ToneCurve;
  /** Ink at which the curve bends (default 1). */
  readonly knee?: number;
  /** Exponent of "gamma" (default 0.5). */
  readonly gamma?: number;
  /** Opacity reached by ink = knee through the floor term (default 0.06). */
  readonly minAlpha?: number;
  /** Ink painted fully opaque (default: the layer's maximum). */
  readonly reference?: number;
}

export type Rgb = readonly [number, number, number];

/** A tone function for a layer whose largest ink is `maxInk`. @throws on options out of range. */
export function toneFunction(maxInk: number, options: ToneOptions = {}): (ink: number) => number {
  const curve = options.curve ?? "log";
  const k = options.knee ?? 1;
  const m = options.minAlpha ?? 0.06;
  const gamma = curve === "linear" ? 1 : options.gamma ?? 0.5;
  const ref = options.reference ?? maxInk;
  if (!["log", "gamma", "linear"].includes(curve)) throw new Error(`notebook/mge-picture: unknown tone curve '${String(curve)}' (log | gamma | linear)`);
  if (!(k > 0) || !(m >= 0 && m <= 1) || !(gamma > 0) || !(ref >= 0)) {
    throw new Error(`notebook/mge-picture: tone needs knee > 0, 0 ≤ minAlpha ≤ 1, gamma > 0, reference ≥ 0 (got ${k}, ${m}, ${gamma}, ${ref})`);
  }
  if (ref === 0) return () => 0;
  const denom = Math.log1p(ref / k);
  return (ink: number): number => {
    if (!(ink > 0)) return 0;
    const floor = m * (ink < k ? ink / k : 1);
    const body = curve === "log" ? Math.log1p(ink / k) / denom : Math.pow(ink / ref, gamma);
    const a = floor + (1 - m) * body;
    return a > 1 ? 1 : a;
  };
}

/** Largest value of a buffer. */
export function maxOf(buf: Float32Array): number {
  let m = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] > m) m = buf[i];
  return m;
}

/**
 * Paints `buf` (ink per pixel) in `colour` over the RGBA image through the tone curve (the formula
 * of `toneFunction`, inlined: this loop runs once per pixel).
 */
export function compositeLayer(rgba: Uint8Array, buf: Float32Array, colour: Rgb, options: ToneOptions = {}): void {
  const tone = toneFunction(1, options); // validates the options
  void tone;
  const curve = options.curve ?? "log";
  const k = options.knee ?? 1;
  const m = options.minAlpha ?? 0.06;
  const gamma = curve === "linear" ? 1 : options.gamma ?? 0.5;
  const ref = options.reference ?? maxOf(buf);
  if (!(ref > 0)) return;
  const isLog = curve === "log";
  const invDenom = 1 / Math.log1p(ref / k);
  const invK = 1 / k;
  const invRef = 1 / ref;
  const [cr, cg, cb] = colour;
  for (let i = 0; i < buf.length; i++) {
    const v = buf[i];
    if (!(v > 0)) continue;
    const t = v * invK;
    let a = m * (t < 1 ? t : 1) + (1 - m) * (isLog ? Math.log1p(t) * invDenom : Math.pow(v * invRef, gamma));
    if (a > 1) a = 1;
    const o = 4 * i;
    rgba[o] = (rgba[o] * (1 - a) + cr * a + 0.5) | 0;
    rgba[o + 1] = (rgba[o + 1] * (1 - a) + cg * a + 0.5) | 0;
    rgba[o + 2] = (rgba[o + 2] * (1 - a) + cb * a + 0.5) | 0;
  }
}

/** Paints pixel (x, y) with `colour` at opacity a (no-op outside the image). */
export function paintPixel(rgba: Uint8Array, W: number, H: number, x: number, y: number, colour: Rgb, a: number): void {
  if (x < 0 || y < 0 || x >= W || y >= H || !(a > 0)) return;
  const o = 4 * (y * W + x);
  const t = a > 1 ? 1 : a;
  rgba[o] = Math.round(rgba[o] * (1 - t) + colour[0] * t);
  rgba[o + 1] = Math.round(rgba[o + 1] * (1 - t) + colour[1] * t);
  rgba[o + 2] = Math.round(rgba[o + 2] * (1 - t) + colour[2] * t);
}

/** "#rrggbb" of a colour. */
export function hex(c: Rgb): string {
  return "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
}
