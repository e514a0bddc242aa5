import * as tf from "@tensorflow/tfjs";
import { guardWasm } from "../nn/backend";
import type { SparseModel } from "../nn/model-api";
import { crossEntropy } from "../nn/gradients";
import { Rng } from "../util/rng";
import type { PruneData } from "./data";
import { numel } from "../nn/tensors";
import { makeResult } from "./result";
import { selectGlobal } from "./scores";
import { currentMasks, modelLayers, toTorchData, withWeights } from "./tf-util";
import { checkSeed, checkSparsity, type PruneResult } from "./types";

/**
 * SNIP: single-shot network pruning by connection sensitivity (Lee, Ajanthan & Torr, ICLR 2019;
 * reference `utils/pai/snip.py`, reference-notes §3).
 *
 * Score: s = |∂L/∂m| at m = 1, where every prunable weight is multiplied by a mask m and L is the
 * mean cross-entropy of one training batch (network in training mode, so BatchNorm uses batch
 * statistics as in the reference). This equals |w ⊙ ∂L/∂w|. The reference divides by Σ s, which
 * does not change the ranking. Keeps the top ⌊n·(1 − s)⌋ scores over all prunable weights
 * (exactly that many; ties broken at random with the seed, see ./scores).
 *
 * Cost: one forward + backward pass on one batch.
 */
export interface SnipOptions {
  seed: number;
  data: PruneData;
  /** Reference: the training loader's batch, 128. */
  batchSize?: number;
}

export function snipScores(model: SparseModel, x: tf.Tensor4D, y: tf.Tensor2D): tf.Tensor[] {
  const names = model.prunable;
  return tf.tidy(() => {
    const W = names.map((n) => tf.mul(model.params.get(n)!, currentMasks(model, [n])[0]));
    const ones = W.map((w) => tf.onesLike(w));
    const loss = (...m: tf.Tensor[]): tf.Scalar =>
      crossEntropy(model.forward(x, { training: true }, withWeights(model, names, W.map((w, i) => tf.mul(w, m[i])))), y);
    return tf.grads(loss)(ones).map((g) => tf.abs(g));
  });
}

export function pruneSnip(model: SparseModel, sparsity: number, options: SnipOptions): PruneResult {
  const module = "pruning/snip";
  checkSparsity(module, sparsity);
  checkSeed(module, options.seed);
  const layers = modelLayers(model);
  const rng = new Rng(options.seed);
  const batch = options.data.batch(options.batchSize ?? 128, rng);
  let scores: Float32Array[];
  try {
    const s = guardWasm(`pruning/snip on ${model.spec.name} (batch ${batch.x.shape[0]})`, () => snipScores(model, batch.x, batch.y));
    scores = s.map((t, i) => toTorchData(layers[i].name, t, layers[i].shape));
    tf.dispose(s);
  } finally {
    tf.dispose([batch.x, batch.y]);
  }
  let n = 0;
  for (const l of layers) n += numel(l.shape);
  const keep = Math.floor(n * (1 - sparsity));
  return makeResult("snip", layers, selectGlobal(scores, keep, rng, "largest", module), sparsity, options.seed, { batchSize: options.batchSize ?? 128 });
}
