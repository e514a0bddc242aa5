/**
 * `drawMge`: the whole multipartite graph (MGE) as one raster picture in the style of the official
 * figure (`figures/Resnet-20-ERK-98.png` of eliacunegatti/mge-snn): one vertical bar per partition
 * (./layout.ts), every edge an anti-aliased straight segment between its endpoints (./raster.ts),
 * overlapping ink mapped to colour by a tone curve (./tone.ts), metrics marked on it (./highlights.ts).
 *
 * Edges are not drawn one by one: one pass over the CSR counts them per (source bin, target bin) of each
 * partition pair, bins being runs of consecutive nodes of at most 1/`binsPerPixel` px (./bins.ts), and
 * each non-empty bin pair is drawn once as a segment of ink = its edge count (or Σ|w|) between the bins'
 * mean node positions. A node is thus drawn at most 1/(2·binsPerPixel) px from where it lies, and the ink
 * per column is exactly the per-edge picture's. Pairs are drawn by how far they reach: consecutive
 * partitions (the main path) in grey; pairs skipping partitions (projection shortcuts, identity
 * shortcuts when encoded) as straight lines in a second colour; edges inside a partition (the `reference`
 * alignment's stride-2 shift) as arcs — two segments bulging right of the bar — in a third.
 *
 * Complexity: O(N + E) for the pass (no allocation per edge) + O(Σ_pairs nbS·nbT) to scan the bin
 * matrices + O(Σ_non-empty bin pairs (dx + |dy|)) to rasterise, bounded by the picture's size
 * (nbS, nbT ≤ bar height · binsPerPixel, dx ≤ width) and not by E, + O(W·H) to tone-map. Memory beyond
 * the graph: 4 bytes per node, one Float32 per pixel per drawn layer (main, shortcuts, intra, removable),
 * 8·nbS·nbT bytes per live pair matrix (those of one source partition at a time), the RGBA image.
 */
import type { CsrGraph } from "../../encoding/csr";
import { silentProgress, type Progress } from "../../util/progress";
import { aggregatePairs, binFirstNode, nodeBins, type PairBins } from "./bins";
import { highlightSets, HIGHLIGHT_COLOURS, paintLanes, type HighlightName } from "./highlights";
import { mgeLayout, nodeY, type HeightScale, type MgeLayout } from "./layout";
import { depositSegment } from "./raster";
import { compositeLayer, hex, maxOf, paintPixel, type Rgb, type ToneOptions } from "./tone";

export interface MgePictureOptions {
  /** Picture size in px (default 2400×800; the official figure is 5949×1950). */
  readonly width?: number;
  readonly height?: number;
  /** Bar height ∝ nodes ("size", default), √nodes, log2(1 + nodes) or equal. */
  readonly heightScale?: HeightScale;
  /** Bins per pixel of bar height (default 1: nodes drawn within ½ px of their place). */
  readonly binsPerPixel?: number;
  /** Ink per edge: 1 ("count", default) or |w| ("weight"). */
  readonly ink?: "count" | "weight";
  readonly tone?: ToneOptions;
  readonly highlight?: readonly HighlightName[];
  /** Bar width in px (default width/1200, at least 2). */
  readonly barWidth?: number;
  readonly progress?: Progress;
}

export interface LegendEntry {
  readonly key: string;
  readonly label: string;
  readonly colour: string;
  readonly count: number;
  readonly unit: "edges" | "nodes";
}

/** Ink layers (Float32, W×H, ink per pixel; empty when nothing was drawn in a layer), kept for tests and custom tone maps. */
export interface InkLayers {
  readonly main: Float32Array;
  readonly skip: Float32Array;
  readonly intra: Float32Array;
  readonly removable: Float32Array;
}

export interface MgePicture {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major, 4 bytes per pixel. */
  readonly rgba: Uint8Array;
  readonly layout: MgeLayout;
  readonly legend: readonly LegendEntry[];
  readonly ink: InkLayers;
  readonly stats: {
    readonly edges: number;
    readonly binPairs: number;
    readonly partitionPairs: number;
    readonly seconds: { readonly bins: number; readonly raster: number; readonly tone: number; readonly total: number };
  };
}

export const LAYER_COLOURS = {
  main: [40, 40, 40],
  skip: [31, 119, 180],
  intra: [255, 127, 14],
  bar: [0, 0, 0],
} as const satisfies Record<string, Rgb>;

/** Horizontal reach of the arc of an intra-partition edge between heights ys and yt. */
export function arcReach(ys: number, yt: number, gap: number): number {
  const cap = Math.max(2, Math.floor(gap * 0.45));
  const r = Math.round(Math.abs(yt - ys) * 0.5);
  return r < 2 ? 2 : r > cap ? cap : r;
}

