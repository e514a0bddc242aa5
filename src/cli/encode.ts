/**
 * `snn-topology encode`: builds the MGE or the per-layer BGEs of a sparse network (a safetensors
 * file, or a seeded random mask) and prints its size, optionally writing the graph to a file.
 */
import path from "node:path";
import type { Command } from "./main";
import { parseCommandArgs } from "./args";
import { loadCliNetwork, NETWORK_HELP, NETWORK_OPTIONS } from "./network";
import type { WeightPrecision } from "../encoding/mge";
import type { Alignment } from "../encoding/plan";
import { encodeRolledBge, encodeRolledChannelBge, type LayerGraph } from "../encoding/bge";
import { writeGraphBinary, writeGraphML } from "../encoding/export";
import type { CsrGraph } from "../encoding/csr";
import { silentProgress, terminalProgress } from "../util/progress";
import { loadCliModel, type CliModel } from "./model-option";
import { countArchitectureMge, encodeArchitectureMge } from "../encoding/dag-mge";

const HELP = `usage: snn-topology encode [options]

Encodes a sparse network as a graph: the multipartite MGE (default) or per-layer bipartite BGEs.

${NETWORK_HELP}
  --model FILE|NAME         your own network instead: an .onnx / .onnx.gz file (weights and masks = weight ≠ 0
                            from its initializers, or from --weights: safetensors or .pt/.pth, torch.nn.utils.prune
                            layout accepted), or a built-in / torchvision name (resnet18, resnet50, …) with --weights
                            or --random-mask; default alignment exact
encoding:
  --encoding E              mge (default) | rolled | rolled-channel
  --alignment A             reference (default: the official code's node indexing) | exact
  --identity-shortcuts      add identity shortcuts as edges (MGE; default off)
  --precision P             float16 (default, as the official code) | float32 edge weights
output:
  --json                    print {"nodes", "edges", "partitions", ...} (BGE: one entry per layer)
  --count-only              MGE: count nodes/edges per layer without building the graph (O(nnz))
  --out FILE                write the graph: .bin (binary CSR) or .graphml; BGE: one file per layer
  --force                   allow GraphML above 5 M edges
  --quiet                   no progress bar
`;

const OPTIONS = {
  ...NETWORK_OPTIONS,
  model: { type: "string" },
  encoding: { type: "string" },
  alignment: { type: "string" },
  "identity-shortcuts": { type: "boolean" },
  precision: { type: "string" },
  json: { type: "boolean" },
  "count-only": { type: "boolean" },
  out: { type: "string" },
  force: { type: "boolean" },
  quiet: { type: "boolean" },
} as const;

function writeGraph(file: string, g: CsrGraph, meta: Record<string, unknown>, force: boolean): void {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".bin") writeGraphBinary(file, g, meta);
  else if (ext === ".graphml") writeGraphML(file, g, { force });
  else throw new Error(`encode: --out must end in .bin or .graphml, got '${file}'`);
}

function partitionsJson(g: { partitions: CsrGraph["partitions"] }) {
  return g.partitions.map((p) => ({ name: p.name, start: p.start, size: p.size, channels: p.channels, height: p.height, width: p.width }));
}

