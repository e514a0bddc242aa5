/** Public API of the pruning stage (re-exported by src/index.ts). */
export type { PrunableLayer, LayerDensity, DensityReport, PruneResult } from "./types";
export { prunableLayers, totalWeights } from "./layers";
export { maskDensity, sparsityOf } from "./density";
export { selectGlobal, exactRandomMask, bernoulliMask, allocate } from "./scores";
export { arrayPruneData, datasetPruneData, splitBatch, type PruneData, type PruneBatch, type ArrayDataOptions } from "./data";
export { applyMasks, masksToTf, toTorchData, fromTorchData } from "./tf-util";
export { pruneUniform, type UniformOptions } from "./uniform";
export { pruneEr, erDensities, type ErOptions, type ErDensities } from "./er";
export { pruneErk, erkDensities, type ErkOptions, type ErkDensities } from "./erk";
export { pruneSnip, snipScores, type SnipOptions } from "./snip";
export { pruneGrasp, graspHg, type GraspOptions } from "./grasp";
export { pruneSynflow, synflowScores, type SynflowOptions } from "./synflow";
export { pruneProspr, prosprScores, prosprScoresChunked, type ProsprOptions } from "./prospr";
export {
  planChunks,
  planInfo,
  estimatePassBytes,
  activationFloats,
  parameterFloats,
  memoryBudget,
  balancedChunks,
  hasBatchNorm,
  type PassKind,
  type ChunkPlan,
  type MemoryOptions,
} from "./memory";
export { DstHook, makeDst, dstInitialMasks, type DstConfig, type DstOptions, type DstUpdate } from "./dst";
export { SET_DEFAULTS, setDst } from "./set";
export { RIGL_DEFAULTS, riglDst } from "./rigl";
export { SNFS_DEFAULTS, snfsDst } from "./snfs";
export { DSR_DEFAULTS, dsrDst } from "./dsr";
export { ITOP_DEFAULTS, itopDst } from "./itop";
export { prune, type PruneOptions, type PruneOutcome } from "./prune";
export * from "./catalogue";
