/**
 * Public API of the pruning stage: `prune` over every algorithm by name (the pruner catalogue and
 * registry), the algorithms themselves, pruning data, mask application and density reports, and
 * the dynamic-sparse-training hooks.
 */
export {
  type PrunerName, type PrunerCategory, type PrunerInfo,
  PRUNERS, PRUNER_NAMES, PAPER_PRUNERS, PAI_ALGORITHMS, DST_PRUNERS, INIT_PRUNERS, MODEL_PRUNERS, PRUNER_CATEGORY, isPrunerName, prunerInfo, prunerCategory,
} from "./catalogue";
export { prune, type PruneOptions, type PruneOutcome } from "./prune";
export type { PrunableLayer, LayerDensity, DensityReport, PruneResult } from "./types";
export { prunableLayers, totalWeights } from "./layers";
export { maskDensity, sparsityOf } from "./density";
export { datasetPruneData, type PruneData, type PruneBatch } from "./data";
export { applyMasks } from "./tf-util";
export { pruneUniform, type UniformOptions } from "./uniform";
export { pruneMagnitude, type MagnitudeOptions } from "./magnitude";
export { pruneEr, erDensities, type ErOptions, type ErDensities } from "./er";
export { pruneErk, erkDensities, type ErkOptions, type ErkDensities } from "./erk";
export { pruneSnip, snipScores, type SnipOptions } from "./snip";
export { pruneGrasp, type GraspOptions } from "./grasp";
export { pruneSynflow, synflowScores, type SynflowOptions } from "./synflow";
export { pruneProspr, prosprScores, type ProsprOptions } from "./prospr";
export { memoryBudget, planChunks, type ChunkPlan, type MemoryOptions } from "./memory";
export { DstHook, type DstConfig, type DstOptions, type DstUpdate } from "./dst";
export { SET_DEFAULTS, setDst } from "./set";
export { RIGL_DEFAULTS, riglDst } from "./rigl";
export { SNFS_DEFAULTS, snfsDst } from "./snfs";
export { DSR_DEFAULTS, dsrDst } from "./dsr";
export { ITOP_DEFAULTS, itopDst } from "./itop";
