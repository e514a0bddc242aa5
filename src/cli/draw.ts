/**
 * `snn-topology draw`: the whole MGE of a sparse network as one PNG picture (drawMge), with metric
 * highlights; the legend (colours, what they mark, counts) goes to stdout.
 */
import type { Command } from "./main";
import { numberOption, parseCommandArgs } from "./args";
import { loadCliNetwork, NETWORK_HELP, NETWORK_OPTIONS } from "./network";
import { encodeMge } from "../encoding/mge";
import type { Alignment } from "../encoding/plan";
import { drawMge } from "../notebook/mge-picture/draw";
import { HEIGHT_SCALES, type HeightScale } from "../notebook/mge-picture/layout";
import { parseHighlights } from "../notebook/mge-picture/highlights";
import { writePng } from "../notebook/mge-picture/png";
import type { ToneCurve } from "../notebook/mge-picture/tone";
import { silentProgress, terminalProgress } from "../util/progress";

const HELP = `usage: snn-topology draw (--weights FILE | --random-mask S) --out FILE.png [options]

Draws the whole multipartite graph (MGE) of a sparse network: one bar per partition (height ∝ nodes),
every edge an anti-aliased segment, overlapping ink on a logarithmic tone curve. Shortcuts are blue,
edges inside a partition (the reference alignment's stride-2 shift) orange arcs.

${NETWORK_HELP}
encoding:
  --alignment A             reference (default: the official code's node indexing) | exact
  --identity-shortcuts      add identity shortcuts as edges (drawn as shortcuts)
picture:
  --out FILE.png            the PNG to write (required)
  --width W  --height H     size in px (default 6000×2000, the official figure's size)
  --highlight LIST          comma-separated: sinks, sources, disconnected, removable, cut-nodes, components
  --height-scale S          bar height ∝ size (default) | sqrt | log | equal
  --ink I                   count (default: one unit per edge) | weight (|w| per edge)
  --tone T                  log (default) | gamma | linear
  --bins-per-pixel B        position bins per pixel of bar height (default 1)
  --json                    print {"width", "height", "legend", "stats"} instead of the text legend
  --quiet                   no progress bar
`;

const OPTIONS = {
  ...NETWORK_OPTIONS,
  alignment: { type: "string" },
  "identity-shortcuts": { type: "boolean" },
  out: { type: "string" },
  width: { type: "string" },
  height: { type: "string" },
  highlight: { type: "string" },
  "height-scale": { type: "string" },
  ink: { type: "string" },
  tone: { type: "string" },
  "bins-per-pixel": { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
} as const;

export const command: Command = {
  summary: "draw the whole MGE of a sparse network as a PNG, with metric highlights",
  async run(argv: string[]): Promise<number> {
    const { values: o, help } = parseCommandArgs("draw", argv, OPTIONS, HELP);
    if (help) return 0;
    if (!o.out) throw new Error(`draw: --out FILE.png is required\n\n${HELP}`);
    if (!o.out.toLowerCase().endsWith(".png")) throw new Error(`draw: --out must end in .png, got '${o.out}'`);
    const alignment = (o.alignment ?? "reference") as Alignment;
    if (alignment !== "reference" && alignment !== "exact") throw new Error(`draw: --alignment must be reference or exact, got '${alignment}'`);
    const width = numberOption("draw", "width", o.width, 6000, 8, 60000);
    const height = numberOption("draw", "height", o.height, 2000, 8, 60000);
    if (!Number.isInteger(width) || !Number.isInteger(height)) throw new Error(`draw: --width and --height must be integers, got ${width}×${height}`);
    const heightScale = (o["height-scale"] ?? "size") as HeightScale;
    if (!HEIGHT_SCALES.includes(heightScale)) throw new Error(`draw: --height-scale must be one of ${HEIGHT_SCALES.join(", ")}, got '${heightScale}'`);
    const ink = o.ink ?? "count";
    if (ink !== "count" && ink !== "weight") throw new Error(`draw: --ink must be count or weight, got '${ink}'`);
    const curve = (o.tone ?? "log") as ToneCurve;
    if (!["log", "gamma", "linear"].includes(curve)) throw new Error(`draw: --tone must be log, gamma or linear, got '${curve}'`);
    const binsPerPixel = numberOption("draw", "bins-per-pixel", o["bins-per-pixel"], 1, 1e-3, 64);
    const highlight = parseHighlights(o.highlight ?? "");

    const t0 = Date.now();
    const net = loadCliNetwork("draw", o, HELP);
    const graph = encodeMge(net.spec, net.masks, {
      weights: net.weights,
      alignment,
      identityShortcuts: Boolean(o["identity-shortcuts"]),
      progress: o.quiet ? silentProgress : terminalProgress("encode"),
    });
    const pic = drawMge(graph, { width, height, heightScale, ink, tone: { curve }, binsPerPixel, highlight, progress: o.quiet ? silentProgress : terminalProgress("draw") });
    writePng(o.out, pic);
    const seconds = (Date.now() - t0) / 1000;
    if (o.json) {
      process.stdout.write(JSON.stringify({ out: o.out, width, height, nodes: graph.numNodes, edges: graph.numEdges, alignment, legend: pic.legend, stats: pic.stats, seconds }) + "\n");
      return 0;
    }
    process.stdout.write(`${net.spec.name} MGE (${alignment}): ${graph.numNodes} nodes, ${graph.numEdges} edges → ${o.out} (${width}×${height} px, ${seconds.toFixed(1)} s)\n`);
    process.stdout.write(`bars, left to right: ${graph.partitions.map((p) => `${p.name} (${p.size})`).join(", ")}\n`);
    for (const l of pic.legend) process.stdout.write(`  ${l.colour}  ${l.label}: ${l.count} ${l.unit}\n`);
    return 0;
  },
};
