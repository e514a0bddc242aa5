import * as tf from "@tensorflow/tfjs";
import type { SparseModel } from "../nn/model-api";
import type { MaskMap } from "../nn/tensors";
import { numel } from "../nn/tensors";
import { prunableLayers } from "./layers";
import type { PrunableLayer } from "./types";

/**
 * tfjs plumbing shared by the score-based pruners and the DST hooks: the layout conversion between
 * tfjs tensors and the PyTorch layout of host masks, and parameter maps with substituted weights.
 *
 * Layouts (src/nn/model-api.ts): tfjs conv [kh, kw, in/groups, out] (depthwise [kh, kw, in, mult]),
 * linear [in, out]; PyTorch conv [out, in/groups, kh, kw], linear [out, in].
 */

/** Permutation taking a tfjs weight of `tfShape` to the PyTorch layout `torchShape`, plus a final reshape. */
function plan(name: string, tfShape: readonly number[], torchShape: readonly number[]): { perm: number[]; reshape: number[] | null } {
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  if (torchShape.length === 2) {
    if (same(tfShape, [torchShape[1], torchShape[0]])) return { perm: [1, 0], reshape: null };
  } else if (torchShape.length === 4) {
    const [o, i, kh, kw] = torchShape;
    if (same(tfShape, [kh, kw, i, o])) return { perm: [3, 2, 0, 1], reshape: null };
    // depthwise: tfjs [kh, kw, C, mult] ↔ torch [C·mult, 1, kh, kw] with out index c·mult + j
    if (i === 1 && tfShape.length === 4 && tfShape[0] === kh && tfShape[1] === kw && tfShape[2] * tfShape[3] === o) {
      return { perm: [2, 3, 0, 1], reshape: [o, 1, kh, kw] };
    }
  }
  throw new Error(`pruning/tf-util: weight '${name}' has tfjs shape [${tfShape.join(", ")}], which does not map to PyTorch shape [${torchShape.join(", ")}]`);
}

/** A tfjs weight-shaped tensor → host Float32Array in PyTorch layout. */
export function toTorchData(name: string, t: tf.Tensor, torchShape: readonly number[]): Float32Array {
  const p = plan(name, t.shape, torchShape);
  return tf.tidy(() => {
    let u = tf.transpose(t, p.perm);
    if (p.reshape) u = tf.reshape(u, p.reshape);
    return u;
  }).dataSync() as Float32Array;
}

/** Host data in PyTorch layout → tfjs tensor of `tfShape` (float32). */
export function fromTorchData(name: string, data: ArrayLike<number>, torchShape: readonly number[], tfShape: readonly number[]): tf.Tensor {
  const p = plan(name, tfShape, torchShape);
  if (data.length !== numel(torchShape)) throw new Error(`pruning/tf-util: '${name}' has ${data.length} values for shape [${torchShape.join(", ")}]`);
  return tf.tidy(() => {
    const host = tf.tensor(Float32Array.from(data), torchShape.slice(), "float32");
    // invert: torch → (undo reshape) → inverse permutation
    const permuted = p.reshape ? tf.reshape(host, p.perm.map((ax) => tfShape[ax])) : host;
    const inv = new Array<number>(p.perm.length);
    p.perm.forEach((ax, i) => (inv[ax] = i));
    return tf.transpose(permuted, inv);
  });
}

/** The model's prunable layers (PyTorch shapes), checked against its tfjs parameters. */
export function modelLayers(model: SparseModel): PrunableLayer[] {
  const fromSpec = prunableLayers(model.spec);
  const names = new Set(model.prunable);
  for (const l of fromSpec) {
    if (!names.has(l.name)) throw new Error(`pruning/tf-util: model '${model.spec.name}' does not list '${l.name}' as prunable`);
    const p = model.params.get(l.name);
    if (!p) throw new Error(`pruning/tf-util: model '${model.spec.name}' has no parameter '${l.name}'`);
    plan(l.name, p.shape, l.shape);
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
    v.assign(tf.tidy(() => tf.mul(v, m)));
  }
}
