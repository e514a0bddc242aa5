import type { PrunableWeight } from "../nn/architectures";
import type { MaskMap } from "../nn/tensors";

/**
 * Shared types of the pruning stage. Every pruner, data-free or score-based, returns host masks in
 * PyTorch layout (the hand-off format of src/nn/tensors.ts), keyed by the weight's state_dict name,
 * together with the density it actually realised. A pruner never reports the density it aimed for:
 * ER and DSR are known to miss their target in the reference, and the report says by how much.
 */

/**
 * One prunable weight tensor: every conv, shortcut-conv and linear weight (reference-notes §3) —
 * the architecture's PrunableWeight (src/nn/architectures.ts) without what pruning does not need,
 * so a hand-written layer list needs only name, PyTorch shape and role.
 */
export type PrunableLayer = Pick<PrunableWeight, "name" | "shape" | "role" | "biasShape">;

export interface LayerDensity {
  readonly name: string;
  /** kept / total. */
  readonly density: number;
  readonly kept: number;
  readonly total: number;
}

/** Density counted from the masks themselves (never from the target). */
export interface DensityReport {
  /** Σ kept / Σ total over all prunable weights. */
  readonly global: number;
  readonly perLayer: readonly LayerDensity[];
}

export interface PruneResult {
  /** Masks by weight name, PyTorch layout, 1 = kept. */
  readonly masks: MaskMap;
  readonly density: DensityReport;
  /** The algorithm's name as given to `prune`. */
  readonly method: string;
  /** Requested sparsity (1 − requested density). */
  readonly sparsity: number;
  readonly seed: number;
  /** Algorithm-specific facts worth recording (ε of ER/ERK, dense layers, iterations, …). */
  readonly info: Readonly<Record<string, number | string | boolean>>;
}

/** Checks a requested sparsity; `module` names the caller in the message. */
export function checkSparsity(module: string, sparsity: number): void {
  if (typeof sparsity !== "number" || !Number.isFinite(sparsity) || !(sparsity > 0 && sparsity < 1)) {
    throw new Error(`${module}: sparsity must be a number in the open interval (0, 1), got ${String(sparsity)}`);
  }
}

/** Checks a seed (any finite number; the Rng floors it). */
export function checkSeed(module: string, seed: number): void {
  if (typeof seed !== "number" || !Number.isFinite(seed)) {
    throw new Error(`${module}: seed must be a finite number, got ${String(seed)}`);
  }
}
