import { makeDst, type DstConfig, type DstOptions } from "./dst";
import type { PrunableLayer } from "./types";

/**
 * RigL: rigging the lottery (Evci, Gale, Menick, Castro & Elsen, ICML 2020). Not in the released
 * reference code (reference-notes §3: "hyper-parameters unknown"), so the paper's are used:
 * - init ERK (the paper's best-performing distribution; its uniform variant keeps the first layer dense).
 * - drop fraction α = 0.3 with cosine decay f(t) = α/2·(1 + cos(πt/T_end)) (etaMin 0).
 * - ΔT = 100 steps, T_end = 0.75 of training (no updates in the last quarter).
 * - drop: per-layer smallest |w|; grow: per layer, the same number of inactive connections with the
 *   largest |dense gradient| (ctx.denseGrads), initialised to 0.
 */
export const RIGL_DEFAULTS: DstConfig = {
  init: "erk",
  pruneRate: 0.3,
  decay: "cosine",
  etaMin: 0,
  updateEvery: 100,
  stopFraction: 0.75,
  prune: "magnitude",
  growth: "gradient",
  redistribution: "none",
};

export function riglDst(layers: readonly PrunableLayer[], sparsity: number, options: DstOptions) {
  return makeDst("rigl", RIGL_DEFAULTS, layers, sparsity, options);
}
