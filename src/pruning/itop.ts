import { makeDst, type DstConfig, type DstOptions } from "./dst";
import type { PrunableLayer } from "./types";

/**
 * ITOP: in-time over-parameterization (Liu, Yin, Mocanu & Pechenizkiy, ICML 2021; official code
 * Shiweiliuiiiiiii/In-Time-Over-Parameterization). Not in the released reference code
 * (reference-notes §3: "hyper-parameters unknown"); the defaults are the SET-ITOP command of the
 * official README (CIFAR-10, batch 128):
 * - init ERK; death (prune) rate 0.5 with cosine decay (sparselearning CosineDecay, eta_min 0.005).
 * - prune per-layer magnitude; growth random; redistribution none.
 * - ΔT = 1500 steps: the update interval is what ITOP is about — long enough that regrown weights
 *   are trained before they are judged, so that over training the network explores many more
 *   parameters than it holds at any time (the "exploration rate" R_s). With short runs scale ΔT
 *   down (the README's run is 250 epochs ≈ 97,750 steps, so 1500 is ≈ 1.5 % of training).
 */
export const ITOP_DEFAULTS: DstConfig = {
  init: "erk",
  pruneRate: 0.5,
  decay: "cosine",
  etaMin: 0.005,
  updateEvery: 1500,
  stopFraction: 1,
  prune: "magnitude",
  growth: "random",
  redistribution: "none",
};

export function itopDst(layers: readonly PrunableLayer[], sparsity: number, options: DstOptions) {
  return makeDst("itop", ITOP_DEFAULTS, layers, sparsity, options);
}
