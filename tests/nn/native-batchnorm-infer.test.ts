import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/util/rng";
import { BATCHNORM_INFER_KERNEL, batchNormInfer } from "../../src/nn/batchnorm-ops";
import { nativeRunCount, setNativeThreads, defaultThreads } from "../../src/nn/native";
import { nativeHvMatchingComposite, nativeReady, nativeSkip, onComposite, randn, relErr, reluTieMask } from "./native-test-util";

// Evaluation-mode BatchNorm (running statistics, optionally + ReLU) on oneDNN against tfjs's
// broadcasting ops, values and the gradients of all five inputs (the composite differentiated by
// tfjs's own autodiff); criterion as in native-batchnorm.test.ts.

const skip = nativeSkip;

/** y and the gradients of ⟨y, dy⟩ with respect to x, γ, β, mean and variance. */
function valueAndGrads(inputs: tf.Tensor[], dy: tf.Tensor, relu: boolean): Float32Array[] {
  return tf.tidy(() => {
    const f = (...t: tf.Tensor[]) => batchNormInfer(t[0], t[1], t[2], t[3], t[4], 1e-5, relu);
    const y = f(...inputs).dataSync() as Float32Array;
    const grads = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(f(...t), dy)))(inputs).map((g) => g.dataSync() as Float32Array);
    return [y, ...grads];
  });
}

test("evaluation-mode BatchNorm (± ReLU) on oneDNN equals tfjs's ops, values and all five gradients, 1 and 2 threads", { skip }, async () => {
  await nativeReady();
  const rng = new Rng(51);
  try {
    for (const shape of [[1, 5, 5, 3], [6, 1], [3, 4, 5, 6, 2], [7, 33], [2, 9, 17], [128, 16, 16, 32], [64, 16, 16, 12], [16, 6, 6, 5]]) {
      const C = shape[shape.length - 1];
      const inputs = [randn(rng, shape, 1.5, 0.5), randn(rng, [C]), randn(rng, [C], 0.5), randn(rng, [C], 0.5, 0.5), tf.abs(randn(rng, [C], 0.5, 1))];
      const dy = randn(rng, shape);
      for (const relu of [false, true]) {
        const ref = onComposite(() => valueAndGrads(inputs, dy, relu));
        for (const threads of [1, 2]) {
          setNativeThreads(threads);
          const before = nativeRunCount();
          const nat = valueAndGrads(inputs, dy, relu);
          assert.ok(nativeRunCount() - before >= 1, `x [${shape}]: the native kernel did not run`);
          const what = `x [${shape}], relu ${relu}, ${threads} thread(s)`;
          // a pre-activation within rounding of 0 may land on the other side of the ReLU: the reference's gradients then take the native mask
          const mask = relu ? reluTieMask(nat[0], ref[0], () => onComposite(() => valueAndGrads(inputs, dy, false)[0]), what) : null;
          const refGrads = mask === null ? ref : [ref[0], ...onComposite(() => tf.tidy(() => valueAndGrads(inputs, tf.mul(dy, tf.tensor(mask, dy.shape)), false).slice(1)))];
          ["y", "dx", "dγ", "dβ", "dmean", "dvariance"].forEach((name, i) => {
            const e = relErr(nat[i], refGrads[i]);
            assert.ok(e <= 1e-5, `${what}: ${name} relative error ${e.toExponential(2)} > 1e-5`);
          });
          if (relu) assert.ok(nat[0].some((v) => v === 0) && nat[0].some((v) => v > 0), "the data should cut the ReLU both ways");
        }
      }
      tf.dispose([...inputs, dy]);
    }
  } finally {
    setNativeThreads(defaultThreads());
  }
});

test("second order through evaluation-mode BatchNorm + ReLU: H·v equals tfjs's ops'", { skip }, async () => {
  await nativeReady();
  const rng = new Rng(52);
  const x = randn(rng, [6, 4, 4, 3]);
  const target = randn(rng, [6, 2]);
  const ws = [randn(rng, [3, 3, 3, 5], 0.4), randn(rng, [5], 0.3, 1), randn(rng, [5], 0.3), randn(rng, [5], 0.2), tf.abs(randn(rng, [5], 0.3, 1)), randn(rng, [80, 2], 0.2)];
  const loss = (w: tf.Tensor[]): tf.Scalar => {
    const h = batchNormInfer(tf.conv2d(x as tf.Tensor4D, w[0] as tf.Tensor4D, 1, "same"), w[1], w[2], w[3], w[4], 1e-5, true);
    return tf.mean(tf.square(tf.sub(tf.matMul(tf.reshape(h, [6, 80]), w[5] as tf.Tensor2D), target)));
  };
  const v = ws.map((w) => randn(rng, w.shape));
  nativeHvMatchingComposite(loss, ws, v);
  tf.dispose([x, target, ...ws, ...v]);
});

test("the evaluation-mode kernel refuses statistics of the wrong size and a missing relu attribute", { skip }, async () => {
  await nativeReady();
  const x = tf.zeros([2, 3, 3, 4]);
  const c = tf.ones([4]);
  const run = (inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) => () => tf.engine().runKernel(BATCHNORM_INFER_KERNEL, inputs, attrs as tf.NamedAttrMap);
  const ok = run({ x, gamma: c, beta: c, mean: c, variance: c }, { epsilon: 1e-5, relu: false })() as tf.Tensor;
  assert.deepEqual(ok.shape, [2, 3, 3, 4]);
  assert.throws(run({ x, gamma: c, beta: c, mean: tf.ones([3]), variance: c }, { epsilon: 1e-5, relu: false }), /input mean \[3\] does not fit x \[2,3,3,4\]/);
  assert.throws(run({ x, gamma: c, beta: c, mean: c, variance: c }, { epsilon: 1e-5 }), /needs a boolean relu attribute/);
  tf.dispose([x, c, ok]);
});
