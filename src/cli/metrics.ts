/**
 * `snn-topology metrics`: the 16 MGE topometrics of one sparse network stored as safetensors
 * (weights + `<name>_mask` tensors, as the reference fixtures and `saveNetwork` write them).
 */
import { readSafetensorsHeader } from "../io/safetensors";
import { loadNetwork } from "../nn/network-file";
import { buildArchitecture } from "../nn/architectures";
import { encodeMge, type MgeGraph } from "../encoding/mge";
import { encodeArchitectureMge } from "../encoding/dag-mge";
import { loadCliModel } from "./model-option";
import type { Alignment } from "../encoding/plan";
import { computeTopometrics, METRICS, METRIC_NAMES, parseMetricName, type MetricName, type Topometrics } from "../metrics/topometrics";
import { terminalProgress, silentProgress } from "../util/progress";
import type { Command } from "./main";
import { numberOption, parseCommandArgs } from "./args";

const HELP = `usage: snn-topology metrics --weights FILE.safetensors [options]

Encodes the network as its multipartite graph (MGE) and prints the topometrics of the paper
(reference-notes §2.1): sink/source/disconnected nodes, removable out/in connections, 1-hop,
2-hop, motifs, strength, k-core, cut-edges, cut-nodes, connected components, mean component
size, spectral gap, spectral radius — plus nodes and edges.

options:
  --weights FILE      safetensors with the masked weights and their '<name>_mask' tensors (required
                      without --model; with --model also a .pt/.pth state dict, prune layout accepted)
  --model FILE|NAME   your own network: .onnx / .onnx.gz (masks = weight ≠ 0 unless --weights), or a
                      built-in / torchvision name (resnet18, resnet50, …) with --weights or
                      --random-mask S (seeded by --seed); default alignment exact for ONNX models
  --arch NAME         conv6, resnet20, resnet32, wrn28-2, mobilenetv2, lenet300-100, lenet5
                      (default: the file's __metadata__.architecture)
  --input-size N      input height/width (default: metadata input_size, else 32)
  --classes N         number of classes (default: metadata classes, else 10)
  --encoding mge      graph encoding (only 'mge' here; per-layer BGE metrics are in the library)
  --alignment A       'reference' (default: the official code's node indexing and stride-2 quirk)
                      or 'exact' (spatially correct wiring)
  --metrics LIST      comma-separated subset (names as in the fixtures, the CSV or camelCase)
  --motifs M          'estimate' (default: the official sampled estimator) or 'exact'
                      (both grow with the degrees: minutes on 10^8-edge graphs such as Conv-6 at 0.6;
                      leave 'motifs' out of --metrics to skip them)
  --seed N            seed of the motif estimator (default 0)
  --normalize N       'raw' (default: official values) or 'paper' (the divisions of unrolled.csv)
  --threads N         threads of the spectral metrics' sparse products, 1 or 2 (default: 2 on a
                      multi-core machine for graphs of ≥ 2 M edges, else 1)
  --json              print one JSON object (keys as in the fixtures' metrics_raw)
  --progress          progress bar on stderr
`;

const OPTIONS = {
  model: { type: "string" },
  "random-mask": { type: "string" },
  weights: { type: "string" },
  arch: { type: "string" },
  "input-size": { type: "string" },
  classes: { type: "string" },
  encoding: { type: "string" },
  alignment: { type: "string" },
  metrics: { type: "string" },
  motifs: { type: "string" },
  seed: { type: "string" },
  threads: { type: "string" },
  normalize: { type: "string" },
  json: { type: "boolean" },
  progress: { type: "boolean" },
} as const;

function metadataNumber(meta: Record<string, unknown>, key: string): number | undefined {
  const v = meta[key];
  if (typeof v !== "string") return undefined;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new Error(`metrics: metadata ${key} = '${v}' is not a positive integer`);
  return x;
}

/** The JSON printed by `--json`: fixture-style metric keys, only the metrics computed. */
export function topometricsJson(r: Topometrics, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const metrics: Record<string, number> = {};
  for (const m of METRIC_NAMES) {
    const v = r.metrics[m];
    if (v !== null) metrics[METRICS[m].fixtureKey] = v;
  }
  return { ...extra, normalize: r.normalize, nodes: r.nodes, edges: r.edges, metrics, seconds: r.seconds, details: r.details };
}

