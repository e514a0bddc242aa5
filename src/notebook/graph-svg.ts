/**
 * Draws a small layered graph (an MGE or a bipartite encoding of a tiny network) as SVG: one
 * column per partition (layer) from left to right, nodes stacked in index order (channel-major
 * raster, a gap between channels), edges as straight lines whose opacity follows |w|.
 * Nodes without any edge (pruned away) are hollow. Meant for pictures of a few hundred nodes;
 * larger graphs are refused, because the picture would be unreadable and the SVG huge.
 */
import type { CsrGraph } from "../encoding/csr";
import { escapeHtml, show } from "./output";

export interface LayeredGraphOptions {
  /** Title drawn above the picture. */
  readonly title?: string;
  /** Picture height in px (default 520); the width follows from the number of partitions. */
  readonly height?: number;
  /** Horizontal distance between columns in px (default 150). */
  readonly columnGap?: number;
  /** Refuse graphs with more nodes than this (default 2000). */
  readonly maxNodes?: number;
  /** Refuse graphs with more edges than this (default 20000). */
  readonly maxEdges?: number;
}

const PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac", "#eeca3b"];

/** SVG text of the layered picture of `g`. Throws if `g` exceeds the size limits or its partitions are malformed. */
export function layeredGraphSvg(g: CsrGraph, options: LayeredGraphOptions = {}): string {
  const maxNodes = options.maxNodes ?? 2000;
  const maxEdges = options.maxEdges ?? 20000;
  if (g.numNodes > maxNodes) throw new Error(`notebook/graph-svg: ${g.numNodes} nodes exceed the drawing limit of ${maxNodes}`);
  if (g.numEdges > maxEdges) throw new Error(`notebook/graph-svg: ${g.numEdges} edges exceed the drawing limit of ${maxEdges}`);
  const parts = g.partitions;
  let expected = 0;
  for (const p of parts) {
    if (p.start !== expected || p.size < 0) {
      throw new Error(`notebook/graph-svg: partition "${p.name}" starts at ${p.start}, expected ${expected}`);
    }
    expected += p.size;
  }
  if (expected !== g.numNodes) throw new Error(`notebook/graph-svg: partitions cover ${expected} nodes, the graph has ${g.numNodes}`);

  const height = options.height ?? 520;
  const gap = options.columnGap ?? 150;
  const top = options.title ? 58 : 38;
  const bottom = 12;
  const margin = 50;
  const width = margin * 2 + Math.max(0, parts.length - 1) * gap;
  const channelGapUnits = 1.5;
  // Vertical unit: the tallest column (nodes + channel gaps) fills the drawing height.
  let tallest = 1;
  for (const p of parts) {
    const hw = p.height * p.width;
    const channels = hw > 0 ? Math.ceil(p.size / hw) : 1;
    tallest = Math.max(tallest, p.size + (channels - 1) * channelGapUnits);
  }
  const usable = height - top - bottom;
  const unit = usable / tallest;
  const radius = Math.max(1.2, Math.min(6, unit * 0.4));
  const xs = new Float64Array(g.numNodes);
  const ys = new Float64Array(g.numNodes);
  const colour: string[] = new Array<string>(g.numNodes);
  parts.forEach((p, pi) => {
    const hw = Math.max(1, p.height * p.width);
    const channels = Math.ceil(p.size / hw);
    const span = (p.size - 1 + (channels - 1) * channelGapUnits) * unit;
    const y0 = top + (usable - span) / 2;
    for (let i = 0; i < p.size; i++) {
      const v = p.start + i;
      const ch = Math.floor(i / hw);
      xs[v] = margin + pi * gap;
      ys[v] = y0 + (i + ch * channelGapUnits) * unit;
      colour[v] = PALETTE[(hw > 1 ? ch : 0) % PALETTE.length];
    }
  });
  const degree = new Int32Array(g.numNodes);
  let wmax = 0;
  for (let u = 0; u < g.numNodes; u++) {
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      degree[u]++;
      degree[g.targets[e]]++;
      const w = Math.abs(g.weights[e]);
      if (w > wmax) wmax = w;
    }
  }
  const f = (x: number) => x.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  if (options.title) out.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeHtml(options.title)}</text>`);
  parts.forEach((p, pi) => {
    const shape = p.height * p.width > 1 ? `${p.channels}×${p.height}×${p.width}` : `${p.size}`;
    out.push(`<text x="${margin + pi * gap}" y="${top - 22}" text-anchor="middle">${escapeHtml(p.name)}</text>`);
    out.push(`<text x="${margin + pi * gap}" y="${top - 9}" text-anchor="middle" fill="#666">${escapeHtml(shape)}</text>`);
  });
  out.push(`<g stroke="#333" stroke-width="0.6">`);
  for (let u = 0; u < g.numNodes; u++) {
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const v = g.targets[e];
      const op = wmax > 0 ? 0.12 + 0.68 * (Math.abs(g.weights[e]) / wmax) : 0.5;
      out.push(`<line x1="${f(xs[u])}" y1="${f(ys[u])}" x2="${f(xs[v])}" y2="${f(ys[v])}" stroke-opacity="${op.toFixed(2)}"/>`);
    }
  }
  out.push(`</g><g stroke-width="1">`);
  for (let v = 0; v < g.numNodes; v++) {
    const fill = degree[v] > 0 ? colour[v] : "white";
    const stroke = degree[v] > 0 ? colour[v] : "#999";
    out.push(`<circle cx="${f(xs[v])}" cy="${f(ys[v])}" r="${radius.toFixed(1)}" fill="${fill}" stroke="${stroke}"/>`);
  }
  out.push(`</g></svg>`);
  return out.join("");
}

/**
 * Shows the layered picture of `g` in the notebook. The picture goes out as text/html holding an
 * <img> with an SVG data URI, because nbconvert 6.5's HTML export passes image/svg+xml outputs
 * through an HTML sanitizer that strips every SVG element (only the text survives); the raw SVG
 * rides along for front-ends that prefer it.
 */
export function drawLayeredGraph(g: CsrGraph, options: LayeredGraphOptions = {}): void {
  const svg = layeredGraphSvg(g, options);
  const alt = escapeHtml(options.title ?? "layered graph");
  show({
    "text/html": `<img alt="${alt}" src="data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}"/>`,
    "image/svg+xml": svg,
    "text/plain": `<layered graph: ${g.numNodes} nodes, ${g.numEdges} edges, ${g.partitions.length} partitions>`,
  });
}
