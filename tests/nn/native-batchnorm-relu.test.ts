import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/util/rng";
import { BATCHNORM_RELU_KERNELS, batchNormReluTrain, batchNormTrain } from "../../src/nn/batchnorm-ops";
import { nativeRunCount, setNativeThreads, defaultThreads } from "../../src/nn/native";
import { loadDnnl } from "../../src/nn/native/dnnl";
import { nativeHvMatchingComposite, assertHvMatchesDifferences, assertOutputsClose, batchNormOutputs, batchNormPairs, nativeReady, nativeSkip, onComposite, randn, relErr, reluTieMask } from "./native-test-util";

// Training BatchNorm fused with the ReLU after it (oneDNN's fuse_norm_relu, nn/native/batchnorm)
// against relu(batchNormTrain) on the composite of wasm kernels; criterion as in
// native-batchnorm.test.ts: max |native − composite| ≤ 1e-5 · max |composite| per output.

const skip = nativeSkip;

/** The composite's outputs, its gradients taken under the fused kernel's ReLU mask where a tie changed sides (`reluTieMask`). */
function withFusedMask(
  fused: ReturnType<typeof batchNormOutputs>,
  ref: ReturnType<typeof batchNormOutputs>,
  x: tf.Tensor,
  g: tf.Tensor,
  b: tf.Tensor,
  dy: tf.Tensor,
  what: string,
): ReturnType<typeof batchNormOutputs> {
  const mask = reluTieMask(fused.y, ref.y, () => onComposite(() => tf.tidy(() => batchNormTrain(x, g, b, 1e-5).dataSync() as Float32Array)), what);
  if (mask === null) return ref;
  const masked = tf.tidy(() => tf.mul(dy, tf.tensor(mask, dy.shape)));
  const grads = onComposite(() => batchNormOutputs(batchNormTrain, x, g, b, masked)).grads;
  masked.dispose();
  return { ...ref, grads };
}

test("fused BatchNorm + ReLU equals relu(BatchNorm) on the composite (values, statistics, gradients), ranks 2–5, 1 and 2 threads", { skip }, async () => {
  await nativeReady();
  const isa = loadDnnl().isa;
  const rng = new Rng(41);
  const shapes = [[1, 5, 5, 3], [6, 1], [2, 3, 3, 1], [3, 4, 5, 6, 2], [7, 33], [2, 9, 17], [64, 16, 16, 16], [128, 8, 8, 64], [128, 16, 16, 32], [48, 16, 16, 100], [16, 6, 6, 5]];
  try {
    for (const shape of shapes) {
      const C = shape[shape.length - 1];
      const x = randn(rng, shape, 1.5, 3);
      const g = randn(rng, [C]);
      const b = randn(rng, [C], 0.5);
      const dy = randn(rng, shape);
      const ref = onComposite(() => batchNormOutputs(batchNormReluTrain, x, g, b, dy));
      for (const threads of [1, 2]) {
        setNativeThreads(threads);
        const before = nativeRunCount();
        const fused = batchNormOutputs(batchNormReluTrain, x, g, b, dy);
        assert.ok(nativeRunCount() - before >= 3, `x [${shape}]: the fused kernels did not run`);
        // the unfused native BatchNorm, then ReLU: the same y bit for bit where both are oneDNN's jit
        // kernels (AVX2 and later); below AVX2 the fused pass runs on oneDNN's C++ code, within rounding
        const unfused = tf.tidy(() => tf.relu(batchNormTrain(x, g, b, 1e-5)).dataSync());
        if (isa.avx2) {
          for (let i = 0; i < unfused.length; i++) {
            if (fused.y[i] !== unfused[i]) assert.fail(`x [${shape}], ${threads} thread(s): y[${i}] = ${fused.y[i]} fused, ${unfused[i]} unfused`);
          }
        } else assert.ok(relErr(fused.y, unfused) <= 1e-6, `x [${shape}], ${threads} thread(s), ${isa.name}: fused y differs from unfused by ${relErr(fused.y, unfused)}`);
        const what = `x [${shape}], ${threads} thread(s)`;
        assertOutputsClose(batchNormPairs(fused, withFusedMask(fused, ref, x, g, b, dy, what)), what);
        assert.ok(fused.y.some((v) => v === 0) && fused.y.some((v) => v > 0), `${what}: the data should cut the ReLU both ways`);
      }
      tf.dispose([x, g, b, dy]);
    }
  } finally {
    setNativeThreads(defaultThreads());
  }
});