export const command: Command = {
  summary: "topometrics of a sparse network (MGE): the paper's 16 metrics, raw or normalised",
  async run(argv: string[]): Promise<number> {
    const { values: o, help } = parseCommandArgs("metrics", argv, OPTIONS, HELP);
    if (help) return 0;
    const file = o.weights ?? o.model;
    if (!file) throw new Error(`metrics: --weights (or --model) is required\n\n${HELP}`);
    const encoding = o.encoding ?? "mge";
    if (encoding !== "mge") throw new Error(`metrics: --encoding '${encoding}' is not supported by this command (only 'mge')`);
    let alignment = (o.alignment ?? "reference") as Alignment;
    if (alignment !== "reference" && alignment !== "exact") throw new Error(`metrics: --alignment must be 'reference' or 'exact', got '${o.alignment}'`);
    const motifs = o.motifs ?? "estimate";
    if (motifs !== "estimate" && motifs !== "exact") throw new Error(`metrics: --motifs must be 'estimate' or 'exact', got '${o.motifs}'`);
    const normalize = o.normalize ?? "raw";
    if (normalize !== "raw" && normalize !== "paper") throw new Error(`metrics: --normalize must be 'raw' or 'paper', got '${o.normalize}'`);
    const seed = numberOption("metrics", "seed", o.seed, 0);
    if (!Number.isInteger(seed)) throw new Error(`metrics: --seed must be an integer, got '${o.seed}'`);
    const list: MetricName[] | undefined = o.metrics
      ? o.metrics.split(",").map((s) => s.trim()).filter((s) => s.length > 0).map(parseMetricName)
      : undefined;
    if (list && list.length === 0) throw new Error("metrics: --metrics is empty");

    let graph: MgeGraph;
    let arch: string;
    const t0 = process.hrtime.bigint();
    const encodeProgress = o.progress ? terminalProgress("encode") : silentProgress;
    if (o.model !== undefined) {
      const m = loadCliModel("metrics", o);
      alignment = m.alignment;
      arch = m.architecture.name;
      graph = encodeArchitectureMge(m.architecture, m.masks, { weights: m.weights, alignment, progress: encodeProgress });
    } else {
      if (o["random-mask"] !== undefined) throw new Error("metrics: --random-mask needs --model");
      const header = readSafetensorsHeader(file);
      const metaRaw = header.__metadata__;
      const meta: Record<string, unknown> = typeof metaRaw === "object" && metaRaw !== null ? (metaRaw as Record<string, unknown>) : {};
      const named = o.arch ?? (typeof meta.architecture === "string" ? meta.architecture : undefined);
      if (!named) throw new Error(`metrics: ${file} has no architecture in its metadata; pass --arch`);
      arch = named;
      const inputSize = o["input-size"] !== undefined ? numberOption("metrics", "input-size", o["input-size"], 32, 1) : metadataNumber(meta, "input_size") ?? 32;
      const classes = o.classes !== undefined ? numberOption("metrics", "classes", o.classes, 10, 1) : metadataNumber(meta, "classes") ?? 10;
      const inputChannels = metadataNumber(meta, "in_channels");
      const spec = buildArchitecture(arch, { inputSize, classes, ...(inputChannels ? { inputChannels } : {}) });

      const net = loadNetwork(file, spec);
      graph = encodeMge(spec, net.masks, { weights: net.weights, alignment, progress: encodeProgress });
    }
    const encodeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const r = computeTopometrics(graph, {
      metrics: list,
      motifs,
      seed,
      normalize,
      ...(o.threads !== undefined ? { threads: numberOption("metrics", "threads", o.threads, 1, 1, 2) } : {}),
      progress: o.progress ? terminalProgress("metrics") : silentProgress,
    });
    if (o.json) {
      const out = topometricsJson(r, { network: file, architecture: arch, encoding, alignment, motifMode: motifs, seed, encodeSeconds });
      process.stdout.write(JSON.stringify(out) + "\n");
      return 0;
    }
    const lines = [`${file}: ${arch}, MGE (${alignment}), ${r.nodes} nodes, ${r.edges} edges, encoded in ${encodeSeconds.toFixed(2)} s`];
    for (const m of METRIC_NAMES) {
      const v = r.metrics[m];
      if (v === null) continue;
      const step = METRICS[m].step;
      const s = r.seconds[step];
      lines.push(`  ${METRICS[m].fixtureKey.padEnd(26)} ${String(v).padStart(24)}   ${s !== undefined ? `${s.toFixed(3)} s (${step})` : ""}`);
    }
    if (normalize === "paper") lines.push("  (normalised as in the released unrolled.csv)");
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};
