import * as tf from "@tensorflow/tfjs";
import { guardWasm } from "../nn/backend";
import type { SparseModel } from "../nn/model-api";
import { crossEntropy } from "../nn/loss";
import { numel } from "../nn/tensors";
import { Rng } from "../util/rng";
import type { PruneBatch, PruneData } from "./data";
import { balancedChunks, planChunks, planInfo } from "./memory";
import type { Progress } from "../util/progress";
import { makeResult } from "./result";
import { selectGlobal } from "./scores";
import { modelLayers, toTorchData, withWeights } from "./tf-util";
import { checkSeed, checkSparsity, type PruneResult } from "./types";

/**
 * GraSP: gradient signal preservation (Wang, Zhang & Grosse, ICLR 2020; reference
 * `utils/pai/grasp.py`, reference-notes §3).
 *
 * Score: S = −θ ⊙ (H g), with g the gradient of the loss and H its Hessian, both w.r.t. the
 * prunable weights, computed as in the reference:
 * - data: `samplesPerClass` (25) examples of every class, class-major, split into two halves (so
 *   with 10 classes the first half holds classes 0–4 and the second 5–9, a quirk of
 *   `GraSP_fetch_data` kept here); logits are divided by the temperature T = 200;
 * - g = Σ_halves ∇L_half (no graph), then Hg = Σ_halves ∇_θ (∇L_half(θ) · stopgrad(g)) by exact
 *   double back-propagation (nested tf.grads; correct only with the primitive cross-entropy and
 *   the second-order-safe gradients of src/nn/gradients.ts — feasibility-tfjs §4c);
 * - `reinit` (reference: true): the scored copy gets fresh Kaiming-normal (fan-in) weights drawn
 *   from the seed; the masks are then applied to the model's own weights, as in the reference.
 * The top ⌊n·s⌋ scores are removed (the reference keeps "score ≤ threshold"); exactly
 * n − ⌊n·s⌋ weights are kept, ties broken at random.
 *
 * BatchNorm runs in training mode (batch statistics), as in the reference.
 *
 * Memory (issue #5): each half is split into balanced chunks whose losses are weighted by their
 * share of the half, so g and Hg are sums over chunks; this is exact (up to float rounding) for
 * networks without BatchNorm, while with BatchNorm each chunk normalises with its own batch
 * statistics. The chunk size comes from a memory plan (./memory: one Hessian-vector product on one
 * chunk against the budget, 4 GiB on wasm) made before anything is allocated; `chunkSize` forces
 * it. The result's info records the chunking (`chunks` per half; 1 = the reference's computation).
 */
export interface GraspOptions {
  seed: number;
  data: PruneData;
  samplesPerClass?: number;
  temperature?: number;
  reinit?: boolean;
  /** Examples per pass, overriding the memory plan (still checked against the budget). */
  chunkSize?: number;
  /** Bytes one pass may use (default: 4 GiB on wasm, half the RAM elsewhere; see ./memory). */
  memoryBudget?: number;
  progress?: Progress;
}

/** Exact Hg (tfjs layout) at weights W for the given halves, with the reference's g = Σ_halves ∇L_half. */
export function graspHg(model: SparseModel, W: readonly tf.Tensor[], halves: readonly (readonly PruneBatch[])[], temperature: number, progress?: Progress): { g: tf.Tensor[]; Hg: tf.Tensor[] } {
  const names = model.prunable;
  // each half is a list of chunks; a chunk's loss is weighted by its share of the half
  const chunkLoss = (ws: readonly tf.Tensor[], c: PruneBatch, weight: number): tf.Scalar =>
    tf.mul(crossEntropy(tf.div(model.forward(c.x, { training: true }, withWeights(model, names, ws)), temperature) as tf.Tensor2D, c.y), weight) as tf.Scalar;
  const share = (half: readonly PruneBatch[], c: PruneBatch): number => {
    let n = 0;
    for (const h of half) n += h.x.shape[0];
    return c.x.shape[0] / n;
  };
  // Σ over chunks with only the running sum allocated (a tidy around the loop would keep every
  // chunk's result until the end)
  let chunks = 0;
  for (const h of halves) chunks += h.length;
  let done = 0;
  const sumOver = (label: string, one: (half: readonly PruneBatch[], c: PruneBatch) => tf.Tensor[]): tf.Tensor[] => {
    let acc: tf.Tensor[] | null = null;
    for (const half of halves) {
      for (const c of half) {
        const r = one(half, c);
        progress?.update(++done, 2 * chunks, label);
        if (acc === null) acc = r;
        else {
          const prev: tf.Tensor[] = acc;
          acc = tf.tidy(() => prev.map((x, i) => tf.add(x, r[i])));
          tf.dispose([...prev, ...r]);
        }
      }
    }
    if (acc === null) throw new Error("pruning/grasp: no examples");
    return acc;
  };
  const g = sumOver("g", (half, c) => tf.tidy(() => tf.grads((...ws: tf.Tensor[]) => chunkLoss(ws, c, share(half, c)))(W as tf.Tensor[])));
  const Hg = sumOver("Hg", (half, c) =>
    tf.tidy(() =>
      tf.grads((...ws: tf.Tensor[]) => {
        const gw = tf.grads((...v: tf.Tensor[]) => chunkLoss(v, c, share(half, c)))(ws);
        return tf.addN(gw.map((gi, i) => tf.sum(tf.mul(gi, g[i])))) as tf.Scalar;
      })(W as tf.Tensor[]),
    ),
  );
  return { g, Hg };
}

