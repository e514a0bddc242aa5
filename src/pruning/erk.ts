import { numel } from "../nn/tensors";
import { Rng } from "../util/rng";
import { checkLayers } from "./layers";
import { makeResult } from "./result";
import { allocate, bernoulliMask, exactRandomMask } from "./scores";
import { checkSeed, checkSparsity, type PrunableLayer, type PruneResult } from "./types";

/**
 * Erdős–Rényi-Kernel (ERK) random pruning (Evci et al., "Rigging the Lottery", ICML 2020; reference
 * `sparselearning/core.py`, `mode == 'ERK'`, reference-notes §3).
 *
 * Definition (erk_power_scale = 1): raw_l = (Σ dims of W_l / Π dims of W_l)^1 (conv [out, in, k, k]
 * gives (out + in + k + k) / (out·in·k·k), the kernel dims included — that is the "K"). One ε scales
 * all layers: density_l = ε · raw_l, with ε solving Σ_l density_l · n_l = (1 − s) · N. If
 * ε · max raw > 1, every layer with the maximal raw_l is made dense, its weights are taken out of the
 * budget, and ε is solved again, until no layer exceeds 1:
 *   ε = (Σ_{sparse} n_l·d − Σ_{dense} n_l·(1 − d)) / Σ_{sparse} raw_l·n_l,  d = 1 − s.
 * Unlike ER the global density then equals the target exactly (Appendix B item 7).
 *
 * Sampling: `exact` (default) keeps an integer count per layer — the closed-form densities rounded by
 * largest remainder so the total is exactly round((1 − s)·N) — at random positions; `bernoulli` draws
 * each weight independently with probability density_l, like the reference's `torch.rand < p`.
 */
export interface ErkOptions {
  seed: number;
  sampling?: "exact" | "bernoulli";
  /** Exponent of raw_l; the reference uses 1. */
  powerScale?: number;
}

export interface ErkDensities {
  readonly epsilon: number;
  readonly raw: readonly number[];
  /** Closed-form per-layer densities (1 for dense layers). */
  readonly densities: readonly number[];
  readonly denseLayers: readonly string[];
}

export function erkDensities(layers: readonly PrunableLayer[], sparsity: number, powerScale = 1): ErkDensities {
  const module = "pruning/erk";
  checkSparsity(module, sparsity);
  checkLayers(module, layers);
  if (!(Number.isFinite(powerScale) && powerScale >= 0)) throw new Error(`${module}: powerScale must be ≥ 0, got ${powerScale}`);
  const density = 1 - sparsity;
  const raw = layers.map((l) => Math.pow(sumDims(l.shape) / numel(l.shape), powerScale));
  const dense = new Set<number>();
  let epsilon = 0;
  for (;;) {
    let divisor = 0;
    let rhs = 0;
    let maxRaw = -Infinity;
    for (let i = 0; i < layers.length; i++) {
      const n = numel(layers[i].shape);
      if (dense.has(i)) rhs -= n * (1 - density);
      else {
        rhs += n * density;
        divisor += raw[i] * n;
        if (raw[i] > maxRaw) maxRaw = raw[i];
      }
    }
    if (divisor === 0) throw new Error(`${module}: every layer became dense; sparsity ${sparsity} cannot be met`);
    epsilon = rhs / divisor;
    if (maxRaw * epsilon > 1) {
      for (let i = 0; i < layers.length; i++) if (!dense.has(i) && raw[i] === maxRaw) dense.add(i);
    } else break;
  }
  const densities = layers.map((_, i) => (dense.has(i) ? 1 : epsilon * raw[i]));
  return { epsilon, raw, densities, denseLayers: [...dense].sort((a, b) => a - b).map((i) => layers[i].name) };
}

export function pruneErk(layers: readonly PrunableLayer[], sparsity: number, options: ErkOptions): PruneResult {
  const module = "pruning/erk";
  checkSeed(module, options.seed);
  const d = erkDensities(layers, sparsity, options.powerScale ?? 1);
  const rng = new Rng(options.seed);
  const sampling = options.sampling ?? "exact";
  const sizes = layers.map((l) => numel(l.shape));
  let data: Uint8Array[];
  if (sampling === "bernoulli") {
    data = layers.map((_, i) => bernoulliMask(sizes[i], d.densities[i], rng));
  } else {
    let total = 0;
    for (const n of sizes) total += n;
    const counts = allocate(
      d.densities.map((p, i) => p * sizes[i]),
      sizes,
      total - Math.round(sparsity * total),
      module,
    );
    data = layers.map((_, i) => exactRandomMask(sizes[i], counts[i], rng));
  }
  return makeResult("erk", layers, data, sparsity, options.seed, {
    epsilon: d.epsilon,
    denseLayers: d.denseLayers.join(","),
    sampling,
  });
}

function sumDims(shape: readonly number[]): number {
  let s = 0;
  for (const d of shape) s += d;
  return s;
}
