/**
 * The pruner registry: how `prune` runs each algorithm of the catalogue (./catalogue.ts), as one
 * entry per pruner that maps the common options onto the algorithm's own. `prune` has already
 * validated the call against the catalogue (name, sparsity, seed, model and data where needed),
 * so an entry only forwards. The record type makes a catalogue name without an entry a type error.
 */
import type { SparseModel } from "../nn/model-api";
import type { PrunerName } from "./catalogue";
import type { PruneData } from "./data";
import type { DstConfig, DstHook } from "./dst";
import type { PrunableLayer, PruneResult } from "./types";
import type { Progress } from "../util/progress";
import type { WeightMap } from "../nn/tensors";
import { pruneMagnitude } from "./magnitude";
import { dsrDst } from "./dsr";
import { pruneEr } from "./er";
import { pruneErk } from "./erk";
import { pruneGrasp } from "./grasp";
import { itopDst } from "./itop";
import { pruneProspr } from "./prospr";
import { riglDst } from "./rigl";
import { setDst } from "./set";
import { snfsDst } from "./snfs";
import { pruneSnip } from "./snip";
import { pruneSynflow } from "./synflow";
import { pruneUniform } from "./uniform";

export interface PruneOptions {
  seed: number;
  /** Training data: required by the pruners whose catalogue entry needs "data" (snip, grasp, prospr). */
  data?: PruneData;
  /** The network's weights (PyTorch layout): required by the pruners whose catalogue entry needs "weights" (magnitude, magnitude-layerwise). */
  weights?: WeightMap;
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

/** What a validated call hands an entry: the model, data and weights exist when the catalogue says they are needed. */
export interface PrunerTarget {
  readonly layers: readonly PrunableLayer[];
  readonly model: SparseModel;
  readonly data: PruneData;
  readonly weights: WeightMap;
}

export type PrunerRun = (t: PrunerTarget, sparsity: number, o: PruneOptions) => PruneOutcome;

type DstFactory = typeof setDst;
const dstEntry = (make: DstFactory): PrunerRun => (t, sparsity, o) => {
  const { result, hook, config } = make(t.layers, sparsity, { seed: o.seed, ...o.dst });
  return {
    ...result,
    info: { ...result.info, ...Object.fromEntries(Object.entries(config).map(([k, v]) => [`dst.${k}`, v as string | number])) },
    hook,
  };
};

export const PRUNER_REGISTRY: Readonly<Record<PrunerName, PrunerRun>> = {
  snip: (t, s, o) => pruneSnip(t.model, s, { seed: o.seed, data: t.data, batchSize: o.batchSize, chunkSize: o.chunkSize, memoryBudget: o.memoryBudget }),
  grasp: (t, s, o) => pruneGrasp(t.model, s, { seed: o.seed, data: t.data, samplesPerClass: o.samplesPerClass, chunkSize: o.chunkSize, memoryBudget: o.memoryBudget, progress: o.progress }),
  synflow: (t, s, o) => pruneSynflow(t.model, s, { seed: o.seed, iterations: o.iterations, progress: o.progress }),
  prospr: (t, s, o) => pruneProspr(t.model, s, { seed: o.seed, data: t.data, batchSize: o.batchSize, steps: o.steps, chunkSize: o.chunkSize, memoryBudget: o.memoryBudget, progress: o.progress }),
  uniform: (t, s, o) => pruneUniform(t.layers, s, { seed: o.seed, includeBiases: o.includeBiases }),
  er: (t, s, o) => pruneEr(t.layers, s, { seed: o.seed, sampling: o.sampling }),
  erk: (t, s, o) => pruneErk(t.layers, s, { seed: o.seed, sampling: o.sampling }),
  snfs: dstEntry(snfsDst),
  rigl: dstEntry(riglDst),
  dsr: dstEntry(dsrDst),
  itop: dstEntry(itopDst),
  set: dstEntry(setDst),
  magnitude: (t, s, o) => pruneMagnitude(t.layers, t.weights, s, { seed: o.seed, scope: "global" }),
  "magnitude-layerwise": (t, s, o) => pruneMagnitude(t.layers, t.weights, s, { seed: o.seed, scope: "layerwise" }),
};