test("fused BatchNorm + ReLU: an output of exactly 0 passes no gradient, as tf.relu's", { skip }, async () => {
  await nativeReady();
  // constant channels normalise to x̂ = 0, so y = max(β, 0): β = 0 gives exactly 0, β = ±1 either side
  const N = 6;
  const C = 3;
  const xs = new Float32Array(N * C);
  for (let n = 0; n < N; n++) {
    xs[n * C] = 2;
    xs[n * C + 1] = -1;
    xs[n * C + 2] = 0.5 + n; // a varying channel beside them
  }
  const x = tf.tensor(xs, [N, C]);
  const g = tf.tensor1d([1.5, 0.7, 1]);
  const dy = randn(new Rng(43), [N, C]);
  for (const beta of [[0, 0, 0], [1, -1, 0.2], [-1, 1, -0.2]]) {
    const b = tf.tensor1d(beta);
    const fused = batchNormOutputs(batchNormReluTrain, x, g, b, dy);
    const ref = onComposite(() => batchNormOutputs(batchNormReluTrain, x, g, b, dy));
    for (const [name, a, r] of [
      ["y", fused.y, ref.y],
      ["dx", fused.grads[0], ref.grads[0]],
      ["dγ", fused.grads[1], ref.grads[1]],
      ["dβ", fused.grads[2], ref.grads[2]],
    ] as const) {
      const e = relErr(a, r);
      assert.ok(e <= 1e-5, `β ${beta}: ${name} relative error ${e.toExponential(2)}: ${Array.from(a)} vs ${Array.from(r)}`);
    }
    // dβ of a channel whose every output is 0 is exactly 0 (the mask is off everywhere)
    beta.forEach((bv, c) => {
      if (c < 2 && bv <= 0) assert.equal(fused.grads[2][c], 0, `β ${beta}: dβ[${c}] with all outputs 0`);
    });
    b.dispose();
  }
  tf.dispose([x, g, dy]);
});

/** A conv → BatchNorm+ReLU → dense net's loss as a function of all its weights, and the ReLU's pattern. */
function netLoss(rng: Rng): { weights: tf.Variable[]; loss: (ws: tf.Tensor[]) => tf.Scalar; pattern: (ws: tf.Tensor[]) => Uint8Array } {
  const x = randn(rng, [6, 5, 5, 3]);
  const target = randn(rng, [6, 4]);
  const weights = [randn(rng, [3, 3, 3, 8], 0.4), randn(rng, [8], 0.3, 1), randn(rng, [8], 0.3, 0.2), randn(rng, [5 * 5 * 8, 4], 0.1)].map((t) => tf.variable(t));
  const conv = (ws: tf.Tensor[]) => tf.conv2d(x as tf.Tensor4D, ws[0] as tf.Tensor4D, 1, "same");
  const loss = (ws: tf.Tensor[]): tf.Scalar => {
    const h = batchNormReluTrain(conv(ws), ws[1], ws[2]);
    const out = tf.matMul(tf.reshape(h, [6, 5 * 5 * 8]), ws[3] as tf.Tensor2D);
    return tf.mean(tf.square(tf.sub(out, target)));
  };
  const pattern = (ws: tf.Tensor[]): Uint8Array => tf.tidy(() => Uint8Array.from(batchNormTrain(conv(ws), ws[1], ws[2]).dataSync(), (v) => (v > 0 ? 1 : 0)));
  return { weights, loss, pattern };
}

test("second order through the fused kernels: H·v equals the composite's and finite differences of the gradient", { skip }, async () => {
  await nativeReady();
  const rng = new Rng(44);
  const { weights, loss, pattern } = netLoss(rng);
  const v = weights.map((w) => randn(rng, w.shape));
  const nat = nativeHvMatchingComposite(loss, weights, v);
  // Central differences of the gradient with a step that changes no ReLU's side: the gradient is
  // smooth there (it jumps where a BatchNorm output crosses 0, which a fixed step would straddle).
  const at = (sign: number, step: number) => weights.map((w, i) => tf.add(w, tf.mul(v[i], sign * step)));
  const same = (a: Uint8Array, b: Uint8Array) => a.every((q, i) => q === b[i]);
  const base = pattern(weights);
  let h = 1e-2;
  for (;;) {
    const [p, m] = [at(1, h), at(-1, h)];
    const unchanged = same(pattern(p), base) && same(pattern(m), base);
    tf.dispose([...p, ...m]);
    if (unchanged) break;
    h /= 2;
    assert.ok(h > 1e-5, "no step down to 1e-5 keeps every ReLU on its side");
  }
  const gradAt = (sign: number): Float32Array[] =>
    tf.tidy(() => tf.grads((...wi: tf.Tensor[]) => loss(wi))(at(sign, h)).map((t) => t.dataSync() as Float32Array));
  const plus = gradAt(1);
  const minus = gradAt(-1);
  assertHvMatchesDifferences(nat, plus, minus, h);
  tf.dispose([...weights, ...v]);
});