/** Draws one bin pair (or one edge) of ink between two partitions into the right layer. */
export function depositPair(layers: { straight: Float32Array; intra: Float32Array }, W: number, H: number, xs: number, ys: number, xt: number, yt: number, gap: number, ink: number): void {
  if (xs === xt) {
    const reach = arcReach(ys, yt, gap);
    const ym = 0.5 * (ys + yt);
    depositSegment(layers.intra, W, H, xs, ys, xs + reach, ym, ink);
    depositSegment(layers.intra, W, H, xs + reach, ym, xt, yt, ink);
  } else depositSegment(layers.straight, W, H, xs, ys, xt, yt, ink);
}

function checkOptions(o: MgePictureOptions): void {
  const where = "notebook/mge-picture";
  const bpp = o.binsPerPixel ?? 1;
  if (!(bpp > 0 && bpp <= 64)) throw new Error(`${where}: binsPerPixel must be in (0, 64], got ${bpp}`);
  if (o.ink !== undefined && o.ink !== "count" && o.ink !== "weight") throw new Error(`${where}: ink must be 'count' or 'weight', got '${String(o.ink)}'`);
  if (o.barWidth !== undefined && !(Number.isInteger(o.barWidth) && o.barWidth >= 1)) throw new Error(`${where}: barWidth must be a positive integer, got ${o.barWidth}`);
}

/**
 * Draws the whole layered graph `g` (nodes grouped in `g.partitions`) as a raster picture.
 * @example
 *   const pic = drawMge(encodeMge(spec, masks, { weights }), { width: 6000, height: 2000, highlight: ["sinks", "sources"] });
 *   writeFileSync("mge.png", encodePng(pic));
 * @throws when the picture is too small for the partitions, the partitions do not cover the nodes, or an option is out of range.
 */
