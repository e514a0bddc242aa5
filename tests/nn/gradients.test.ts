import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/util/rng";
import { initBackend } from "../../src/nn/backend";
import { registerFastGradients } from "../../src/nn/gradients";
import { batchNormTrain } from "../../src/nn/batchnorm-ops";
import { crossEntropy } from "../../src/nn/loss";

// Reference: tfjs's *stock* gradients on the cpu backend, computed before our replacement
// gradients are registered (registration is global). Then the same gradients with our kernels on wasm.

function rand(rng: Rng, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.normal();
  return tf.tensor(d, shape);
}

interface Case {
  name: string;
  run: (rng: Rng) => { inputs: tf.Tensor[]; f: (...t: tf.Tensor[]) => tf.Scalar };
}

// A loss with a random linear functional of the output exercises every output position.
function weighted(y: tf.Tensor, seed: number): tf.Scalar {
  const w = rand(new Rng(seed), y.shape);
  return tf.sum(tf.mul(y, w)) as tf.Scalar;
}

const cases: Case[] = [];
for (const stride of [1, 2]) {
  // a number: PyTorch's symmetric padding, which nn/model passes where 'same' pads differently
  for (const pad of ["same", "valid", 1, 2] as const) {
    for (const [h, k, ci, co] of [[7, 3, 3, 4], [8, 3, 2, 5], [6, 1, 4, 3], [9, 5, 2, 2]]) {
      cases.push({
        name: `conv2d h${h} k${k} s${stride} ${pad} ${ci}->${co}`,
        run: (rng) => ({
          inputs: [rand(rng, [2, h, h + 1, ci]), rand(rng, [k, k, ci, co])],
          f: (x, w) => weighted(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad), 7),
        }),
      });
      cases.push({
        name: `depthwise h${h} k${k} s${stride} ${pad} c${ci}`,
        run: (rng) => ({
          inputs: [rand(rng, [2, h, h, ci]), rand(rng, [k, k, ci, 1])],
          f: (x, w) => weighted(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad), 8),
        }),
      });
    }
  }
}
for (const [h, w] of [[8, 8], [7, 9]]) {
  cases.push({
    name: `maxpool2 ${h}x${w}`,
    run: (rng) => ({ inputs: [rand(rng, [2, h, w, 3])], f: (x) => weighted(tf.maxPool(x as tf.Tensor4D, 2, 2, "valid"), 9) }),
  });
}
for (const [k, s, pad] of [[3, 1, "same"], [3, 2, "same"], [3, 1, "valid"], [2, 1, "same"], [3, 2, "valid"]] as const) {
  cases.push({
    name: `maxpool k${k} s${s} ${pad} (general path)`,
    run: (rng) => ({ inputs: [rand(rng, [2, 7, 6, 2])], f: (x) => weighted(tf.maxPool(x as tf.Tensor4D, k, s, pad), 10) }),
  });
}
for (const [k, s, pad] of [[2, 2, "valid"], [3, 1, "valid"], [3, 2, "valid"], [4, 4, "valid"], [3, 2, "same"]] as const) {
  cases.push({
    name: `avgpool k${k} s${s} ${pad}`,
    run: (rng) => ({ inputs: [rand(rng, [2, 9, 8, 3])], f: (x) => weighted(tf.avgPool(x as tf.Tensor4D, k, s, pad), 13) }),
  });
}
for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
  cases.push({
    name: `matMul tA=${ta} tB=${tb}`,
    run: (rng) => ({
      inputs: [rand(rng, ta ? [5, 4] : [4, 5]), rand(rng, tb ? [3, 5] : [5, 3])],
      f: (a, b) => weighted(tf.matMul(a, b, ta, tb), 11),
    }),
  });
}
for (const [kind, axes] of [["mean", [1, 2]], ["sum", [0, 3]], ["mean", undefined], ["sum", [1]]] as const) {
  cases.push({
    name: `${kind} over ${axes ? `axes ${axes}` : "all axes"}`,
    run: (rng) => ({
      inputs: [rand(rng, [3, 4, 5, 6])],
      f: (x) => weighted(kind === "mean" ? tf.mean(x, axes ? [...axes] : undefined) : tf.sum(x, axes ? [...axes] : undefined), 14),
    }),
  });
}
cases.push({
  name: "batchNorm (fast op vs stock moments+batchNorm)",
  run: (rng) => ({
    inputs: [rand(rng, [4, 3, 3, 5]), rand(rng, [5]), rand(rng, [5])],
    // the reference side is evaluated with stock ops; our side swaps in batchNormTrain below
    f: (x, g, b) => weighted(tf.relu(bnStock(x, g, b)), 12),
  }),
});
cases.push({
  name: "crossEntropy vs tf.losses.softmaxCrossEntropy",
  run: (rng) => {
    const y = tf.oneHot(tf.tensor1d([0, 3, 2, 1], "int32"), 4) as tf.Tensor2D;
    return { inputs: [rand(rng, [4, 4])], f: (l) => (useFast ? crossEntropy(l as tf.Tensor2D, y) : tf.losses.softmaxCrossEntropy(y, l as tf.Tensor2D) as tf.Scalar) };
  },
});

let useFast = false;
function bnStock(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (useFast) return batchNormTrain(x, g, b, 1e-5);
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, b, g, 1e-5);
}

