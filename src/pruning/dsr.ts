import { makeDst, type DstConfig, type DstOptions } from "./dst";
import type { PrunableLayer } from "./types";

/**
 * DSR: dynamic sparse reparameterization (Mostafa & Wang, ICML 2019). Defaults are the reference's
 * leftovers (`add_sparse_args_DSR`, reference-notes §3):
 * - init uniform; prune rate 0.3, no decay; ΔT = 100 steps (`Masking.prune_every_k_steps`).
 * - prune `global_magnitude`: the smallest-|w| active weights across all layers; regrow the same
 *   number at random positions, redistributed across layers in proportion to each layer's nonzero
 *   count (`nonzero` redistribution).
 *
 * Realised sparsity. The reference's DSR networks end far from their target (reference-notes §5.2:
 * 0.6 → 0.79–0.83), counted from the masks after training. Its adaptive-threshold search accepts
 * ±2 % of the wanted count, its per-layer regrowth is floored and drawn by Bernoulli trials, and
 * the growth loop can undershoot, so nonzeros leak at every update. This implementation removes and
 * regrows exact counts, so the count of nonzeros is constant; `DstHook.report()` gives the realised
 * density counted from the masks, which is how the reference reports it, so a drift (none here) would show.
 */
export const DSR_DEFAULTS: DstConfig = {
  init: "uniform",
  pruneRate: 0.3,
  decay: "none",
  etaMin: 0,
  updateEvery: 100,
  stopFraction: 1,
  prune: "global-magnitude",
  growth: "random",
  redistribution: "nonzero",
};

export function dsrDst(layers: readonly PrunableLayer[], sparsity: number, options: DstOptions) {
  return makeDst("dsr", DSR_DEFAULTS, layers, sparsity, options);
}