export function drawMge(g: CsrGraph, options: MgePictureOptions = {}): MgePicture {
  checkOptions(options);
  const t0 = performance.now();
  const W = options.width ?? 2400;
  const H = options.height ?? 800;
  const progress = options.progress ?? silentProgress;
  const names = options.highlight ?? [];
  const barWidth = options.barWidth ?? Math.max(2, Math.round(W / 1200));
  const barLeft = Math.floor(barWidth / 2);
  const laneWidth = Math.max(3, Math.round(W / 300));
  // Room left of the first bar for its highlight lanes ("components" takes two).
  const lanes = names.filter((n) => n !== "removable").length + (names.includes("components") ? 1 : 0);
  const marginX = Math.max(16, Math.round(W * 0.01), barLeft + lanes * laneWidth + 2);
  const layout = mgeLayout(g.partitions, W, H, { heightScale: options.heightScale, marginX });
  const covered = g.partitions.reduce((s, p) => s + p.size, 0);
  if (covered !== g.numNodes) throw new Error(`notebook/mge-picture: partitions cover ${covered} nodes, the graph has ${g.numNodes}`);
  const P = g.partitions.length;
  const bpp = options.binsPerPixel ?? 1;
  const perPartition = new Int32Array(P);
  for (let p = 0; p < P; p++) {
    const n = g.partitions[p].size;
    perPartition[p] = n === 0 ? 0 : Math.min(n, Math.max(1, Math.ceil(layout.barHeight[p] * bpp)));
  }
  const bins = nodeBins(g.partitions, g.numNodes, perPartition);
  // Mean y of each bin's nodes (y is linear in the node index, so the mean of the first and last).
  const binY = new Float64Array(bins.base[P]);
  for (let p = 0; p < P; p++) {
    const n = g.partitions[p].size;
    const nb = bins.count[p];
    for (let b = 0; b < nb; b++) binY[bins.base[p] + b] = 0.5 * (nodeY(layout, p, binFirstNode(b, n, nb)) + nodeY(layout, p, binFirstNode(b + 1, n, nb) - 1));
  }
  const sets = highlightSets(g, names);
  // Layers other than the main one are allocated only when a pair needs them (fresh pages are costly).
  const main = new Float32Array(W * H);
  let skip = new Float32Array(0);
  let intra = new Float32Array(0);
  let removable = new Float32Array(0);
  const edgeCounts = { main: 0, skip: 0, intra: 0, removable: 0 };
  let binPairs = 0;
  let partitionPairs = 0;
  let rasterMs = 0;
  const t1 = performance.now();
  aggregatePairs(g, bins, (pair: PairBins) => {
    const r0 = performance.now();
    partitionPairs++;
    const { source: sp, target: tp, nbS, nbT, counts, flagged } = pair;
    const xs = layout.x[sp];
    const xt = layout.x[tp];
    const kind = sp === tp ? "intra" : tp === sp + 1 ? "main" : "skip";
    if (kind === "skip" && skip.length === 0) skip = new Float32Array(W * H);
    if (kind === "intra" && intra.length === 0) intra = new Float32Array(W * H);
    if (flagged !== null && removable.length === 0) removable = new Float32Array(W * H);
    const layer = kind === "skip" ? skip : main;
    const target = { straight: layer, intra };
    const flagLayers = { straight: removable, intra: removable };
    const sBase = bins.base[sp];
    const tBase = bins.base[tp];
    let edges = 0;
    let flaggedEdges = 0;
    for (let bs = 0; bs < nbS; bs++) {
      const ys = binY[sBase + bs];
      const row = bs * nbT;
      for (let bt = 0; bt < nbT; bt++) {
        const c = counts[row + bt];
        if (c === 0) continue;
        binPairs++;
        const f = flagged === null ? 0 : flagged[row + bt];
        const yt = binY[tBase + bt];
        if (c - f > 0) depositPair(target, W, H, xs, ys, xt, yt, layout.gap, c - f);
        if (f > 0) depositPair(flagLayers, W, H, xs, ys, xt, yt, layout.gap, f);
        edges += c;
        flaggedEdges += f;
      }
    }
    edgeCounts[kind] += edges - flaggedEdges;
    edgeCounts.removable += flaggedEdges;
    rasterMs += performance.now() - r0;
  }, {
    weighted: options.ink === "weight",
    flagSourceNodes: sets.removableSource,
    flagTargetNodes: sets.removableTarget,
    progress: { update: (d, t, l) => progress.update(d, t, `edges, ${l ?? ""}`), finish: () => undefined },
  });
  const t2 = performance.now();

  const rgba = new Uint8Array(W * H * 4).fill(255);
  // One reference for all layers, so that equal ink gets equal opacity whatever its colour.
  const tone: ToneOptions = { ...options.tone, reference: options.tone?.reference ?? Math.max(maxOf(main), maxOf(skip), maxOf(intra), maxOf(removable)) };
  compositeLayer(rgba, main, LAYER_COLOURS.main, tone);
  if (skip.length > 0) compositeLayer(rgba, skip, LAYER_COLOURS.skip, tone);
  if (intra.length > 0) compositeLayer(rgba, intra, LAYER_COLOURS.intra, tone);
  if (removable.length > 0) compositeLayer(rgba, removable, HIGHLIGHT_COLOURS.removable, tone);
  for (let p = 0; p < P; p++) {
    if (g.partitions[p].size === 0) continue;
    const top = layout.top[p];
    const bottom = top + Math.max(1, layout.barHeight[p]);
    for (let y = Math.floor(top); y < Math.ceil(bottom); y++) {
      const cover = Math.min(bottom, y + 1) - Math.max(top, y);
      for (let x = layout.x[p] - barLeft; x < layout.x[p] - barLeft + barWidth; x++) paintPixel(rgba, W, H, x, y, LAYER_COLOURS.bar, 0.85 * cover);
    }
  }
  paintLanes(rgba, layout, sets.lanes, barLeft, laneWidth);
  const t3 = performance.now();

  const unit = options.ink === "weight" ? "Σ|w| of" : "";
  const legend: LegendEntry[] = [
    { key: "main", label: `${unit} edges between consecutive partitions`.trim(), colour: hex(LAYER_COLOURS.main), count: edgeCounts.main, unit: "edges" },
    { key: "skip", label: `${unit} edges skipping partitions (shortcuts)`.trim(), colour: hex(LAYER_COLOURS.skip), count: edgeCounts.skip, unit: "edges" },
    { key: "intra", label: `${unit} edges inside a partition (arcs)`.trim(), colour: hex(LAYER_COLOURS.intra), count: edgeCounts.intra, unit: "edges" },
  ];
  if (sets.removableSource !== null) legend.push({ key: "removable", label: "removable connections (into sinks, out of sources)", colour: hex(HIGHLIGHT_COLOURS.removable), count: edgeCounts.removable, unit: "edges" });
  for (const lane of sets.lanes) legend.push({ key: lane.key, label: lane.label, colour: hex(lane.colour), count: lane.count, unit: "nodes" });
  progress.finish(`${g.numEdges} edges in ${binPairs} bin pairs`);
  return {
    width: W,
    height: H,
    rgba,
    layout,
    legend,
    ink: { main, skip, intra, removable },
    stats: {
      edges: g.numEdges,
      binPairs,
      partitionPairs,
      seconds: { bins: (t2 - t1 - rasterMs) / 1000, raster: rasterMs / 1000, tone: (t3 - t2) / 1000, total: (t3 - t0) / 1000 },
    },
  };
}
