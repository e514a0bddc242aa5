import * as tf from "@tensorflow/tfjs";
import { guardWasm } from "../nn/backend";
import type { SparseModel } from "../nn/model-api";
import { crossEntropy } from "../nn/loss";
import { numel } from "../nn/tensors";
import { Rng } from "../util/rng";
import { splitBatch, type PruneBatch, type PruneData } from "./data";
import { planChunks, planInfo } from "./memory";
import type { Progress } from "../util/progress";
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
 * Memory (issue #5). In the reference each inner step takes one SGD step on the mean loss of a
 * whole batch of 512, so the inner steps are not additive over chunks of a batch: running ProsPr
 * on chunks and averaging would change the method. `pruneProspr` therefore computes the same
 * meta-gradient by reverse-mode differentiation through the unrolled steps with recomputation:
 * - forward sweep: θ₀ … θ_K (parameter-sized, stored), each inner gradient g_t accumulated over the
 *   chunks of batch t (chunk losses weighted by their share of the batch, so Σ = the batch mean);
 * - reverse sweep: θ̄ = ∇L_K(θ_K) (chunked), b̄ = 0; for t = K−1 … 0: B = b̄ − lr·θ̄,
 *   θ̄ ← θ̄ + H_t(θ_t)·B, b̄ ← μ·B, where H_t·B is a Hessian-vector product on batch t accumulated
 *   over its chunks (double back-propagation of one chunk at a time);
 * - score = |θ̄₀ ⊙ θ ⊙ mask| on the prunable weights (θ₀ = θ ⊙ mask ⊙ m).
 * This is exact, up to float rounding, for networks without BatchNorm whatever the chunking. With
 * BatchNorm in training mode each chunk normalises with its own batch statistics ("ghost batch
 * norm"), which differs from the full-batch statistics of the reference; the plan uses the largest
 * chunk that fits and the result's info records the chunking (`chunks` = 1: exact;
 * `batchNormPerChunk`: the deviation applies). Its size: on a narrow Conv-6 the kept masks of
 * chunked runs (chunks of 8–64 of a batch of 128) overlap the one-chunk run's by 0.42–0.44, the
 * same as two one-chunk runs on different batches do (0.43; bench/prospr-bn-chunks.ts). The
 * exact alternative (full-batch statistics across chunks, differentiated twice) would need every
 * BatchNorm's statistics and their adjoints synchronised over all chunks, layer by layer. The peak
 * memory is that of one Hessian-vector product on one chunk, plus K + 5 parameter-sized tensors,
 * instead of the whole K-step second-order tape of `prosprScores`.
 *
 * Cost: (K + 1) gradient passes and K Hessian-vector products (≈ 3 passes each) over every batch.
 */
export interface ProsprOptions {
  seed: number;
  data: PruneData;
  steps?: number;
  lr?: number;
  momentum?: number;
  batchSize?: number;
  /** Bytes one pass may use (default: 4 GiB on wasm, half the RAM elsewhere; see ./memory). */
  memoryBudget?: number;
  /** Examples per pass, overriding the memory plan (tests force small chunks with it). */
  chunkSize?: number;
  progress?: Progress;
}

/**
 * The meta-gradient scores |∂L_K/∂m| (tfjs layout), for given batches (K + 1 of them), by automatic
 * differentiation of the whole unrolled computation (one tape holding all K inner steps). Memory
 * grows with K × batch; `pruneProspr` uses `prosprScoresChunked`, which gives the same result.
 */
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

/**
 * Same scores as `prosprScores`, by the reverse sweep with recomputation described above: each
 * batch is a list of chunks whose losses are weighted by their share of the batch. Peak memory:
 * one Hessian-vector product on one chunk.
 */
export function prosprScoresChunked(model: SparseModel, batches: readonly (readonly PruneBatch[])[], lr: number, momentum: number, progress?: Progress): tf.Tensor[] {
  const names = model.prunable;
  const K = batches.length - 1;
  if (K < 0) throw new Error("pruning/prospr: need at least one batch");
  const allNames = [...model.params.keys()];
  const prunableIdx = names.map((n) => allNames.indexOf(n));
  const sizeOf = (batch: readonly PruneBatch[]): number => batch.reduce((a, c) => a + c.x.shape[0], 0);
  let passes = 0;
  const totalPasses = batches.reduce((a, b, t) => a + b.length * (t < K ? 2 : 1), 0);
  const tick = (label: string): void => {
    passes++;
    progress?.update(passes, totalPasses, label);
  };
  const lossOf = (p: readonly tf.Tensor[], c: PruneBatch, w: number): tf.Scalar =>
    tf.mul(crossEntropy(model.forward(c.x, { training: true }, new Map(allNames.map((n, j) => [n, p[j]]))), c.y), w) as tf.Scalar;
  // Σ_chunks of a per-chunk parameter-shaped result; only the running sum stays allocated
  const accumulate = (batch: readonly PruneBatch[], label: string, one: (c: PruneBatch, w: number) => tf.Tensor[]): tf.Tensor[] => {
    const n = sizeOf(batch);
    let acc: tf.Tensor[] | null = null;
    for (const c of batch) {
      const r = one(c, c.x.shape[0] / n);
      if (acc === null) acc = r;
      else {
        const prev: tf.Tensor[] = acc;
        acc = tf.tidy(() => prev.map((a, j) => tf.add(a, r[j])));
        tf.dispose([...prev, ...r]);
      }
      tick(label);
    }
    return acc!;
  };
  const gradOf = (p: readonly tf.Tensor[], batch: readonly PruneBatch[], label: string): tf.Tensor[] =>
    accumulate(batch, label, (c, w) => tf.tidy(() => tf.grads((...q: tf.Tensor[]) => lossOf(q, c, w))(p as tf.Tensor[])));
  const hvpOf = (p: readonly tf.Tensor[], batch: readonly PruneBatch[], v: readonly tf.Tensor[], label: string): tf.Tensor[] =>
    accumulate(batch, label, (c, w) =>
      tf.tidy(() =>
        tf.grads((...q: tf.Tensor[]) => {
          const g = tf.grads((...r: tf.Tensor[]) => lossOf(r, c, w))(q);
          return tf.addN(g.map((gi, j) => tf.sum(tf.mul(gi, v[j])))) as tf.Scalar;
        })(p as tf.Tensor[]),
      ),
    );
  const owned: tf.Tensor[] = [];
  try {
    const base = tf.tidy(() => {
      const masks0 = currentMasks(model, names);
      return names.map((n, i) => tf.mul(model.params.get(n)!, masks0[i]));
    });
    owned.push(...base);
    const theta: tf.Tensor[][] = [allNames.map((n, j) => {
      const i = prunableIdx.indexOf(j);
      return i >= 0 ? base[i] : model.params.get(n)!;
    })];
    // forward sweep: the K inner momentum-SGD steps, storing θ_t
    let buf: tf.Tensor[] | null = null;
    for (let t = 0; t < K; t++) {
      const g = gradOf(theta[t], batches[t], `inner step ${t + 1}/${K}`);
      const prev: tf.Tensor[] | null = buf;
      const next: tf.Tensor[] = prev === null ? g : tf.tidy(() => prev.map((b, j) => tf.add(tf.mul(b, momentum), g[j])));
      if (prev !== null) tf.dispose([...prev, ...g]);
      buf = next;
      const th = theta[t];
      const stepped = tf.tidy(() => th.map((p, j) => tf.sub(p, tf.mul(next[j], lr))));
      owned.push(...stepped);
      theta.push(stepped);
    }
    if (buf !== null) tf.dispose(buf);
    // reverse sweep
    let thetaBar = gradOf(theta[K], batches[K], "meta loss");
    let bBar: tf.Tensor[] | null = null;
    for (let t = K - 1; t >= 0; t--) {
      const tb = thetaBar;
      const bb: tf.Tensor[] | null = bBar;
      const B: tf.Tensor[] = tf.tidy((): tf.Tensor[] => tb.map((v, j): tf.Tensor => (bb === null ? tf.mul(v, -lr) : tf.sub(bb[j], tf.mul(v, lr)))));
      const h = hvpOf(theta[t], batches[t], B, `reverse step ${K - t}/${K}`);
      thetaBar = tf.tidy((): tf.Tensor[] => tb.map((v, j) => tf.add(v, h[j])));
      bBar = tf.tidy((): tf.Tensor[] => B.map((v: tf.Tensor) => tf.mul(v, momentum)));
      tf.dispose([...tb, ...h, ...B]);
      if (bb !== null) tf.dispose(bb);
    }
    if (bBar !== null) tf.dispose(bBar);
    const tbFinal = thetaBar;
    const scores = tf.tidy(() => prunableIdx.map((j, i) => tf.abs(tf.mul(tbFinal[j], base[i]))));
    tf.dispose(tbFinal);
    return scores;
  } finally {
    tf.dispose(owned);
  }
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
  // planned before any tensor is allocated: a failed wasm allocation cannot be recovered from
  const plan = planChunks(module, model.spec, "hvp", batchSize, { memoryBudget: options.memoryBudget, chunkSize: options.chunkSize });
  const rng = new Rng(options.seed);
  const batches: PruneBatch[] = [];
  const chunked: PruneBatch[][] = [];
  let scores: Float32Array[];
  try {
    for (let t = 0; t <= steps; t++) {
      const b = options.data.batch(batchSize, rng);
      batches.push(b);
      chunked.push(splitBatch(b, plan.sizes));
    }
    const where = `pruning/prospr on ${model.spec.name} (${steps} steps, batch ${batchSize} in ${plan.sizes.length} chunk(s) of ≤ ${plan.chunkSize})`;
    const s = guardWasm(where, () => prosprScoresChunked(model, chunked, lr, momentum, options.progress));
    scores = s.map((t, i) => toTorchData(layers[i].name, t, layers[i].shape));
    tf.dispose(s);
  } finally {
    for (const b of batches) tf.dispose([b.x, b.y]);
    for (const cs of chunked) if (cs.length > 1) for (const c of cs) tf.dispose([c.x, c.y]);
    options.progress?.finish();
  }
  let n = 0;
  for (const l of layers) n += numel(l.shape);
  const keep = Math.ceil(n * (1 - sparsity));
  return makeResult("prospr", layers, selectGlobal(scores, keep, rng, "largest", module), sparsity, options.seed, { steps, lr, momentum, batchSize, ...planInfo(plan, model.spec) });
}
