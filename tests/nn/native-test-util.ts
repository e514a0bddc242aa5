/** What the native-kernel tests share: when to skip, backend set-up, the error criterion. */
import assert from "node:assert/strict";
import fs from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/nn/backend";
import { installNativeKernels, nativeInfo, nativeRunCount, uninstallNativeKernels } from "../../src/nn/native";
import type { Rng } from "../../src/util/rng";
import { dnnlLibraryCandidates } from "../../src/nn/native/dnnl";

/** Skip reason for tests that need oneDNN (false when it is there and not turned off). */
export const nativeSkip: string | false =
  process.env.SNN_NATIVE === "0"
    ? "SNN_NATIVE=0"
    : !dnnlLibraryCandidates().some((p) => fs.existsSync(p)) && "oneDNN (libdnnl2) not installed: the wasm kernels are used";

/** wasm backend with the native kernels (a library that exists but does not load fails here). */
export async function nativeReady(): Promise<void> {
  await initBackend("wasm");
  assert.ok(nativeInfo().active, `native kernels not active: ${nativeInfo().reason}`);
}

/**
 * max |a − b| / max |b|: relative to the output's scale (elementwise relative error is meaningless
 * for outputs near 0, which sums of signed products produce).
 */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "output sizes differ");
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return m === 0 ? d : d / m;
}

/** A tensor of normal(offset, scale²) values. */
export function randn(rng: Rng, shape: number[], scale = 1, offset = 0): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => offset + scale * rng.normal()), shape);
}

/** Runs `fn` without the native kernels (the ops then take their composites of wasm kernels). */
export function onComposite<T>(fn: () => T): T {
  uninstallNativeKernels();
  try {
    return fn();
  } finally {
    installNativeKernels();
  }
}

/** A training BatchNorm op's signature (batchNormTrain, batchNormReluTrain). */
export type TrainBatchNorm = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps?: number, onStats?: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void) => tf.Tensor;

/** y, the batch statistics, and the gradients of ⟨op(x, γ, β), dy⟩ with respect to x, γ, β. */
export function batchNormOutputs(op: TrainBatchNorm, x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, dy: tf.Tensor): { y: Float32Array; mean: Float32Array; variance: Float32Array; grads: Float32Array[] } {
  let mean: Float32Array = new Float32Array(0);
  let variance: Float32Array = new Float32Array(0);
  const y = tf.tidy(() =>
    op(x, g, b, 1e-5, (m, v) => {
      mean = m.dataSync() as Float32Array;
      variance = v.dataSync() as Float32Array;
    }).dataSync(),
  ) as Float32Array;
  const grads = tf.tidy(() => tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(op(xi, gi, bi, 1e-5), dy)))([x, g, b]).map((t) => t.dataSync() as Float32Array));
  return { y, mean, variance, grads };
}

/** H·v by nested tf.grads (GraSP's form): ∂/∂w ⟨∂L/∂w, v⟩. */
export function hessianVector(loss: (ws: tf.Tensor[]) => tf.Scalar, ws: tf.Tensor[], v: tf.Tensor[]): Float32Array[] {
  return tf.tidy(() =>
    tf
      .grads((...w: tf.Tensor[]) => {
        const g = tf.grads((...wi: tf.Tensor[]) => loss(wi))(w);
        return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, v[i])))) as tf.Scalar;
      })(ws)
      .map((t) => t.dataSync() as Float32Array),
  );
}

/**
 * H·v against central differences of the gradient, (∇L(w + h·v) − ∇L(w − h·v)) / 2h: cosine > 0.999
 * and norms within 1 %.
 */
