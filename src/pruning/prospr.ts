import * as tf from "@tensorflow/tfjs";
import { guardWasm } from "../nn/backend";
import type { SparseModel } from "../nn/model-api";
import { crossEntropy } from "../nn/gradients";
import { numel } from "../nn/tensors";
import { Rng } from "../util/rng";
import type { PruneBatch, PruneData } from "./data";
import { makeResult } from "./result";
import { selectGlobal } from "./scores";
import { currentMasks, modelLayers, toTorchData } from "./tf-util";
import { checkSeed, checkSparsity, type PruneResult } from "./types";

/**
 * ProsPr: prospect pruning (Alizadeh et al., ICLR 2022; reference `utils/pai/Prospr/prospr.py`,
 * reference-notes §3).
 *
 * Score: |∂L_K/∂m| at m = 1, where the masked network θ₀ ⊙ m takes K inner steps of SGD with
 * momentum on *all* parameters (biases and BatchNorm too; PyTorch momentum convention:
 * b₁ = g₀, b_{t+1} = μ·b_t + g_t, θ_{t+1} = θ_t − lr·b_{t+1}), each on a fresh batch, and L_K is the
 * loss of the result on the next batch. The meta-gradient is the full second-order one (the
 * reference's `method="full"`): it differentiates through the inner gradients, which needs the
 * second-order-safe gradients of src/nn/gradients.ts. Defaults as in the reference: K = 3,
 * lr 0.5, momentum 0.9, batches of 512 (K + 1 = 4 batches in all). Keeps the top ⌈n·(1 − s)⌉.
 *
 * Cost: about 3·(K + 1) forward/backward passes with the graph of the K inner steps held in
 * memory; on wasm keep batches ≤ 64 for anything bigger than LeNet (feasibility-tfjs §4).
 */
export interface ProsprOptions {
  seed: number;
  data: PruneData;
  steps?: number;
  lr?: number;
  momentum?: number;
  batchSize?: number;
}

/** The meta-gradient scores |∂L_K/∂m| (tfjs layout), for given batches (K + 1 of them). */
export function prosprScores(model: SparseModel, batches: readonly PruneBatch[], lr: number, momentum: number): tf.Tensor[] {
  const names = model.prunable;
  const K = batches.length - 1;
  if (K < 0) throw new Error("pruning/prospr: need at least one batch");
  const allNames = [...model.params.keys()];
  const prunableIdx = names.map((n) => allNames.indexOf(n));
  return tf.tidy(() => {
    const masks0 = currentMasks(model, names);
    const ones = names.map((n) => tf.onesLike(model.params.get(n)!));
    const meta = (...m: tf.Tensor[]): tf.Scalar => {
      let fast: tf.Tensor[] = allNames.map((n) => model.params.get(n)! as tf.Tensor);
      prunableIdx.forEach((j, i) => (fast[j] = tf.mul(tf.mul(fast[j], masks0[i]), m[i])));
      const forward = (p: tf.Tensor[], b: PruneBatch): tf.Scalar =>
        crossEntropy(model.forward(b.x, { training: true }, new Map(allNames.map((n, j) => [n, p[j]]))), b.y);
      let buf: tf.Tensor[] | null = null;
      for (let t = 0; t < K; t++) {
        const g = tf.grads((...p: tf.Tensor[]) => forward(p, batches[t]))(fast);
        buf = buf === null ? g : buf.map((b, j) => tf.add(tf.mul(b, momentum), g[j]));
        const step = buf;
        fast = fast.map((p, j) => tf.sub(p, tf.mul(step[j], lr)));
      }
      return forward(fast, batches[K]);
    };
    return tf.grads(meta)(ones).map((g) => tf.abs(g));
  });
}

export function pruneProspr(model: SparseModel, sparsity: number, options: ProsprOptions): PruneResult {
  const module = "pruning/prospr";
  checkSparsity(module, sparsity);
  checkSeed(module, options.seed);
  const steps = options.steps ?? 3;
  const lr = options.lr ?? 0.5;
  const momentum = options.momentum ?? 0.9;
  const batchSize = options.batchSize ?? 512;
  if (!(Number.isInteger(steps) && steps >= 0)) throw new Error(`${module}: steps must be a non-negative integer, got ${steps}`);
  const layers = modelLayers(model);
  const rng = new Rng(options.seed);
  const batches: PruneBatch[] = [];
  let scores: Float32Array[];
  try {
    for (let t = 0; t <= steps; t++) batches.push(options.data.batch(batchSize, rng));
    const s = guardWasm(`pruning/prospr on ${model.spec.name} (${steps} steps, batch ${batchSize})`, () => prosprScores(model, batches, lr, momentum));
    scores = s.map((t, i) => toTorchData(layers[i].name, t, layers[i].shape));
    tf.dispose(s);
  } finally {
    for (const b of batches) tf.dispose([b.x, b.y]);
  }
  let n = 0;
  for (const l of layers) n += numel(l.shape);
  const keep = Math.ceil(n * (1 - sparsity));
  return makeResult("prospr", layers, selectGlobal(scores, keep, rng, "largest", module), sparsity, options.seed, { steps, lr, momentum, batchSize });
}