export function pruneGrasp(model: SparseModel, sparsity: number, options: GraspOptions): PruneResult {
  const module = "pruning/grasp";
  checkSparsity(module, sparsity);
  checkSeed(module, options.seed);
  const spc = options.samplesPerClass ?? 25;
  const T = options.temperature ?? 200;
  const reinit = options.reinit ?? true;
  const layers = modelLayers(model);
  const names = model.prunable;
  const N = spc * options.data.classes;
  if (!(Number.isInteger(spc) && spc > 0)) throw new Error(`${module}: samplesPerClass must be a positive integer, got ${spc}`);
  const bounds: Array<[number, number]> = [[0, Math.floor(N / 2)], [Math.floor(N / 2), N]];
  // planned on the larger half before any tensor is allocated (a failed wasm allocation is fatal)
  const plan = planChunks(module, model.spec, "hvp", N - Math.floor(N / 2), { memoryBudget: options.memoryBudget, chunkSize: options.chunkSize }, {
    batchText: `${N} examples (${spc} per class), halves of ≤ ${N - Math.floor(N / 2)}`,
  });
  const rng = new Rng(options.seed);
  const all = options.data.perClass(spc, rng);
  if (all.x.shape[0] !== N) {
    tf.dispose([all.x, all.y]);
    throw new Error(`${module}: the data gave ${all.x.shape[0]} examples for ${spc} per class × ${options.data.classes} classes`);
  }
  const halves: PruneBatch[][] = [];
  const owned: tf.Tensor[] = [all.x, all.y];
  for (const [lo, hi] of bounds) {
    const half: PruneBatch[] = [];
    if (hi > lo) {
      // the same number of chunks per half, balanced
      const sizes = balancedChunks(hi - lo, Math.min(hi - lo, plan.sizes.length));
      let a = lo;
      for (const size of sizes) {
        const x = tf.slice(all.x, [a, 0, 0, 0], [size, -1, -1, -1]);
        const y = tf.slice(all.y, [a, 0], [size, -1]);
        owned.push(x, y);
        half.push({ x, y });
        a += size;
      }
    }
    halves.push(half);
  }
  let scores: Float32Array[];
  try {
    const W = names.map((n, i) => {
      const p = model.params.get(n)!;
      if (!reinit) return tf.clone(p);
      // Kaiming-normal, fan-in, gain √2 (torch kaiming_normal_ defaults); i.i.d., so the layout does not matter
      const std = Math.sqrt(2 / (numel(layers[i].shape) / layers[i].shape[0]));
      const v = new Float32Array(p.size);
      for (let j = 0; j < v.length; j++) v[j] = rng.normal() * std;
      return tf.tensor(v, p.shape, "float32");
    });
    const { g, Hg } = guardWasm(`pruning/grasp on ${model.spec.name} (${N} examples, ${plan.sizes.length} chunk(s) of ≤ ${plan.chunkSize} per half)`, () => graspHg(model, W, halves, T, options.progress));
    const s = tf.tidy(() => Hg.map((h, i) => tf.neg(tf.mul(W[i], h))));
    scores = s.map((t, i) => toTorchData(layers[i].name, t, layers[i].shape));
    tf.dispose([...W, ...g, ...Hg, ...s]);
  } finally {
    tf.dispose(owned);
    options.progress?.finish();
  }
  let n = 0;
  for (const l of layers) n += numel(l.shape);
  const keep = n - Math.floor(n * sparsity);
  return makeResult("grasp", layers, selectGlobal(scores, keep, rng, "smallest", module), sparsity, options.seed, {
    samplesPerClass: spc,
    temperature: T,
    reinit,
    ...planInfo(plan, model.spec),
  });
}
