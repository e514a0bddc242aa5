/**
 * One entry point over every pruning algorithm of the paper (reference-notes §3), by name:
 * - score-based pruning at initialisation (need a SparseModel): snip, grasp, prospr (and data),
 *   synflow (data-free);
 * - random (need only shapes: a model, an ArchSpec or a list of PrunableLayers): uniform, er, erk;
 * - dynamic sparse training: snfs, rigl, dsr, itop (+ set): the result holds the initial masks and
 *   `hook`, the TrainHook that moves them during training (pass it to the training loop);
 * - magnitude (global threshold) and magnitude-layerwise: shapes plus `options.weights`, so they
 *   prune trained or imported networks (any architecture, DAGs included).
 * The call is validated once against the pruner catalogue (./catalogue.ts) and run through the
 * registry (./registry.ts).
 */
import type { SparseModel } from "../nn/model-api";
import type { ArchSpec } from "../nn/spec";
import type { WeightMap } from "../nn/tensors";
import { isDagSpec, type DagSpec } from "../nn/dag";
import { requireArchSpec } from "../nn/architecture";
import { withNativeThreads } from "../nn/native/index";
import { prunerInfo } from "./catalogue";
import type { PruneData } from "./data";
import { prunableLayers } from "./layers";
import { PRUNER_REGISTRY, type PruneOptions, type PruneOutcome } from "./registry";
import { checkSeed, checkSparsity, type PrunableLayer } from "./types";

export type { PruneOptions, PruneOutcome } from "./registry";

function isModel(x: unknown): x is SparseModel {
  return typeof x === "object" && x !== null && "forward" in x && "params" in x && "masks" in x;
}

function isSpec(x: unknown): x is ArchSpec {
  return typeof x === "object" && x !== null && "layers" in x && "inputSize" in x && !Array.isArray(x);
}

/**
 * Prunes `target` to `sparsity` with the named algorithm.
 * @example
 *   const model = buildModel(buildArchitecture("conv6"), { seed: 0 });
 *   const { masks, density, hook } = prune("snip", model, 0.9, { seed: 0, data: datasetPruneData(train) });
 *   applyMasks(model, masks);
 * @throws on an unknown pruner, a sparsity outside (0, 1), a bad seed, a pruner that needs a model
 *   given only shapes, a data-driven pruner given no `data`, or a magnitude pruner given no `weights`.
 */
export function prune(name: string, target: SparseModel | ArchSpec | DagSpec | readonly PrunableLayer[], sparsity: number, options: PruneOptions): PruneOutcome {
  return withNativeThreads(options?.threads, () => pruneOnThreads(name, target, sparsity, options));
}

function pruneOnThreads(name: string, target: SparseModel | ArchSpec | DagSpec | readonly PrunableLayer[], sparsity: number, options: PruneOptions): PruneOutcome {
  const info = prunerInfo(name, "pruning/prune");
  const module = `pruning/${info.name}`;
  checkSparsity(module, sparsity);
  if (!options || typeof options !== "object") throw new Error(`${module}: options with a seed are required`);
  checkSeed(module, options.seed);
  const layers: readonly PrunableLayer[] = isModel(target) ? prunableLayers(target.spec) : isSpec(target) || isDagSpec(target) ? prunableLayers(target) : target;
  if ((info.needs === "data" || info.needs === "model") && !isModel(target)) {
    if (isDagSpec(target)) requireArchSpec(target, module);
    throw new Error(`${module}: needs a SparseModel (build one with buildModel(spec, { seed })), got ${isSpec(target) ? "an ArchSpec" : "a layer list"}`);
  }
  if (info.needs === "data" && !options.data) throw new Error(`${module}: needs training data (options.data)`);
  if (info.needs === "weights" && !options.weights) throw new Error(`${module}: needs the network's weights (options.weights, PyTorch layout, e.g. loadModel(file).weights)`);
  // Entries only read `model` / `data` / `weights` where the catalogue says they are needed, which was checked above.
  return PRUNER_REGISTRY[info.name]({ layers, model: target as SparseModel, data: options.data as PruneData, weights: options.weights as WeightMap }, sparsity, options);
}
