import * as tf from "@tensorflow/tfjs";
import { guardWasm } from "../nn/backend";
import type { SparseModel } from "../nn/model-api";
import type { ArchSpec, LayerSpec } from "../nn/spec";
import { numel } from "../nn/tensors";
import { Rng } from "../util/rng";
import type { Progress } from "../util/progress";
import { makeResult } from "./result";
import { selectGlobal } from "./scores";
import { modelLayers, toTorchData, fromTorchData } from "./tf-util";
import { checkSeed, checkSparsity, type PruneResult } from "./types";

/**
 * SynFlow: iterative synaptic flow pruning (Tanaka et al., NeurIPS 2020; reference
 * `utils/pai/synflow.py`, reference-notes §3). Data-free.
 *
 * Score: S = |θ ⊙ ∂R/∂θ| with R = Σ f(1; |θ| ⊙ m), the sum of the logits of the network with every
 * parameter made positive, evaluated on an all-ones input of one example, in eval mode with
 * BatchNorm left out (ForwardOptions.noBatchNorm: the linearised network). Iterated 100 times with
 * the exponential schedule: after iteration k of K the kept count is round(N·(1 − s)^{k/K}), and the
 * last iteration keeps exactly round((1 − s)·N). Weights pruned in an earlier round never come back.
 *
 * Biases. The reference puts biases in the pruning pool, but they are zero at initialisation, so they
 * score 0 and only shift the count; here the pool is the prunable weights only (exact sparsity), and
 * biases enter the forward pass as |b|.
 *
 * Float32 overflow (feasibility-tfjs §4b): R is a product over depth and reached 1e25 on ResNet-20.
 * In a plain chain (no residual blocks) every prunable layer l is divided by c_l (the mean of its
 * |θ| ⊙ m) and its bias by c_1⋯c_l: the network is positively homogeneous, so every score is divided
 * by the same Π c_l and the ranking is unchanged. With residual blocks the branches would be
 * rescaled differently, so no rescaling is done and a non-finite R is reported as an error.
 *
 * Conservation (Tanaka et al. Thm. 2): without biases, every layer's score sum equals R.
 *
 * Max-pool ties. On an all-ones input every interior position of a feature map has the same value,
 * so max-pool windows are full of exact ties. PyTorch routes the gradient to the first maximum of a
 * window; the fast training gradient (src/nn/gradients.ts) sends it to every tied maximum, which
 * would inflate the scores of the layers before each pool by the window size (×4 per 2×2 pool) and
 * break conservation. The scoring pass therefore runs with `maxPoolTies: "first"` (PyTorch's rule)
 * on the exact all-ones input of the reference.
 */
export interface SynflowOptions {
  seed: number;
  iterations?: number;
  progress?: Progress;
}

function isChain(spec: ArchSpec): boolean {
  const walk = (ls: readonly LayerSpec[]): boolean => ls.every((l) => l.kind !== "residual");
  return walk(spec.layers);
}

/** Biases of prunable layers by weight name (state_dict "<layer>.bias"). */
function biasName(weightName: string): string {
  return weightName.replace(/\.weight$/, ".bias");
}

/**
 * One SynFlow scoring pass: scores (tfjs layout) of the prunable weights under `masks` (tfjs
 * layout, 0/1). `rescale` divides layer l by its mean |θ|⊙m (chains only). Returns R too.
 */
export function synflowScores(model: SparseModel, masks: readonly tf.Tensor[], rescale: boolean): { scores: tf.Tensor[]; R: number } {
  const names = model.prunable;
  const spec = model.spec;
  let R = 0;
  const scores = tf.tidy(() => {
    const params = new Map<string, tf.Tensor>();
    for (const [k, v] of model.params) params.set(k, tf.abs(v));
    const a: tf.Tensor[] = names.map((n, i) => tf.mul(params.get(n)!, masks[i]));
    if (rescale) {
      let cum = 1;
      for (let i = 0; i < names.length; i++) {
        const cnt = tf.sum(masks[i]).dataSync()[0];
        const c = cnt > 0 ? tf.sum(a[i]).dataSync()[0] / cnt : 1;
        const ci = c > 0 && Number.isFinite(c) ? c : 1;
        cum *= ci;
        a[i] = tf.div(a[i], ci);
        const b = biasName(names[i]);
        if (params.has(b)) params.set(b, tf.div(params.get(b)!, cum));
      }
    }
    const ones = tf.ones([1, spec.inputSize, spec.inputSize, spec.inputChannels]) as tf.Tensor4D;
    const f = (...ws: tf.Tensor[]): tf.Scalar => {
      const p = new Map(params);
      names.forEach((n, i) => p.set(n, ws[i]));
      return tf.sum(model.forward(ones, { training: false, noBatchNorm: true, maxPoolTies: "first" }, p));
    };
    const { value, grads } = tf.valueAndGrads(f)(a);
    R = value.dataSync()[0];
    return grads.map((g, i) => tf.mul(g, a[i]));
  });
  return { scores, R };
}

export function pruneSynflow(model: SparseModel, sparsity: number, options: SynflowOptions): PruneResult {
  const module = "pruning/synflow";
  checkSparsity(module, sparsity);
  checkSeed(module, options.seed);
  const iterations = options.iterations ?? 100;
  if (!(Number.isInteger(iterations) && iterations >= 1)) throw new Error(`${module}: iterations must be a positive integer, got ${iterations}`);
  const layers = modelLayers(model);
  const names = model.prunable;
  const rng = new Rng(options.seed);
  const rescale = isChain(model.spec);
  let N = 0;
  for (const l of layers) N += numel(l.shape);
  let host: Uint8Array[] = layers.map((l) => new Uint8Array(numel(l.shape)).fill(1));
  let lastR = 0;
  for (let k = 1; k <= iterations; k++) {
    const keep = k === iterations ? N - Math.round(sparsity * N) : Math.round(N * Math.pow(1 - sparsity, k / iterations));
    const tfMasks = host.map((m, i) => fromTorchData(names[i], m, layers[i].shape, model.params.get(names[i])!.shape));
    const { scores, R } = guardWasm(`pruning/synflow on ${model.spec.name} (iteration ${k})`, () => synflowScores(model, tfMasks, rescale));
    tf.dispose(tfMasks);
    if (!Number.isFinite(R)) {
      tf.dispose(scores);
      throw new Error(`${module}: R = ${R} at iteration ${k} on '${model.spec.name}': float32 overflow (residual network, so no per-layer rescaling is possible)`);
    }
    lastR = R;
    const s = scores.map((t, i) => {
      const d = toTorchData(names[i], t, layers[i].shape);
      // pruned weights can never be chosen again
      const m = host[i];
      for (let j = 0; j < d.length; j++) if (m[j] === 0) d[j] = -Infinity;
      return d;
    });
    tf.dispose(scores);
    host = selectGlobal(s, keep, rng, "largest", module);
    options.progress?.update(k, iterations, "synflow");
  }
  options.progress?.finish();
  return makeResult("synflow", layers, host, sparsity, options.seed, { iterations, rescaled: rescale, lastR });
}
