/**
 * The one converter between the PyTorch layout of host tensors (src/nn/tensors.ts: conv
 * [out, in/groups, kh, kw], depthwise [C·mult, 1, kh, kw], linear [out, in]) and the tfjs layout of
 * the model's variables (conv [kh, kw, in/groups, out], depthwise [kh, kw, C, mult], linear
 * [in, out]); vectors (biases, BN parameters) are the same in both. Used by the model's host
 * import/export and by the pruners and DST hooks, which meet the same weights as tfjs tensors.
 */
import * as tf from "@tensorflow/tfjs";

export type LayoutKind = "conv" | "depthwise" | "linear" | "vector";

/** Axis permutation taking the tfjs layout to the PyTorch one (depthwise: to [C, mult, kh, kw]). */
const TF_TO_TORCH: Readonly<Record<LayoutKind, readonly number[] | null>> = { conv: [3, 2, 0, 1], depthwise: [2, 3, 0, 1], linear: [1, 0], vector: null };

function inverse(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((ax, i) => (inv[ax] = i));
  return inv;
}

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** The tfjs shape of a PyTorch-shaped tensor of the given kind (depthwise with multiplier 1). */
export function tfShapeOf(torchShape: readonly number[], kind: LayoutKind): number[] {
  const h = torchShape;
  switch (kind) {
    case "conv":
      return [h[2], h[3], h[1], h[0]];
    case "depthwise":
      return [h[2], h[3], h[0], h[1]];
    case "linear":
      return [h[1], h[0]];
    case "vector":
      return [...h];
  }
}

/** The layout that maps a tfjs shape onto a PyTorch shape. @throws naming the weight when none does. */
export function layoutOfShapes(name: string, tfShape: readonly number[], torchShape: readonly number[]): LayoutKind {
  if (torchShape.length === 2 && same(tfShape, [torchShape[1], torchShape[0]])) return "linear";
  if (torchShape.length === 4) {
    const [o, i, kh, kw] = torchShape;
    if (same(tfShape, [kh, kw, i, o])) return "conv";
    // depthwise: tfjs [kh, kw, C, mult] ↔ torch [C·mult, 1, kh, kw] with out index c·mult + j
    if (i === 1 && tfShape.length === 4 && tfShape[0] === kh && tfShape[1] === kw && tfShape[2] * tfShape[3] === o) return "depthwise";
  }
  if (same(tfShape, torchShape) && torchShape.length === 1) return "vector";
  throw new Error(`nn/layout: weight '${name}' has tfjs shape [${tfShape.join(", ")}], which does not map to PyTorch shape [${torchShape.join(", ")}]`);
}

/** A tfjs-layout tensor in PyTorch layout (`torchShape` folds a depthwise multiplier into the out axis). Not tidied: call inside tf.tidy. */
export function tfToTorch(t: tf.Tensor, kind: LayoutKind, torchShape?: readonly number[]): tf.Tensor {
  const perm = TF_TO_TORCH[kind];
  const u = perm ? tf.transpose(t, [...perm]) : t;
  return torchShape && !same(u.shape, torchShape) ? tf.reshape(u, [...torchShape]) : u;
}

/** A PyTorch-layout tensor in the tfjs layout `tfShape`. Not tidied: call inside tf.tidy. */
export function torchToTf(h: tf.Tensor, kind: LayoutKind, tfShape: readonly number[]): tf.Tensor {
  const perm = TF_TO_TORCH[kind];
  if (!perm) return h;
  const unfolded = same(h.shape, perm.map((ax) => tfShape[ax])) ? h : tf.reshape(h, perm.map((ax) => tfShape[ax]));
  return tf.transpose(unfolded, inverse(perm));
}
