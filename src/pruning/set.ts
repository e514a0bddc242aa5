import { makeDst, type DstConfig, type DstOptions } from "./dst";
import type { PrunableLayer } from "./types";

/**
 * SET: sparse evolutionary training (Mocanu et al., Nat. Commun. 9:2383, 2018). Not in the paper's
 * grid; offered for comparison.
 *
 * Defaults and their source:
 * - init ER: the SET paper's Erdős–Rényi topology (./er, with the reference's ε search).
 * - pruneRate ζ = 0.3, no decay: SET paper (fraction of weights removed and regrown each epoch).
 * - updateEvery "epoch": SET evolves the topology once per epoch.
 * - prune per-layer magnitude, random growth, no redistribution: SET removes the smallest-magnitude
 *   weights of each layer and adds the same number at random positions of that layer. (The paper
 *   removes the fraction ζ among positive and negative weights separately; the reference's
 *   leftover `magnitude_and_negativity_prune` is broken, so plain magnitude is used.)
 * The reference's leftover SET arguments (prune-rate 0.7, sparse-init uniform) are not used: SET is
 * not among its released algorithms.
 */
export const SET_DEFAULTS: DstConfig = {
  init: "er",
  pruneRate: 0.3,
  decay: "none",
  etaMin: 0,
  updateEvery: "epoch",
  stopFraction: 1,
  prune: "magnitude",
  growth: "random",
  redistribution: "none",
};

export function setDst(layers: readonly PrunableLayer[], sparsity: number, options: DstOptions) {
  return makeDst("set", SET_DEFAULTS, layers, sparsity, options);
}
