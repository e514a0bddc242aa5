/**
 * `snn-topology encode`: builds the MGE or the per-layer BGEs of a sparse network (a safetensors
 * file, or a seeded random mask) and prints its size, optionally writing the graph to a file.
 */
import path from "node:path";
import type { Command } from "./main";
import { numberOption, parseCommandArgs } from "./args";
import { buildArchitecture } from "../nn/architectures";
import { randomSparseNetwork } from "../nn/architectures-random";
import type { ArchSpec } from "../nn/spec";
import type { MaskMap, WeightMap } from "../nn/tensors";
import { readSafetensorsHeader } from "../io/safetensors";
import { loadNetwork } from "../nn/network-file";
import { countMge, encodeMge, type WeightPrecision } from "../encoding/mge";
import type { Alignment } from "../encoding/plan";
import { encodeRolledBge, encodeRolledChannelBge, type LayerGraph } from "../encoding/bge";
import { writeGraphBinary, writeGraphML } from "../encoding/export";
import type { CsrGraph } from "../encoding/csr";
import { silentProgress, terminalProgress } from "../util/progress";

const HELP = `usage: snn-topology encode [options]

Encodes a sparse network as a graph: the multipartite MGE (default) or per-layer bipartite BGEs.

network (one of):
  --weights FILE            safetensors with <layer>.weight (+ <layer>.weight_mask) tensors
  --random-mask SPARSITY    uniform random mask (layer-wise), Kaiming-normal weights; with --seed N (default 0)
architecture:
  --arch NAME               conv6 | resnet20 | resnet32 | wrn28-2 | mobilenetv2 | lenet300-100 | lenet5
                            (default: the file's __metadata__.architecture)
  --input-size N  --input-channels N  --classes N  --width-multiplier X
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
  weights: { type: "string" },
  "random-mask": { type: "string" },
  seed: { type: "string" },
  arch: { type: "string" },
  "input-size": { type: "string" },
  "input-channels": { type: "string" },
  classes: { type: "string" },
  "width-multiplier": { type: "string" },
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
    if ((o.weights === undefined) === (o["random-mask"] === undefined)) throw new Error(`encode: give exactly one of --weights FILE or --random-mask SPARSITY\n\n${HELP}`);
    let archName = o.arch;
    let fileMeta: Record<string, string> = {};
    if (o.weights) {
      const h = readSafetensorsHeader(o.weights);
      const m = h.__metadata__;
      if (m && typeof m === "object") fileMeta = m as Record<string, string>;
      archName ??= fileMeta.architecture;
    }
    if (!archName) throw new Error("encode: --arch is required (the weights file names no architecture)");
    const fromMeta = (key: string): string | undefined => (o.weights ? fileMeta[key] : undefined);
    const spec: ArchSpec = buildArchitecture(archName, {
      inputSize: numberOption("encode", "input-size", o["input-size"] ?? fromMeta("input_size"), 0, 1) || undefined,
      inputChannels: numberOption("encode", "input-channels", o["input-channels"] ?? fromMeta("in_channels"), 0, 1) || undefined,
      classes: numberOption("encode", "classes", o.classes ?? fromMeta("classes"), 0, 1) || undefined,
      widthMultiplier: numberOption("encode", "width-multiplier", o["width-multiplier"], 1, 1e-6),
    });
    const encoding = o.encoding ?? "mge";
    if (!["mge", "rolled", "rolled-channel"].includes(encoding)) throw new Error(`encode: --encoding must be mge, rolled or rolled-channel, got '${encoding}'`);
    const alignment = (o.alignment ?? "reference") as Alignment;
    if (alignment !== "reference" && alignment !== "exact") throw new Error(`encode: --alignment must be reference or exact, got '${alignment}'`);
    const precision = (o.precision ?? "float16") as WeightPrecision;
    if (precision !== "float16" && precision !== "float32") throw new Error(`encode: --precision must be float16 or float32, got '${precision}'`);
    let weights: WeightMap;
    let masks: MaskMap;
    const t0 = Date.now();
    if (o.weights) {
      ({ weights, masks } = loadNetwork(o.weights, spec));
    } else {
      const sparsity = numberOption("encode", "random-mask", o["random-mask"], 0, 0, 1);
      const seed = numberOption("encode", "seed", o.seed, 0, 0, 2 ** 32 - 1);
      ({ weights, masks } = randomSparseNetwork(spec, sparsity, seed));
    }
    const meta = { architecture: spec.name, encoding, alignment, precision, source: o.weights ?? `random-mask ${o["random-mask"]} seed ${o.seed ?? 0}` };
    if (encoding === "mge") {
      const identityShortcuts = Boolean(o["identity-shortcuts"]);
      const counts = countMge(spec, masks, { alignment, identityShortcuts, weights });
      if (o["count-only"]) {
        if (o.out) throw new Error("encode: --count-only builds no graph, so --out cannot be used with it");
        const seconds = (Date.now() - t0) / 1000;
        if (o.json) process.stdout.write(JSON.stringify({ nodes: counts.nodes, edges: counts.edges, partitions: partitionsJson(counts), alignment, edgesPerLayer: counts.edgesPerLayer, seconds }) + "\n");
        else process.stdout.write(`${spec.name} MGE (${alignment}, counted): ${counts.nodes} nodes, ${counts.edges} edges, ${counts.partitions.length} partitions\n`);
        return 0;
      }
      const big = counts.edges > 2_000_000 && !o.quiet;
      const g = encodeMge(spec, weights, masks, { alignment, identityShortcuts, weightPrecision: precision, progress: big ? terminalProgress("encode") : silentProgress });
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
      ? encodeRolledBge(spec, weights, masks, { weightPrecision: precision })
      : encodeRolledChannelBge(spec, weights, masks, { weightPrecision: precision });
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
