import { numel } from "../nn/tensors";
import { Rng } from "../util/rng";
import { checkLayers } from "./layers";
import { makeResult } from "./result";
import { bernoulliMask, exactRandomMask } from "./scores";
import { checkSeed, checkSparsity, type PrunableLayer, type PruneResult } from "./types";

/**
 * Erdős–Rényi (ER) random pruning as in SET (Mocanu et al., Nat. Commun. 2018) and the reference's
 * `sparselearning/core.py` (`mode == 'ER'`; reference-notes §3 and Appendix B item 7).
 *
 * Definition: layer l keeps p_l = ε · Σ(dims of W_l) / Π(dims of W_l) of its weights (conv
 * [out, in, k, k] gives out + in + k + k), with one ε for the whole network.
 *
 * The reference's quirks are reproduced on purpose, because the paper's ER networks have them:
 * 1. ε search: start at 10 with step factor 0.5; each round computes C(ε) = Σ ε·Σdims, then
 *    multiplies ε by (1 − f) if C > target else (1 + f), and decays f by 0.95; it stops when the
 *    C it computed is within ±5 weights of the target. Because ε is changed once more *after* the
 *    tested C met the tolerance, the final ε gives fewer weights than the target (about 2–3 %).
 * 2. No cap: p_l > 1 just means "dense" (torch.rand < p), and the excess is not redistributed.
 *    At low sparsities the small layers (first conv, 1×1 shortcuts, classifier) saturate, so the
 *    realised sparsity is *above* the target (reference-notes §5.2: 0.6 → 0.62–0.65).
 * The realised density is counted from the masks and reported, as the reference's CSVs do; it is
 * not forced to the target.
 *
 * Sampling: `exact` (default) keeps round(min(1, p_l) · n_l) weights of each layer at random
 * positions, so per-layer densities equal the formula up to rounding; `bernoulli` draws each weight
 * independently with probability p_l like the reference's `torch.rand(shape) < p`.
 */
export interface ErOptions {
  seed: number;
  sampling?: "exact" | "bernoulli";
}

export interface ErDensities {
  /** ε after the reference's search, including its one extra update. */
  readonly epsilon: number;
  /** Uncapped p_l = ε · Σdims / numel (may exceed 1). */
  readonly probabilities: readonly number[];
  /** min(1, p_l). */
  readonly densities: readonly number[];
  /** Σ min(1, p_l)·n_l / N: what the masks realise in expectation. */
  readonly expectedDensity: number;
  readonly searchRounds: number;
}

/** The reference's ε search and the resulting layer probabilities (no randomness). */
export function erDensities(layers: readonly PrunableLayer[], sparsity: number): ErDensities {
  const module = "pruning/er";
  checkSparsity(module, sparsity);
  checkLayers(module, layers);
  const density = 1 - sparsity;
  let total = 0;
  for (const l of layers) total += numel(l.shape);
  const target = total * density;
  const tolerance = 5;
  let current = 0;
  let epsilon = 10.0;
  let growth = 0.5;
  let rounds = 0;
  while (!(current + tolerance > target && current - tolerance < target)) {
    if (++rounds > 100000) {
      throw new Error(`${module}: ε search did not reach ±${tolerance} weights of the target ${target} (sparsity ${sparsity})`);
    }
    let nz = 0;
    for (const l of layers) nz += epsilon * sumDims(l.shape);
    current = nz;
    if (current > target) epsilon *= 1.0 - growth;
    else epsilon *= 1.0 + growth;
    growth *= 0.95;
  }
  const probabilities = layers.map((l) => (epsilon * sumDims(l.shape)) / numel(l.shape));
  const densities = probabilities.map((p) => Math.min(1, p));
  let kept = 0;
  for (let i = 0; i < layers.length; i++) kept += densities[i] * numel(layers[i].shape);
  return { epsilon, probabilities, densities, expectedDensity: kept / total, searchRounds: rounds };
}

export function pruneEr(layers: readonly PrunableLayer[], sparsity: number, options: ErOptions): PruneResult {
  const module = "pruning/er";
  checkSeed(module, options.seed);
  const d = erDensities(layers, sparsity);
  const rng = new Rng(options.seed);
  const sampling = options.sampling ?? "exact";
  const data = layers.map((l, i) => {
    const n = numel(l.shape);
    return sampling === "bernoulli" ? bernoulliMask(n, d.probabilities[i], rng) : exactRandomMask(n, Math.round(d.densities[i] * n), rng);
  });
  let saturated = 0;
  for (const p of d.probabilities) if (p >= 1) saturated++;
  return makeResult("er", layers, data, sparsity, options.seed, {
    epsilon: d.epsilon,
    expectedDensity: d.expectedDensity,
    saturatedLayers: saturated,
    sampling,
  });
}

function sumDims(shape: readonly number[]): number {
  let s = 0;
  for (const d of shape) s += d;
  return s;
}