test("the fused backward kernel refuses a mask that is not its forward's, and float inputs of the wrong size", { skip }, async () => {
  await nativeReady();
  const rng = new Rng(45);
  const x = randn(rng, [4, 3, 3, 8]);
  const g = randn(rng, [8]);
  const b = randn(rng, [8]);
  const run = (name: string, inputs: Record<string, tf.Tensor>) => tf.engine().runKernel(name, inputs, { epsilon: 1e-5 }) as unknown as tf.Tensor[];
  const [y, mean, variance, mask] = run(BATCHNORM_RELU_KERNELS.forward, { x, gamma: g, beta: b });
  assert.equal(mask.dtype, "bool");
  const dy = randn(rng, x.shape);
  const back = (over: Record<string, tf.Tensor>) => () => run(BATCHNORM_RELU_KERNELS.backward, { x, gamma: g, dy, mean, variance, mask, y, ...over });
  const ok = back({})();
  assert.equal(ok.length, 3);
  assert.throws(back({ mask: tf.zeros(mask.shape) }), /input mask must be the bool tensor \[\d+\].*got float32/);
  assert.throws(back({ mask: tf.zeros([mask.size + 1], "bool") }), /input mask must be the bool tensor/);
  assert.throws(back({ y: tf.zeros([5]) }), /input y \[5\] does not fit x \[4,3,3,8\]/);
  assert.throws(() => run(BATCHNORM_RELU_KERNELS.forward, { x: tf.zeros(x.shape, "int32"), gamma: g, beta: b }), /input x must be a float32 tensor, got int32/);
  tf.dispose([x, g, b, y, mean, variance, mask, dy, ...ok]);
});

test("without the fused kernels (cpu backend) batchNormReluTrain equals a brute-force loop: y, dγ and dβ", async () => {
  const previous = tf.getBackend();
  await tf.setBackend("cpu");
  try {
    const rng = new Rng(46);
    const [M, C] = [20, 3];
    const x = randn(rng, [5, 4, C]);
    const g = randn(rng, [C]);
    const b = randn(rng, [C], 0.5);
    const dy = randn(rng, [5, 4, C]);
    const out = batchNormOutputs(batchNormReluTrain, x, g, b, dy);
    // in double precision: y = max(γ·x̂ + β, 0), dβ = Σ dy·[y > 0], dγ = Σ dy·[y > 0]·x̂
    const [xs, gs, bs, ds] = [x, g, b, dy].map((t) => t.dataSync());
    const y = new Float64Array(M * C);
    const dGamma = new Float64Array(C);
    const dBeta = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let mean = 0;
      for (let i = 0; i < M; i++) mean += xs[i * C + c] / M;
      let variance = 0;
      for (let i = 0; i < M; i++) variance += (xs[i * C + c] - mean) ** 2 / M;
      for (let i = 0; i < M; i++) {
        const xhat = (xs[i * C + c] - mean) / Math.sqrt(variance + 1e-5);
        const pre = gs[c] * xhat + bs[c];
        y[i * C + c] = Math.max(pre, 0);
        if (pre > 0) {
          dBeta[c] += ds[i * C + c];
          dGamma[c] += ds[i * C + c] * xhat;
        }
      }
    }
    assertOutputsClose(
      [
        ["y", out.y, y],
        ["dγ", out.grads[1], dGamma],
        ["dβ", out.grads[2], dBeta],
      ],
      "cpu composite vs loop",
    );
    assert.ok(y.some((v) => v === 0) && y.some((v) => v > 0), "the data should cut the ReLU both ways");
    tf.dispose([x, g, b, dy]);
  } finally {
    if (previous) await tf.setBackend(previous);
  }
});
