/**
 * Where the whole-MGE picture puts things: one vertical bar per partition at even horizontal spacing
 * (left to right in partition order), its height proportional to a scale of the partition's size,
 * centred vertically, with the partition's nodes at even spacing along it in index order (channel-major
 * raster, as the CSR stores them) — the layout of the official figure (networkx's multipartite layout).
 *
 * Height scales: "size" (default: height ∝ nodes, so 16·32², 32·16² and 64·8² nodes give bars of
 * 4 : 2 : 1 as in the official figure), "sqrt", "log" (∝ log2(1 + nodes)) and "equal".
 * Node i of a partition of n nodes and height h sits at y = top + (i + ½)·h/n (pixel units, y down);
 * bar p's nodes sit at x = `x[p]`, a pixel boundary, so segments between bars cover whole columns.
 * Complexity: O(P) for P partitions.
 */
import type { Partition } from "../../encoding/csr";

export type HeightScale = "size" | "sqrt" | "log" | "equal";

export const HEIGHT_SCALES: readonly HeightScale[] = ["size", "sqrt", "log", "equal"];

export interface MgeLayout {
  readonly width: number;
  readonly height: number;
  /** Pixel boundary (x) of each partition's bar, ascending. */
  readonly x: Int32Array;
  /** Top (y, px) and height (px) of each bar. */
  readonly top: Float64Array;
  readonly barHeight: Float64Array;
  /** Smallest horizontal distance between neighbouring bars (px). */
  readonly gap: number;
  readonly partitions: readonly Partition[];
}

export interface LayoutOptions {
  readonly heightScale?: HeightScale;
  /** Free pixels left and right of the outer bars (room for the highlight lanes), default 1 % of the width, at least 16. */
  readonly marginX?: number;
  /** Free pixels above and below the tallest bar, default 2 % of the height, at least 2. */
  readonly marginY?: number;
}

function scaleOf(size: number, s: HeightScale): number {
  if (s === "size") return size;
  if (s === "sqrt") return Math.sqrt(size);
  if (s === "log") return Math.log2(1 + size);
  return size > 0 ? 1 : 0;
}

/**
 * Bar geometry of a picture of `width`×`height` px for `partitions`.
 * @throws when the picture is too small to give every bar 2 px of room, or the partitions are malformed.
 */
export function mgeLayout(partitions: readonly Partition[], width: number, height: number, options: LayoutOptions = {}): MgeLayout {
  const where = "notebook/mge-picture";
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8) {
    throw new Error(`${where}: picture size must be integers ≥ 8, got ${width}×${height}`);
  }
  const P = partitions.length;
  if (P === 0) throw new Error(`${where}: the graph has no partitions`);
  let expected = 0;
  for (const p of partitions) {
    if (p.start !== expected || !(p.size >= 0)) throw new Error(`${where}: partition "${p.name}" starts at ${p.start}, expected ${expected}`);
    expected += p.size;
  }
  const scale = options.heightScale ?? "size";
  if (!HEIGHT_SCALES.includes(scale)) throw new Error(`${where}: unknown height scale '${String(scale)}' (${HEIGHT_SCALES.join(" | ")})`);
  const mx = options.marginX ?? Math.max(16, Math.round(width * 0.01));
  const my = options.marginY ?? Math.max(2, Math.round(height * 0.02));
  const usableW = width - 2 * mx;
  const usableH = height - 2 * my;
  if (usableH < 2 || (P > 1 && usableW / (P - 1) < 2)) {
    throw new Error(`${where}: ${width}×${height} px leave less than 2 px per bar for ${P} partitions; draw a larger picture`);
  }
  const x = new Int32Array(P);
  for (let p = 0; p < P; p++) x[p] = P === 1 ? Math.round(width / 2) : Math.round(mx + (p * usableW) / (P - 1));
  let gap = width;
  for (let p = 1; p < P; p++) gap = Math.min(gap, x[p] - x[p - 1]);
  let maxScale = 0;
  for (const p of partitions) maxScale = Math.max(maxScale, scaleOf(p.size, scale));
  const top = new Float64Array(P);
  const barHeight = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    const h = maxScale > 0 ? (scaleOf(partitions[p].size, scale) / maxScale) * usableH : 0;
    barHeight[p] = h;
    top[p] = my + (usableH - h) / 2;
  }
  return { width, height, x, top, barHeight, gap, partitions };
}

/** y (px) of local node i of partition p. */
export function nodeY(layout: MgeLayout, p: number, i: number): number {
  return layout.top[p] + ((i + 0.5) * layout.barHeight[p]) / layout.partitions[p].size;
}