export const command: Command = {
  summary: "encode a sparse network as a graph (MGE or per-layer BGE)",
  async run(argv: string[]): Promise<number> {
    const { values: o, help } = parseCommandArgs("encode", argv, OPTIONS, HELP);
    if (help) return 0;
    const encoding = o.encoding ?? "mge";
    if (!["mge", "rolled", "rolled-channel"].includes(encoding)) throw new Error(`encode: --encoding must be mge, rolled or rolled-channel, got '${encoding}'`);
    const precision = (o.precision ?? "float16") as WeightPrecision;
    if (precision !== "float16" && precision !== "float32") throw new Error(`encode: --precision must be float16 or float32, got '${precision}'`);
    const t0 = Date.now();
    const { architecture: spec, weights, masks, alignment, label: source } = o.model !== undefined ? loadCliModel("encode", o) : networkAsModel(o);
    const meta = { architecture: spec.name, encoding, alignment, precision, source };
    if (encoding === "mge") {
      const identityShortcuts = Boolean(o["identity-shortcuts"]);
      const counts = countArchitectureMge(spec, masks, { alignment, identityShortcuts, weights });
      if (o["count-only"]) {
        if (o.out) throw new Error("encode: --count-only builds no graph, so --out cannot be used with it");
        const seconds = (Date.now() - t0) / 1000;
        if (o.json) process.stdout.write(JSON.stringify({ nodes: counts.nodes, edges: counts.edges, partitions: partitionsJson(counts), alignment, edgesPerLayer: counts.edgesPerLayer, seconds }) + "\n");
        else process.stdout.write(`${spec.name} MGE (${alignment}, counted): ${counts.nodes} nodes, ${counts.edges} edges, ${counts.partitions.length} partitions\n`);
        return 0;
      }
      const big = counts.edges > 2_000_000 && !o.quiet;
      const g = encodeArchitectureMge(spec, masks, { weights, alignment, identityShortcuts, weightPrecision: precision, progress: big ? terminalProgress("encode") : silentProgress });
      const seconds = (Date.now() - t0) / 1000;
      if (o.out) writeGraph(o.out, g, meta, Boolean(o.force));
      if (o.json) {
        process.stdout.write(JSON.stringify({ nodes: g.numNodes, edges: g.numEdges, partitions: partitionsJson(g), alignment, edgesPerLayer: g.edgesPerLayer, seconds }) + "\n");
      } else {
        process.stdout.write(`${spec.name} MGE (${alignment}): ${g.numNodes} nodes, ${g.numEdges} edges, ${g.partitions.length} partitions, ${seconds.toFixed(2)} s\n`);
        for (const l of g.edgesPerLayer) process.stdout.write(`  ${l.layer.padEnd(28)} ${l.role.padEnd(9)} ${String(l.edges).padStart(12)} edges  partition ${l.sourcePartition} -> ${l.targetPartition}\n`);
        if (o.out) process.stdout.write(`wrote ${o.out}\n`);
      }
      return 0;
    }
    const layers: LayerGraph[] = encoding === "rolled"
      ? encodeRolledBge(spec, masks, { weights, weightPrecision: precision })
      : encodeRolledChannelBge(spec, masks, { weights, weightPrecision: precision });
    if (o.out) {
      const ext = path.extname(o.out);
      const stem = o.out.slice(0, o.out.length - ext.length);
      for (const l of layers) writeGraph(`${stem}.${l.layer}${ext}`, l.graph, { ...meta, layer: l.layer }, Boolean(o.force));
    }
    if (o.json) {
      process.stdout.write(JSON.stringify({
        encoding,
        layers: layers.map((l) => ({ layer: l.layer, role: l.role, nodes: l.graph.numNodes, edges: l.graph.numEdges, partitions: partitionsJson(l.graph) })),
      }) + "\n");
    } else {
      process.stdout.write(`${spec.name} ${encoding} BGE: ${layers.length} layers\n`);
      for (const l of layers) process.stdout.write(`  ${l.layer.padEnd(28)} ${l.role.padEnd(9)} ${String(l.graph.numNodes).padStart(8)} nodes ${String(l.graph.numEdges).padStart(10)} edges\n`);
    }
    return 0;
  },
};

type EncodeValues = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>["values"];

/** `--weights` / `--random-mask` on a built-in ArchSpec, in the shape `--model` gives (alignment default `reference`). */
function networkAsModel(o: EncodeValues): CliModel {
  const alignment = (o.alignment ?? "reference") as Alignment;
  if (alignment !== "reference" && alignment !== "exact") throw new Error(`encode: --alignment must be reference or exact, got '${alignment}'`);
  const { spec, weights, masks, source } = loadCliNetwork("encode", o, HELP);
  return { architecture: spec, weights, masks, alignment, label: source };
}
