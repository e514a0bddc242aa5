import type { SparseModel } from "../nn/model-api";
import { withNativeThreads } from "../nn/native";
import type { ArchSpec } from "../nn/spec";
import { isDagSpec, type DagSpec } from "../nn/dag";
import { requireArchSpec } from "../nn/architecture";
import type { Progress } from "../util/progress";
import type { PruneData } from "./data";
import { dsrDst } from "./dsr";
import type { DstConfig, DstHook } from "./dst";
import { pruneEr } from "./er";
import { pruneErk } from "./erk";
import { pruneGrasp } from "./grasp";
import { itopDst } from "./itop";
import { prunableLayers } from "./layers";
import { pruneProspr } from "./prospr";
import { riglDst } from "./rigl";
import { setDst } from "./set";
import { snfsDst } from "./snfs";
import { pruneSnip } from "./snip";
import { pruneSynflow } from "./synflow";
import { checkSeed, checkSparsity, type PrunableLayer, type PruneResult } from "./types";
import { pruneUniform } from "./uniform";
import { PRUNER_NAMES, isPrunerName } from "./names";

/**
 * One entry point over every pruning algorithm of the paper (reference-notes §3), by name:
 * - score-based pruning at initialisation (need a SparseModel): snip, grasp, prospr (and data),
 *   synflow (data-free);
 * - random (need only shapes: a model, an ArchSpec or a list of PrunableLayers): uniform, er, erk;
 * - dynamic sparse training: snfs, rigl, dsr, itop (+ set): the result holds the initial masks and
 *   `hook`, the TrainHook that moves them during training (pass it to the training loop).
 */

export interface PruneOptions {
  seed: number;
  /** Training data: required by snip, grasp and prospr. */
  data?: PruneData;
  /** snip (default 128), prospr (default 512) batch size. */
  batchSize?: number;
  /** synflow iterations (100). */
  iterations?: number;
  /** grasp samples per class (25). */
  samplesPerClass?: number;
  /** snip, grasp, prospr: examples per pass, overriding the memory plan (see ./memory). */
  chunkSize?: number;
  /** snip, grasp, prospr: bytes one pass may use (default: 4 GiB on wasm, half the RAM elsewhere). */
  memoryBudget?: number;
  /** prospr inner steps (3). */
  steps?: number;
  /** er / erk / uniform-init sampling (default exact counts). */
  sampling?: "exact" | "bernoulli";
  /** uniform: pool biases too, as the reference does. */
  includeBiases?: boolean;
  /** DST methods: overrides of the method's defaults (see each method's file). */
  dst?: Partial<DstConfig>;
  progress?: Progress;
  /**
   * snip, grasp, prospr: threads of the native kernels (nn/native) during this call; default: the
   * current setting (the machine's cores, or SNN_THREADS).
   */
  threads?: number;
}

export interface PruneOutcome extends PruneResult {
  /** DST methods only: the training hook that prunes and regrows during training. */
  readonly hook?: DstHook;
}

function isModel(x: unknown): x is SparseModel {
  return typeof x === "object" && x !== null && "forward" in x && "params" in x && "masks" in x;
}

function isSpec(x: unknown): x is ArchSpec {
  return typeof x === "object" && x !== null && "layers" in x && "inputSize" in x && !Array.isArray(x);
}

export function prune(name: string, target: SparseModel | ArchSpec | DagSpec | readonly PrunableLayer[], sparsity: number, options: PruneOptions): PruneOutcome {
  return withNativeThreads(options?.threads, () => pruneOnThreads(name, target, sparsity, options));
}

function pruneOnThreads(name: string, target: SparseModel | ArchSpec | DagSpec | readonly PrunableLayer[], sparsity: number, options: PruneOptions): PruneOutcome {
  const key = name.toLowerCase();
  if (!isPrunerName(key)) throw new Error(`pruning/prune: unknown pruner '${name}'; known: ${PRUNER_NAMES.join(", ")}`);
  const module = `pruning/${key}`;
  checkSparsity(module, sparsity);
  if (!options || typeof options !== "object") throw new Error(`${module}: options with a seed are required`);
  checkSeed(module, options.seed);
  const layers: readonly PrunableLayer[] = isModel(target) ? prunableLayers(target.spec) : isSpec(target) || isDagSpec(target) ? prunableLayers(target) : target;
  const needModel = (): SparseModel => {
    if (isDagSpec(target)) requireArchSpec(target, module);
    if (!isModel(target)) throw new Error(`${module}: needs a SparseModel (build one with buildModel(spec, { seed })), got ${isSpec(target) ? "an ArchSpec" : "a layer list"}`);
    return target;
  };
  const needData = (): PruneData => {
    if (!options.data) throw new Error(`${module}: needs training data (options.data)`);
    return options.data;
  };
  const seed = options.seed;
  switch (key) {
    case "snip":
      return pruneSnip(needModel(), sparsity, { seed, data: needData(), batchSize: options.batchSize, chunkSize: options.chunkSize, memoryBudget: options.memoryBudget });
    case "grasp":
      return pruneGrasp(needModel(), sparsity, { seed, data: needData(), samplesPerClass: options.samplesPerClass, chunkSize: options.chunkSize, memoryBudget: options.memoryBudget, progress: options.progress });
    case "prospr":
      return pruneProspr(needModel(), sparsity, {
        seed,
        data: needData(),
        batchSize: options.batchSize,
        steps: options.steps,
        chunkSize: options.chunkSize,
        memoryBudget: options.memoryBudget,
        progress: options.progress,
      });
    case "synflow":
      return pruneSynflow(needModel(), sparsity, { seed, iterations: options.iterations, progress: options.progress });
    case "uniform":
      return pruneUniform(layers, sparsity, { seed, includeBiases: options.includeBiases });
    case "er":
      return pruneEr(layers, sparsity, { seed, sampling: options.sampling });
    case "erk":
      return pruneErk(layers, sparsity, { seed, sampling: options.sampling });
    default: {
      const make = { snfs: snfsDst, rigl: riglDst, dsr: dsrDst, itop: itopDst, set: setDst }[key];
      const { result, hook, config } = make(layers, sparsity, { seed, ...options.dst });
      return {
        ...result,
        info: { ...result.info, ...Object.fromEntries(Object.entries(config).map(([k, v]) => [`dst.${k}`, v as string | number])) },
        hook,
      };
    }
  }
}