function computeAll(): Array<{ value: number; grads: Float32Array[] }> {
  return cases.map((c, i) =>
    tf.tidy(() => {
      const { inputs, f } = c.run(new Rng(100 + i));
      const { value, grads } = tf.valueAndGrads((...t: tf.Tensor[]) => f(...t))(inputs);
      return { value: value.dataSync()[0], grads: grads.map((g) => g.dataSync() as Float32Array) };
    }),
  );
}

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-30);
}

test("replacement gradients on wasm equal the cpu backend's stock gradients", async () => {
  await tf.setBackend("cpu");
  const stock = computeAll();
  registerFastGradients();
  const info = await initBackend("wasm");
  assert.equal(info.backend, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  useFast = true;
  const fast = computeAll();
  for (let i = 0; i < cases.length; i++) {
    // forward values: sums of many float32 terms, accumulated in different orders by the two backends
    assert.ok(Math.abs(fast[i].value - stock[i].value) <= 1e-4 * Math.max(1, Math.abs(stock[i].value)), `${cases[i].name}: value ${fast[i].value} vs ${stock[i].value}`);
    assert.equal(fast[i].grads.length, stock[i].grads.length);
    for (let j = 0; j < stock[i].grads.length; j++) {
      const tol = cases[i].name.startsWith("batchNorm") ? 1e-4 : 1e-5; // BN: float32 cancellation in the variance
      const e = relErr(fast[i].grads[j], stock[i].grads[j]);
      assert.ok(e <= tol, `${cases[i].name}: grad ${j} relative error ${e} ${Array.from(fast[i].grads[j].slice(0, 12))} vs ${Array.from(stock[i].grads[j].slice(0, 12))}`);
    }
  }
});

test("Hessian-vector products through the replacement gradients match finite differences", async () => {
  await initBackend("wasm");
  // Smooth tiny net (tanh, BN, conv s2, depthwise, avgpool; maxpool-free) so central differences are accurate.
  const rng = new Rng(5);
  const x = rand(rng, [6, 6, 6, 2]) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], "int32"), 3) as tf.Tensor2D;
  const W = [tf.mul(rand(rng, [3, 3, 2, 4]), 0.4), tf.mul(rand(rng, [3, 3, 4, 1]), 0.4), tf.mul(rand(rng, [16, 3]), 0.2), rand(rng, [4]), rand(rng, [4])];
  const loss = (w: tf.Tensor[]): tf.Scalar => {
    let h: tf.Tensor = tf.conv2d(x, w[0] as tf.Tensor4D, 2, "same"); // [6,3,3,4]
    h = tf.tanh(batchNormTrain(h, w[3], w[4]));
    h = tf.sigmoid(tf.depthwiseConv2d(h as tf.Tensor4D, w[1] as tf.Tensor4D, 1, "same"));
    h = tf.avgPool(h as tf.Tensor4D, 2, 1, "valid"); // [6,2,2,4]
    const logits = tf.matMul(tf.reshape(h, [6, 16]), w[2]) as tf.Tensor2D;
    return crossEntropy(logits, y);
  };
  const v = W.map((w, i) => rand(new Rng(50 + i), w.shape));
  const hv = tf.grads((...ws: tf.Tensor[]) => {
    const g = tf.grads((...u: tf.Tensor[]) => loss(u))(ws);
    return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, v[i])))) as tf.Scalar;
  })(W);
  const eps = 1e-2;
  const gp = tf.grads((...u: tf.Tensor[]) => loss(u))(W.map((w, i) => tf.add(w, tf.mul(v[i], eps))));
  const gm = tf.grads((...u: tf.Tensor[]) => loss(u))(W.map((w, i) => tf.sub(w, tf.mul(v[i], eps))));
  let dot = 0;
  let na = 0;
  let nb = 0;
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < W.length; i++) {
    const a = hv[i].dataSync();
    const p = gp[i].dataSync();
    const m = gm[i].dataSync();
    for (let j = 0; j < a.length; j++) {
      const fd = (p[j] - m[j]) / (2 * eps);
      dot += a[j] * fd;
      na += a[j] * a[j];
      nb += fd * fd;
      maxDiff = Math.max(maxDiff, Math.abs(a[j] - fd));
      maxRef = Math.max(maxRef, Math.abs(fd));
    }
  }
  const cos = dot / Math.sqrt(na * nb);
  assert.ok(nb > 0 && na > 0, "Hv must not vanish");
  assert.ok(cos > 0.9999, `cosine(exact Hv, FD Hv) = ${cos}`);
  assert.ok(maxDiff / maxRef < 1e-2, `max |Hv − FD| / max|FD| = ${maxDiff / maxRef}`);
});

test("Mean and Sum gradients give every element its window's dy (÷ the count for Mean), bit for bit", async () => {
  await initBackend("wasm");
  const rng = new Rng(15);
  const shape = [5, 6, 7, 3];
  const x = rand(rng, shape);
  const dy = rand(rng, [5, 3]);
  const dyv = dy.dataSync();
  for (const kind of ["mean", "sum"] as const) {
    const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(kind === "mean" ? tf.mean(t, [1, 2]) : tf.sum(t, [1, 2]), dy)))(x).dataSync());
    const want = new Float32Array(5 * 6 * 7 * 3);
    for (let i = 0; i < want.length; i++) {
      const n = Math.floor(i / (6 * 7 * 3));
      const c = i % 3;
      want[i] = kind === "mean" ? Math.fround(dyv[n * 3 + c] / 42) : dyv[n * 3 + c];
    }
    assert.deepEqual(g, want, kind);
  }
  tf.dispose([x, dy]);
});
