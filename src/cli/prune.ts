/**
 * `snn-topology prune`: builds an architecture at its seeded Kaiming-normal initialisation, prunes it
 * with one of the paper's algorithms and writes the masked weights, the masks and the metadata as
 * safetensors (the layout of the reference fixtures, readable by `snn-topology metrics`).
 */
import type { Command } from "./main";
import { numberOption, parseCommandArgs, threadsOption } from "./args";
import { terminalProgress } from "../util/progress";
import { MODEL_PRUNERS, type PrunerInfo } from "../pruning/catalogue";

const HELP = `usage: snn-topology prune --arch NAME --pruner NAME --sparsity S --out FILE.safetensors [options]
       snn-topology prune --model FILE.onnx|NAME --pruner ${MODEL_PRUNERS.join("|")} --sparsity S --out FILE.safetensors

Prunes a freshly initialised network (seeded Kaiming-normal weights, zero biases) and writes the
masked weights, '<name>_mask' tensors and metadata (architecture, input_size, in_channels, classes,
pruner, sparsity, seed, realised density) as safetensors.

pruners: snip, grasp, synflow, prospr (score-based; snip/grasp/prospr need --dataset),
         uniform, er, erk (random), snfs, rigl, dsr, itop, set (dynamic sparse training: the
         file holds the method's initial masks; the topology moves during training),
         magnitude, magnitude-layerwise (the largest |w|: of the initial weights, or of --model's)

your own network:
  --model FILE|NAME   an .onnx / .onnx.gz file (its initializers are the weights) or a built-in /
                      torchvision name (resnet18, resnet50, …; Kaiming-normal weights seeded by --seed);
                      --weights FILE (.pt/.pth/.safetensors) replaces the weights. Shape-only and
                      magnitude pruners only: ${MODEL_PRUNERS.join(", ")}.
                      The file holds the masked weights and '<name>_mask' tensors under the model's
                      layer names; read it back with encode/metrics --model FILE --weights OUT.
  --weights FILE      with --model: weights to prune
  --input-size N      with --model: input side for a symbolic ONNX input or a built-in

options:
  --arch NAME         conv6, resnet20, resnet32, wrn28-2, mobilenetv2, lenet300-100, lenet5 (required)
  --pruner NAME       algorithm (required)
  --sparsity S        target sparsity in (0, 1) (required)
  --out FILE          output safetensors (required)
  --seed N            seed of the initialisation, the pruning batches and the masks (default 0)
  --dataset NAME      fashion-mnist (Debian's dataset-fashion-mnist), cifar10, cifar100
                      (SNN_CIFAR10 / SNN_CIFAR100 folders); default: fashion-mnist for the
                      28×28 LeNets, none otherwise. The input size, channels and classes follow it.
  --width X           width multiplier of the architecture (default 1)
  --batch-size N      snip (default 128) / prospr (default 512) batch size
  --iterations N      synflow iterations (default 100)
  --samples-per-class N  grasp (default 25)
  --memory-budget MIB snip / grasp / prospr: MiB one pass may use; the batch is split into
                      chunks that fit (default: 4096 on wasm, half the RAM on other backends)
  --threads N         snip / grasp / prospr: threads of the native (oneDNN) kernels (default: the machine's cores)
  --json              print the density report as JSON
  --progress          progress bar on stderr (synflow)
`;

const OPTIONS = {
  model: { type: "string" },
  weights: { type: "string" },
  "input-size": { type: "string" },
  arch: { type: "string" },
  pruner: { type: "string" },
  sparsity: { type: "string" },
  out: { type: "string" },
  seed: { type: "string" },
  dataset: { type: "string" },
  width: { type: "string" },
  "batch-size": { type: "string" },
  iterations: { type: "string" },
  "samples-per-class": { type: "string" },
  "memory-budget": { type: "string" },
  threads: { type: "string" },
  json: { type: "boolean" },
  progress: { type: "boolean" },
} as const;