export function assertHvMatchesDifferences(hv: Float32Array[], plus: Float32Array[], minus: Float32Array[], h: number): void {
  let dot = 0;
  let na = 0;
  let nb = 0;
  hv.forEach((a, i) => {
    for (let j = 0; j < a.length; j++) {
      const fd = (plus[i][j] - minus[i][j]) / (2 * h);
      dot += a[j] * fd;
      na += a[j] * a[j];
      nb += fd * fd;
    }
  });
  const cosine = dot / Math.sqrt(na * nb);
  assert.ok(cosine > 0.999, `H·v vs finite differences (step ${h}): cosine ${cosine}`);
  assert.ok(Math.abs(Math.sqrt(na / nb) - 1) < 0.01, `H·v vs finite differences (step ${h}): norm ratio ${Math.sqrt(na / nb)}`);
}

/**
 * The ReLU mask a reference's gradients must use to be compared with a native kernel's. ReLU's
 * gradient jumps at 0, and a pre-activation within rounding of 0 lands on either side depending on
 * the last bits of what precedes it (batch statistics summed in another order, a fused multiply-add):
 * one such element moves its gradient by a whole |γ·dy/σ|, far beyond any tolerance. So: null where
 * the native and reference outputs agree on every element's side; otherwise, after checking that each
 * element that changes sides is such a tie (|pre-activation| ≤ 1e-5 of the largest, computed on the
 * reference path) and that there are few, the native output's mask (1 where y > 0), under which the
 * caller recomputes the reference gradients.
 */
export function reluTieMask(natY: Float32Array, refY: Float32Array, preActivation: () => Float32Array, what: string): Float32Array | null {
  assert.equal(natY.length, refY.length, `${what}: output sizes differ`);
  const flips: number[] = [];
  for (let i = 0; i < natY.length; i++) if (natY[i] > 0 !== refY[i] > 0) flips.push(i);
  if (flips.length === 0) return null;
  const z = preActivation();
  const zMax = z.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(flips.length <= Math.max(2, 1e-5 * z.length), `${what}: ${flips.length} of ${z.length} elements change sides of the ReLU`);
  for (const i of flips) assert.ok(Math.abs(z[i]) <= 1e-5 * zMax, `${what}: element ${i} changes sides of the ReLU with pre-activation ${z[i]} (largest ${zMax})`);
  return Float32Array.from(natY, (v) => (v > 0 ? 1 : 0));
}

/** Each named output within `tol` of its reference (relErr). */
export function assertOutputsClose(pairs: ReadonlyArray<readonly [string, ArrayLike<number>, ArrayLike<number>]>, what: string, tol = 1e-5): void {
  for (const [name, a, r] of pairs) {
    const e = relErr(a, r);
    assert.ok(e <= tol, `${what}: ${name} relative error ${e.toExponential(2)} > ${tol}`);
  }
}

/** The outputs of `batchNormOutputs` side by side with a reference's, for `assertOutputsClose`. */
export function batchNormPairs(a: ReturnType<typeof batchNormOutputs>, r: ReturnType<typeof batchNormOutputs>): Array<[string, Float32Array, Float32Array]> {
  return [
    ["y", a.y, r.y],
    ["mean", a.mean, r.mean],
    ["variance", a.variance, r.variance],
    ["dx", a.grads[0], r.grads[0]],
    ["dγ", a.grads[1], r.grads[1]],
    ["dβ", a.grads[2], r.grads[2]],
  ];
}

/** H·v on the native kernels, checked against the composite's (1e-4 relative per weight); returns the native one. */
export function nativeHvMatchingComposite(loss: (ws: tf.Tensor[]) => tf.Scalar, ws: tf.Tensor[], v: tf.Tensor[]): Float32Array[] {
  const before = nativeRunCount();
  const nat = hessianVector(loss, ws, v);
  assert.ok(nativeRunCount() - before > 0, "the native kernels did not run");
  const ref = onComposite(() => hessianVector(loss, ws, v));
  nat.forEach((h, i) => {
    const e = relErr(h, ref[i]);
    assert.ok(e <= 1e-4, `weight ${i}: H·v native vs composite relative error ${e.toExponential(2)}`);
  });
  return nat;
}
