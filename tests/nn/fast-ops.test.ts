import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/nn/backend";
import { batchNormTrain, channelOp, meanAllButLast } from "../../src/nn/batchnorm-ops";
import { buildModel, loadHostWeights, modelToHost } from "../../src/nn/model";
import type { ArchSpec } from "../../src/nn/spec";
import { Rng } from "../../src/util/rng";

function rand(rng: Rng, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
}

// rank 4 with a spatial map (AvgPool path), rank 4 with 1×1 maps and rank 2 (matMul path)
const SHAPES = [[3, 5, 7, 4], [6, 1, 1, 3], [9, 6], [128, 28, 28, 8]];

test("meanAllButLast equals a host float64 mean, and its gradient is dy/M broadcast (also second order)", async () => {
  await initBackend("wasm");
  const rng = new Rng(1);
  for (const shape of SHAPES) {
    const x = rand(rng, shape);
    const C = shape[shape.length - 1];
    const M = x.size / C;
    const xs = x.dataSync();
    const got = meanAllButLast(x).dataSync();
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += xs[i * C + c];
      assert.ok(Math.abs(got[c] - s / M) <= 1e-5, `[${shape}] channel ${c}: ${got[c]} vs ${s / M}`);
    }
    const v = rand(rng, [C]);
    const vs = v.dataSync();
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(meanAllButLast(t), v)))(x).dataSync();
    for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i] - vs[i % C] / M) <= 1e-7, `[${shape}] grad[${i}]`);
    // d/dx of Σ (∂/∂x Σ mean(x²)·v)·w: second order through the custom gradient, = 2·v_c·w_i/M
    if (shape.length === 2) {
      const w = rand(rng, shape);
      const ws = w.dataSync();
      const h = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(meanAllButLast(tf.square(u)), v)))(t), w)))(x).dataSync();
      for (let i = 0; i < h.length; i++) assert.ok(Math.abs(h[i] - (2 * vs[i % C] * ws[i]) / M) <= 1e-6, `[${shape}] second order [${i}]: ${h[i]}`);
    }
  }
});

test("channelOp gives exactly the plain broadcast op, for row widths with and without divisors", async () => {
  await initBackend("wasm");
  const rng = new Rng(2);
  for (const shape of [...SHAPES, [7, 13], [1, 3, 3, 5]]) {
    const C = shape[shape.length - 1];
    const x = rand(rng, shape);
    const v = rand(rng, [C]);
    for (const kind of ["add", "sub", "mul"] as const) {
      const a = channelOp(kind, x, v);
      assert.deepEqual(a.shape, shape);
      const b = kind === "add" ? tf.add(x, v) : kind === "sub" ? tf.sub(x, v) : tf.mul(x, v);
      const ad = a.dataSync();
      const bd = b.dataSync();
      for (let i = 0; i < ad.length; i++) assert.ok(ad[i] === bd[i], `${kind} [${shape}] [${i}]: ${ad[i]} vs ${bd[i]}`);
    }
  }
  assert.throws(() => channelOp("add", tf.zeros([2, 3]), tf.zeros([4])), /nn\/batchnorm-ops: channelOp/);
});

test("BatchNorm1d (rank 2): forward and gradients match primitive-op BatchNorm", async () => {
  await initBackend("wasm");
  const rng = new Rng(3);
  const x = rand(rng, [16, 5]);
  const g = rand(rng, [5]);
  const b = rand(rng, [5]);
  const w = rand(rng, [16, 5]);
  const ref = (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor): tf.Tensor => {
    const mean = tf.mean(xi, 0);
    const xc = tf.sub(xi, mean);
    const variance = tf.mean(tf.square(xc), 0);
    return tf.add(tf.mul(tf.div(xc, tf.sqrt(tf.add(variance, 1e-5))), gi), bi);
  };
  const loss = (f: typeof ref) => (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.tanh(f(xi, gi, bi)), w)) as tf.Scalar;
  const fast = tf.grads(loss((xi, gi, bi) => batchNormTrain(xi, gi, bi, 1e-5)))([x, g, b]);
  const slow = tf.grads(loss(ref))([x, g, b]);
  for (let k = 0; k < 3; k++) {
    const a = fast[k].dataSync();
    const r = slow[k].dataSync();
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - r[i]) <= 1e-4 * Math.max(1, Math.abs(r[i])), `grad ${k}[${i}]: ${a[i]} vs ${r[i]}`);
  }
  const yf = batchNormTrain(x, g, b).dataSync();
  const yr = ref(x, g, b).dataSync();
  for (let i = 0; i < yf.length; i++) assert.ok(Math.abs(yf[i] - yr[i]) <= 1e-5 * Math.max(1, Math.abs(yr[i])));
});

test("frozen all-zero biases are skipped without changing outputs; nonzero or overridden biases are added", async () => {
  await initBackend("wasm");
  const spec: ArchSpec = {
    name: "b", inputChannels: 1, inputSize: 4, classes: 3,
    layers: [
      { kind: "conv2d", name: "c", inChannels: 1, outChannels: 2, kernel: 3, stride: 1, padding: 1, groups: 1, bias: true, role: "conv" },
      { kind: "relu" }, { kind: "flatten" },
      { kind: "linear", name: "fc", inFeatures: 32, outFeatures: 3, bias: true },
    ],
  };
  const model = buildModel(spec, { seed: 5 });
  const x = rand(new Rng(6), [2, 4, 4, 1]) as tf.Tensor4D;
  const zero = model.forward(x, { training: true }).dataSync();
  // the same computation with the zero biases passed explicitly (always added)
  const explicit = new Map<string, tf.Tensor>([["c.bias", tf.zeros([2])], ["fc.bias", tf.zeros([3])]]);
  const withAdd = model.forward(x, { training: true }, explicit).dataSync();
  assert.deepEqual(Array.from(zero), Array.from(withAdd));
  // a nonzero frozen bias (loaded weights) is added: the output moves by exactly the fc bias
  const host = modelToHost(model).weights;
  const fcb = { shape: [3], data: Float32Array.from([0.5, -1, 2]) };
  host.set("fc.bias", fcb);
  loadHostWeights(model, host);
  const moved = model.forward(x, { training: true }).dataSync();
  for (let i = 0; i < moved.length; i++) assert.ok(Math.abs(moved[i] - zero[i] - fcb.data[i % 3]) <= 1e-6, `output[${i}]`);
  model.dispose();
});
