/**
 * The interactive companion of the whole-MGE picture: for every partition pair with edges, a plotly
 * heatmap of edge counts per (source position bin, target position bin) — hover gives the count and
 * the bins' first nodes — beside the out-degree distribution of the source partition and the
 * in-degree distribution of the target partition; a dropdown (plotly updatemenus, which works in a
 * static HTML export) moves between the pairs. Bins are runs of consecutive nodes (./bins.ts), at most
 * `bins` per partition. Cost: one O(N + E) pass (shared with the picture's binning) + O(pairs · bins²).
 */
import type { CsrGraph } from "../../encoding/csr";
import { inDegrees } from "../../encoding/csr";
import { plot, type Figure, type PlotOptions } from "../plotly";
import { aggregatePairs, binFirstNode, nodeBins } from "./bins";

export interface DensityViewOptions {
  /** Position bins per partition (default 48). */
  readonly bins?: number;
  readonly title?: string;
  /** Degree histogram bars at most (default 60). */
  readonly degreeBins?: number;
}

interface Histogram {
  readonly x: number[];
  readonly y: number[];
  readonly width: number;
}

function histogram(values: Int32Array, from: number, to: number, maxBars: number): Histogram {
  let max = 0;
  for (let v = from; v < to; v++) if (values[v] > max) max = values[v];
  const width = Math.max(1, Math.ceil((max + 1) / maxBars));
  const bars = Math.floor(max / width) + 1;
  const y = new Array<number>(bars).fill(0);
  for (let v = from; v < to; v++) y[Math.floor(values[v] / width)]++;
  return { x: y.map((_, i) => i * width + (width - 1) / 2), y, width };
}

/**
 * The figure of the view (pure: nothing is shown).
 * @throws when `bins` is not a positive integer or the graph has no edge.
 */
export function mgeDensityFigure(g: CsrGraph, options: DensityViewOptions = {}): Figure {
  const maxBins = options.bins ?? 48;
  const degreeBins = options.degreeBins ?? 60;
  if (!Number.isInteger(maxBins) || maxBins < 1) throw new Error(`notebook/mge-picture: bins must be a positive integer, got ${maxBins}`);
  if (!Number.isInteger(degreeBins) || degreeBins < 1) throw new Error(`notebook/mge-picture: degreeBins must be a positive integer, got ${degreeBins}`);
  const parts = g.partitions;
  const bins = nodeBins(parts, g.numNodes, parts.map((p) => Math.min(p.size, maxBins)));
  const outDeg = new Int32Array(g.numNodes);
  for (let v = 0; v < g.numNodes; v++) outDeg[v] = g.offsets[v + 1] - g.offsets[v];
  const inDeg = inDegrees(g);
  const data: object[] = [];
  const buttons: object[] = [];
  const pairs: { label: string; title: string; xTitle: string; yTitle: string }[] = [];
  aggregatePairs(g, bins, (pair) => {
    const s = parts[pair.source];
    const t = parts[pair.target];
    const xs = Array.from({ length: pair.nbS }, (_, b) => binFirstNode(b, s.size, pair.nbS));
    const ys = Array.from({ length: pair.nbT }, (_, b) => binFirstNode(b, t.size, pair.nbT));
    const z: (number | null)[][] = ys.map((_, bt) => xs.map((__, bs) => {
      const c = pair.counts[bs * pair.nbT + bt];
      return c > 0 ? c : null;
    }));
    let edges = 0;
    for (let i = 0; i < pair.counts.length; i++) edges += pair.counts[i];
    const visible = pairs.length === 0;
    data.push({
      type: "heatmap", x: xs, y: ys, z, visible, colorscale: "Viridis", xaxis: "x", yaxis: "y",
      colorbar: { title: { text: "edges" }, x: 0.56, len: 0.9 },
      hovertemplate: `source ${s.name}: nodes from %{x}<br>target ${t.name}: nodes from %{y}<br>edges: %{z}<extra></extra>`,
      name: `${s.name} → ${t.name}`,
    });
    const ho = histogram(outDeg, s.start, s.start + s.size, degreeBins);
    const hi = histogram(inDeg, t.start, t.start + t.size, degreeBins);
    data.push({ type: "bar", x: ho.x, y: ho.y, width: ho.width, visible, xaxis: "x2", yaxis: "y2", name: `out-degree of ${s.name}`, marker: { color: "#1f77b4" }, opacity: 0.7, hovertemplate: "degree ≈ %{x}: %{y} nodes<extra>out-degree</extra>" });
    data.push({ type: "bar", x: hi.x, y: hi.y, width: hi.width, visible, xaxis: "x2", yaxis: "y2", name: `in-degree of ${t.name}`, marker: { color: "#ff7f0e" }, opacity: 0.7, hovertemplate: "degree ≈ %{x}: %{y} nodes<extra>in-degree</extra>" });
    const kind = pair.source === pair.target ? " (inside the partition)" : pair.target !== pair.source + 1 ? " (shortcut)" : "";
    pairs.push({
      label: `${pair.source}→${pair.target} ${s.name} → ${t.name}${kind}`,
      title: `${options.title ? `${options.title}: ` : ""}${s.name} → ${t.name}${kind}, ${edges.toLocaleString("en-US")} edges`,
      xTitle: `source ${s.name}: node index in partition (${s.size} nodes, bins of ≈${Math.ceil(s.size / pair.nbS)})`,
      yTitle: `target ${t.name}: node index in partition (${t.size} nodes)`,
    });
  });
  if (pairs.length === 0) throw new Error("notebook/mge-picture: the graph has no edge to show");
  pairs.forEach((p, i) => {
    const visible = data.map((_, k) => Math.floor(k / 3) === i);
    buttons.push({ label: p.label, method: "update", args: [{ visible }, { "title.text": p.title, "xaxis.title.text": p.xTitle, "yaxis.title.text": p.yTitle }] });
  });
  return {
    data,
    layout: {
      title: { text: pairs[0].title, x: 0.5, xanchor: "center", y: 0.98, yanchor: "top" },
      xaxis: { domain: [0, 0.52], title: { text: pairs[0].xTitle } },
      yaxis: { title: { text: pairs[0].yTitle }, autorange: "reversed" },
      xaxis2: { domain: [0.72, 1], title: { text: "degree (edges per node)" }, anchor: "y2" },
      yaxis2: { title: { text: "nodes" }, anchor: "x2", type: "log" },
      barmode: "overlay",
      legend: { x: 0.72, y: 1.0, bgcolor: "rgba(255,255,255,0.7)" },
      updatemenus: [{ buttons, direction: "down", x: 0, xanchor: "left", y: 1.17, yanchor: "top", showactive: true }],
      margin: { t: 120 },
    },
  };
}

/**
 * Shows the interactive density view of `g` in the notebook.
 * @example showMgeDensity(graph, { bins: 48, title: "ResNet-20 ERK 0.98" });
 */
export function showMgeDensity(g: CsrGraph, options: DensityViewOptions = {}, plotOptions: PlotOptions = {}): void {
  plot(mgeDensityFigure(g, options), { height: "560px", ...plotOptions });
}