export const command: Command = {
  summary: "prune a freshly initialised network with one of the paper's algorithms; write safetensors",
  async run(argv: string[]): Promise<number> {
    const { values: v, help } = parseCommandArgs("prune", argv, OPTIONS, HELP);
    if (help) return 0;
    if (v.model !== undefined) return pruneModel(v);
    if (v.weights !== undefined || v["input-size"] !== undefined) throw new Error("prune: --weights and --input-size go with --model");
    for (const req of ["arch", "pruner", "sparsity", "out"] as const) {
      if (v[req] === undefined) throw new Error(`prune: --${req} is required\n\n${HELP.trimEnd()}`);
    }
    // heavy modules only after the arguments are known to be sane
    const { prune, applyMasks, datasetPruneData, isPrunerName, PRUNERS, PRUNER_NAMES } = require("../pruning/index") as typeof import("../pruning/index");
    const pruner = String(v.pruner).toLowerCase();
    if (!isPrunerName(pruner)) throw new Error(`prune: unknown --pruner '${v.pruner}'; known: ${PRUNER_NAMES.join(", ")}`);
    const described: PrunerInfo = PRUNERS[pruner];
    const sparsity = Number(v.sparsity);
    if (!(Number.isFinite(sparsity) && sparsity > 0 && sparsity < 1)) throw new Error(`prune: --sparsity must be a number in (0, 1), got '${v.sparsity}'`);
    const seed = numberOption("prune", "seed", v.seed, 0, 0);
    const width = numberOption("prune", "width", v.width, 1, 1e-6);
    const batchSize = v["batch-size"] === undefined ? undefined : numberOption("prune", "batch-size", v["batch-size"], 128, 1);
    const iterations = v.iterations === undefined ? undefined : numberOption("prune", "iterations", v.iterations, 100, 1);
    const samplesPerClass = v["samples-per-class"] === undefined ? undefined : numberOption("prune", "samples-per-class", v["samples-per-class"], 25, 1);
    const budgetRaw = v["memory-budget"];
    let memoryBudget: number | undefined;
    if (budgetRaw !== undefined) {
      const mib = Number(budgetRaw);
      if (!(budgetRaw.trim() !== "" && Number.isFinite(mib) && mib > 0)) throw new Error(`prune: --memory-budget must be a positive number of MiB, got '${budgetRaw}'`);
      if (!described.memoryBudget) throw new Error(`prune: --memory-budget applies to ${PRUNER_NAMES.filter((p) => PRUNERS[p].memoryBudget).join(", ")} only, not '${pruner}'`);
      memoryBudget = mib * 1024 ** 2;
    }

    const { buildArchitecture, canonicalArchitectureName } = require("../nn/architectures") as typeof import("../nn/architectures");
    const arch = canonicalArchitectureName(String(v.arch));
    const datasetName = v.dataset ?? (arch === "lenet5" || arch === "lenet300-100" ? "fashion-mnist" : undefined);
    const needsData = described.needs === "data";
    if (needsData && !datasetName) throw new Error(`prune: --pruner ${pruner} needs training data: pass --dataset`);

    const { loadDataset, parseDatasetName } = require("../io/datasets") as typeof import("../io/datasets");
    const train = datasetName ? loadDataset(parseDatasetName(datasetName, "prune: --dataset"), "train") : undefined;
    const spec = buildArchitecture(arch, {
      widthMultiplier: width,
      ...(train ? { inputSize: train.height, inputChannels: train.channels, classes: train.classes } : {}),
    });

    const { initBackend, describeBackend } = require("../nn/backend") as typeof import("../nn/backend");
    const info = await initBackend();
    const { buildModel, modelToHost } = require("../nn/model") as typeof import("../nn/model");
    const model = buildModel(spec, { seed });
    const t0 = Date.now();
    const threads = threadsOption("prune", v.threads);
    const result = prune(pruner, model, sparsity, {
      seed,
      ...(threads !== undefined ? { threads } : {}),
      data: train && needsData ? datasetPruneData(train) : undefined,
      weights: described.needs === "weights" ? modelToHost(model).weights : undefined,
      batchSize,
      iterations,
      samplesPerClass,
      memoryBudget,
      progress: v.progress ? terminalProgress(`synflow ${arch}`) : undefined,
    });
    const seconds = (Date.now() - t0) / 1000;
    applyMasks(model, result.masks);
    const host = modelToHost(model);
    const { saveNetwork } = require("../io/network-file") as typeof import("../io/network-file");
    const metadata: Record<string, string> = {
      architecture: arch,
      input_size: String(spec.inputSize),
      in_channels: String(spec.inputChannels),
      classes: String(spec.classes),
      width_multiplier: String(width),
      pruner,
      sparsity: String(sparsity),
      seed: String(seed),
      realised_density: String(result.density.global),
      dataset: datasetName ?? "none",
      backend: describeBackend(info),
      source: "snn-topology prune (seeded Kaiming-normal initialisation, pruned at initialisation)",
    };
    saveNetwork(String(v.out), host.weights, host.masks, metadata);
    model.dispose();
    if (v.json) {
      process.stdout.write(JSON.stringify({ ...metadata, seconds, density: result.density, info: result.info }, null, 2) + "\n");
    } else {
      const lines = [
        `${pruner} on ${arch} (${spec.inputSize}×${spec.inputSize}×${spec.inputChannels}, ${spec.classes} classes), seed ${seed}: ${seconds.toFixed(1)} s`,
        `requested sparsity ${sparsity}, realised ${(1 - result.density.global).toFixed(6)}`,
        ...result.density.perLayer.map((l) => `  ${l.name.padEnd(32)} ${String(l.kept).padStart(9)} / ${String(l.total).padEnd(9)} density ${l.density.toFixed(4)}`),
        `wrote ${v.out}`,
      ];
      process.stdout.write(lines.join("\n") + "\n");
    }
    return 0;
  },
};

