import { numel } from "../nn/tensors";
import { Rng } from "../util/rng";
import { checkLayers } from "./layers";
import { makeResult } from "./result";
import { exactRandomMask } from "./scores";
import { checkSeed, checkSparsity, type PrunableLayer, type PruneResult } from "./types";

/**
 * Uniform random pruning (reference-notes §3 "uniform"; official `utils/pai/Rand.py`): one global
 * random subset of the pooled weights is removed, so every layer ends up with about the same
 * density (hypergeometric, not exactly equal per layer).
 *
 * Biases. The reference pools conv/linear weights *and biases* in torch `global_unstructured` with
 * RandomUnstructured, removing round(s · (weights + biases)) entries. Its biases are zero and frozen
 * (`utils.init.mask_bias`), so their masks change nothing in the network; they only move the
 * realised *weight* sparsity by a little random amount. By default the pool here is the weights
 * only, so the weight sparsity is exact: round(s · N) of the N weights are removed. With
 * `includeBiases: true` the pool is the reference's (weights + the biases of layers that have
 * one); the weight density is then what the draw gives and is reported as such, and the number of
 * bias entries kept is in `info.biasKept`.
 */
export interface UniformOptions {
  seed: number;
  includeBiases?: boolean;
}

export function pruneUniform(layers: readonly PrunableLayer[], sparsity: number, options: UniformOptions): PruneResult {
  const module = "pruning/uniform";
  checkSparsity(module, sparsity);
  checkSeed(module, options.seed);
  checkLayers(module, layers);
  const rng = new Rng(options.seed);
  const sizes = layers.map((l) => numel(l.shape));
  let pool = 0;
  for (const s of sizes) pool += s;
  let biasTotal = 0;
  if (options.includeBiases) for (const l of layers) if (l.biasShape) biasTotal += numel(l.biasShape);
  const all = pool + biasTotal;
  // torch RandomUnstructured removes round(amount · n)
  const keep = all - Math.round(sparsity * all);
  const flat = exactRandomMask(all, keep, rng);
  const data: Uint8Array[] = [];
  let o = 0;
  for (const n of sizes) {
    data.push(flat.slice(o, o + n));
    o += n;
  }
  let biasKept = 0;
  for (let i = o; i < all; i++) biasKept += flat[i];
  return makeResult("uniform", layers, data, sparsity, options.seed, {
    includeBiases: !!options.includeBiases,
    poolSize: all,
    biasKept,
  });
}
