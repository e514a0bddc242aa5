import * as tf from "@tensorflow/tfjs";
import { guardWasm } from "../nn/backend";
import type { SparseModel } from "../nn/model-api";
import { crossEntropy } from "../nn/loss";
import { Rng } from "../util/rng";
import { splitBatch, type PruneBatch, type PruneData } from "./data";
import { planChunks, planInfo } from "./memory";
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
 * Memory (issue #5): the batch is split into balanced chunks when one pass over it would not fit
 * the memory budget (./memory; 4 GiB on wasm), planned before anything is allocated; the chunk
 * losses are weighted by their share of the batch and ∂L/∂m summed before |·|, which is exact for
 * networks without BatchNorm (with BatchNorm each chunk has its own batch statistics). The
 * result's info records the chunking.
 *
 * Cost: one forward + backward pass on one batch.
 */
export interface SnipOptions {
  seed: number;
  data: PruneData;
  /** Reference: the training loader's batch, 128. */
  batchSize?: number;
  /** Examples per pass, overriding the memory plan (still checked against the budget). */
  chunkSize?: number;
  /** Bytes one pass may use (default: 4 GiB on wasm, half the RAM elsewhere; see ./memory). */
  memoryBudget?: number;
}

/** |∂L/∂m| at m = 1 (tfjs layout) for the mean loss over `chunks` (one chunk: a plain batch). */
export function snipScores(model: SparseModel, x: tf.Tensor4D | readonly PruneBatch[], y?: tf.Tensor2D): tf.Tensor[] {
  const chunks: readonly PruneBatch[] = Array.isArray(x) ? x : [{ x: x as tf.Tensor4D, y: y! }];
  if (chunks.length === 0 || (!Array.isArray(x) && y === undefined)) throw new Error("pruning/snip: snipScores needs a batch (x, y) or a non-empty list of chunks");
  const names = model.prunable;
  let n = 0;
  for (const c of chunks) n += c.x.shape[0];
  const W = tf.tidy(() => names.map((nm) => tf.mul(model.params.get(nm)!, currentMasks(model, [nm])[0])));
  let acc: tf.Tensor[] | null = null;
  try {
    for (const c of chunks) {
      const share = c.x.shape[0] / n;
      const gc = tf.tidy(() => {
        const ones = W.map((w) => tf.onesLike(w));
        const loss = (...m: tf.Tensor[]): tf.Scalar =>
          tf.mul(crossEntropy(model.forward(c.x, { training: true }, withWeights(model, names, W.map((w, i) => tf.mul(w, m[i])))), c.y), share) as tf.Scalar;
        return tf.grads(loss)(ones);
      });
      if (acc === null) acc = gc;
      else {
        const prev: tf.Tensor[] = acc;
        acc = tf.tidy(() => prev.map((a, i) => tf.add(a, gc[i])));
        tf.dispose([...prev, ...gc]);
      }
    }
    const total = acc!;
    const out = tf.tidy(() => total.map((g) => tf.abs(g)));
    tf.dispose(total);
    return out;
  } finally {
    tf.dispose(W);
  }
}

export function pruneSnip(model: SparseModel, sparsity: number, options: SnipOptions): PruneResult {
  const module = "pruning/snip";
  checkSparsity(module, sparsity);
  checkSeed(module, options.seed);
  const layers = modelLayers(model);
  const batchSize = options.batchSize ?? 128;
  // planned before any tensor is allocated (a failed wasm allocation is fatal)
  const plan = planChunks(module, model.spec, "grad", batchSize, { memoryBudget: options.memoryBudget, chunkSize: options.chunkSize });
  const rng = new Rng(options.seed);
  const batch = options.data.batch(batchSize, rng);
  let chunks: PruneBatch[] = [batch];
  let scores: Float32Array[];
  try {
    chunks = splitBatch(batch, plan.sizes);
    const where = `pruning/snip on ${model.spec.name} (batch ${batchSize} in ${plan.sizes.length} chunk(s) of ≤ ${plan.chunkSize})`;
    const s = guardWasm(where, () => snipScores(model, chunks));
    scores = s.map((t, i) => toTorchData(layers[i].name, t, layers[i].shape));
    tf.dispose(s);
  } finally {
    tf.dispose([batch.x, batch.y]);
    if (chunks.length > 1) for (const c of chunks) tf.dispose([c.x, c.y]);
  }
  let n = 0;
  for (const l of layers) n += numel(l.shape);
  const keep = Math.floor(n * (1 - sparsity));
  return makeResult("snip", layers, selectGlobal(scores, keep, rng, "largest", module), sparsity, options.seed, { batchSize, ...planInfo(plan, model.spec) });
}
