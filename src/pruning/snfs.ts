import { makeDst, type DstConfig, type DstOptions } from "./dst";
import type { PrunableLayer } from "./types";

/**
 * SNFS: sparse networks from scratch / sparse momentum (Dettmers & Zettlemoyer, arXiv 1907.04840,
 * 2019). Not in the released reference code; the defaults are the reference's leftovers
 * (reference-notes §3: `add_sparse_args_SNFS` in utils/pai/random.py and the `Masking` class in
 * sparselearning/core.py), which are also the paper's:
 * - init ERK (`--sparse-init ERK` in random.py; core.py's copy says uniform).
 * - prune rate 0.5 with cosine decay to eta_min 0.005 (`CosineDecay`).
 * - ΔT = 100 steps (`prune_every_k_steps = 100`); updates until the end of training.
 * - prune per-layer magnitude; redistribute the removed count across layers in proportion to the
 *   mean |momentum| of each layer's active weights; grow where |momentum| is largest.
 */
export const SNFS_DEFAULTS: DstConfig = {
  init: "erk",
  pruneRate: 0.5,
  decay: "cosine",
  etaMin: 0.005,
  updateEvery: 100,
  stopFraction: 1,
  prune: "magnitude",
  growth: "momentum",
  redistribution: "momentum",
};

export function snfsDst(layers: readonly PrunableLayer[], sparsity: number, options: DstOptions) {
  return makeDst("snfs", SNFS_DEFAULTS, layers, sparsity, options);
}
