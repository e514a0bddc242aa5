import * as tf from "@tensorflow/tfjs";
import type { SparseModel } from "../nn/model-api";
import type { MaskMap } from "../nn/tensors";
import { numel } from "../nn/tensors";
import { prunableLayers } from "./layers";
import { layoutOfShapes, tfToTorch, torchToTf } from "../nn/layout";
import type { PrunableLayer } from "./types";

/**
 * tfjs plumbing shared by the score-based pruners and the DST hooks: host data ↔ tfjs tensors
 * through the one layout converter (src/nn/layout.ts), mask application, and parameter maps with
 * substituted weights.
 */

/** A tfjs weight-shaped tensor → host Float32Array in PyTorch layout. */
export function toTorchData(name: string, t: tf.Tensor, torchShape: readonly number[]): Float32Array {
  const kind = layoutOfShapes(name, t.shape, torchShape);
  const u = tf.tidy(() => tfToTorch(t, kind, torchShape));
  const data = u.dataSync() as Float32Array;
  // The transposed copy is ours (the caller keeps `t`): free it once read, or every call leaks one tensor.
  if (u !== t) u.dispose();
  return data;
}

/** Host data in PyTorch layout → tfjs tensor of `tfShape` (float32). */
export function fromTorchData(name: string, data: ArrayLike<number>, torchShape: readonly number[], tfShape: readonly number[]): tf.Tensor {
  const kind = layoutOfShapes(name, tfShape, torchShape);
  if (data.length !== numel(torchShape)) throw new Error(`pruning/tf-util: '${name}' has ${data.length} values for shape [${torchShape.join(", ")}]`);
  return tf.tidy(() => torchToTf(tf.tensor(Float32Array.from(data), torchShape.slice(), "float32"), kind, tfShape));
}

/** The model's prunable layers (PyTorch shapes), checked against its tfjs parameters. */
export function modelLayers(model: SparseModel): PrunableLayer[] {
  const fromSpec = prunableLayers(model.spec);
  const names = new Set(model.prunable);
  for (const l of fromSpec) {
    if (!names.has(l.name)) throw new Error(`pruning/tf-util: model '${model.spec.name}' does not list '${l.name}' as prunable`);
    const p = model.params.get(l.name);
    if (!p) throw new Error(`pruning/tf-util: model '${model.spec.name}' has no parameter '${l.name}'`);
    layoutOfShapes(l.name, p.shape, l.shape);
  }
  if (names.size !== fromSpec.length) throw new Error(`pruning/tf-util: model lists ${names.size} prunable weights, its spec ${fromSpec.length}`);
  return fromSpec;
}

/** A full parameter map with the prunable weights replaced by `ws` (same order as `names`). */
export function withWeights(model: SparseModel, names: readonly string[], ws: readonly tf.Tensor[]): Map<string, tf.Tensor> {
  const m = new Map<string, tf.Tensor>(model.params);
  for (let i = 0; i < names.length; i++) m.set(names[i], ws[i]);
  return m;
}

/** Current model masks (tfjs layout) of the named weights; missing masks count as all-ones. */
export function currentMasks(model: SparseModel, names: readonly string[]): tf.Tensor[] {
  return names.map((n) => {
    const m = model.masks.get(n);
    return m ? m : tf.onesLike(model.params.get(n)!);
  });
}

/** Host masks (PyTorch layout) → tfjs tensors keyed by weight name, shaped like the model's weights. */
export function masksToTf(model: SparseModel, masks: MaskMap): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const name of model.prunable) {
    const m = masks.get(name);
    if (!m) throw new Error(`pruning/tf-util: no mask for '${name}'`);
    out.set(name, fromTorchData(name, m.data, m.shape, model.params.get(name)!.shape));
  }
  return out;
}

/**
 * Installs host masks on a model: replaces `model.masks` entries (disposing the old ones) and
 * zeroes the masked weights, so the model is exactly the pruned network.
 */
export function applyMasks(model: SparseModel, masks: MaskMap): void {
  const tfMasks = masksToTf(model, masks);
  for (const [name, m] of tfMasks) {
    const old = model.masks.get(name);
    model.masks.set(name, m);
    if (old && old !== m) old.dispose();
    const v = model.params.get(name)!;
    // assign inside the tidy: the product must not outlive it (assign takes its own reference)
    tf.tidy(() => {
      v.assign(tf.mul(v, m));
    });
  }
}