type PruneValues = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>["values"];

/** `prune --model`: shape-only and magnitude pruners on an imported DAG or a named architecture. */
function pruneModel(v: PruneValues): number {
  for (const req of ["pruner", "sparsity", "out"] as const) {
    if (v[req] === undefined) throw new Error(`prune: --${req} is required\n\n${HELP.trimEnd()}`);
  }
  const pruner = String(v.pruner).toLowerCase();
  if (!(MODEL_PRUNERS as readonly string[]).includes(pruner)) {
    throw new Error(`prune: --pruner ${pruner} with --model: only ${MODEL_PRUNERS.join(", ")} (the data-driven pruners need a tfjs model of a built-in architecture: use --arch)`);
  }
  const sparsity = Number(v.sparsity);
  if (!(Number.isFinite(sparsity) && sparsity > 0 && sparsity < 1)) throw new Error(`prune: --sparsity must be a number in (0, 1), got '${v.sparsity}'`);
  const seed = numberOption("prune", "seed", v.seed, 0, 0);
  const { loadCliModel } = require("./model-option") as typeof import("./model-option");
  const { prune } = require("../pruning/index") as typeof import("../pruning/index");
  const m = loadCliModel("prune", { model: v.model, weights: v.weights, seed: v.seed, "input-size": v["input-size"] }, false);
  const t0 = Date.now();
  // The shape-only pruners ignore the weights; the magnitude pruners read them.
  const result = prune(pruner, m.architecture, sparsity, { seed, weights: m.weights });
  const seconds = (Date.now() - t0) / 1000;
  const masked = new Map([...m.weights].map(([name, w]) => {
    const mask = result.masks.get(name);
    return [name, mask ? { shape: w.shape, data: w.data.map((x, i) => (mask.data[i] ? x : 0)) } : w] as const;
  }));
  const { saveNetwork } = require("../io/network-file") as typeof import("../io/network-file");
  const metadata: Record<string, string> = {
    model: String(v.model),
    architecture: m.architecture.name,
    pruner,
    sparsity: String(sparsity),
    seed: String(seed),
    realised_density: String(result.density.global),
    source: `snn-topology prune --model (${m.label})`,
  };
  saveNetwork(String(v.out), masked, result.masks, metadata);
  if (v.json) process.stdout.write(JSON.stringify({ ...metadata, seconds, density: result.density, info: result.info }, null, 2) + "\n");
  else {
    const lines = [
      `${pruner} on ${m.architecture.name}, seed ${seed}: ${seconds.toFixed(1)} s`,
      `requested sparsity ${sparsity}, realised ${(1 - result.density.global).toFixed(6)}`,
      ...result.density.perLayer.map((l) => `  ${l.name.padEnd(32)} ${String(l.kept).padStart(9)} / ${String(l.total).padEnd(9)} density ${l.density.toFixed(4)}`),
      `wrote ${v.out}`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
  }
  return 0;
}
