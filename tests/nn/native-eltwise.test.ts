import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/util/rng";
import { installNativeKernels, nativeRunCount, setNativeThreads, defaultThreads, uninstallNativeKernels } from "../../src/nn/native";
import { RELU6_GRAD_KERNEL, RELU_GRAD_KERNEL, relu6Backward, reluBackward } from "../../src/nn/relu-grad";
import { nativeReady, nativeSkip, relErr } from "./native-test-util";

// The elementwise kernels on oneDNN (nn/native/eltwise) against tfjs's cpu backend: each output
// element is one float operation on the same inputs, so results must be identical, not close.
// The ReLU gradient kernel against tfjs's composite dy·step(x), and second order through it
// against the composite and against finite differences.

const skip = nativeSkip;
const ready = nativeReady;

function data(rng: Rng, n: number): Float32Array {
  const v = Float32Array.from({ length: n }, () => rng.normal());
  // exact zeros and negative zeros: ReLU's kink, where the gradient must be 0 as in tfjs
  for (let i = 0; i < n; i += 97) v[i] = i % 2 ? 0 : -0;
  return v;
}

async function runOn(backend: "wasm" | "cpu", kernel: string, inputs: Record<string, [Float32Array, number[]]>): Promise<Float32Array> {
  await tf.setBackend(backend);
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, [d, s]] of Object.entries(inputs)) ts[k] = tf.tensor(d, s);
  const out = tf.engine().runKernel(kernel, ts as tf.NamedTensorMap) as tf.Tensor;
  const v = out.dataSync() as Float32Array;
  tf.dispose([out, ...Object.values(ts)]);
  await tf.setBackend("wasm");
  return v;
}

/** Shapes from below the threading threshold (stays on wasm) to above it (native, 2 threads). */
const SHAPES = [[7], [3, 1000], [1 << 20], [2, 400, 401, 4], [128, 32, 32, 16]];

test("native Relu, Add and Multiply equal the cpu kernels exactly, and take the large tensors", { skip }, async () => {
  await ready();
  const rng = new Rng(21);
  setNativeThreads(2);
  try {
    let natives = 0;
    for (const shape of SHAPES) {
      const n = shape.reduce((a, b) => a * b, 1);
      const a: [Float32Array, number[]] = [data(rng, n), shape];
      const b: [Float32Array, number[]] = [data(rng, n), shape];
      for (const [kernel, inputs] of [
        ["Relu", { x: a }],
        ["Add", { a, b }],
        ["Multiply", { a, b }],
      ] as const) {
        const before = nativeRunCount();
        const native = await runOn("wasm", kernel, inputs);
        natives += nativeRunCount() - before;
        assert.deepEqual(native, await runOn("cpu", kernel, inputs), `${kernel} [${shape}]`);
      }
    }
    // three shapes of at least 1 M elements, three kernels each
    assert.equal(natives, 9, `${natives} of the 9 large elementwise calls ran natively`);
  } finally {
    setNativeThreads(defaultThreads());
  }
});

test("Add and Multiply with broadcasting stay on wasm and stay correct", { skip }, async () => {
  await ready();
  const rng = new Rng(22);
  setNativeThreads(2);
  try {
    const shape = [64, 32, 32, 16];
    const inputs: Record<string, [Float32Array, number[]]> = { a: [data(rng, 1 << 20), shape], b: [data(rng, 16), [16]] };
    for (const kernel of ["Add", "Multiply"]) {
      const before = nativeRunCount();
      const native = await runOn("wasm", kernel, inputs);
      assert.equal(nativeRunCount(), before, `${kernel} with a broadcast operand went native`);
      assert.deepEqual(native, await runOn("cpu", kernel, inputs));
    }
  } finally {
    setNativeThreads(defaultThreads());
  }
});

test("the native ReLU gradient equals dy·step(x) exactly at 1 and 2 threads, zeros included", { skip }, async () => {
  await ready();
  const rng = new Rng(23);
  try {
    for (const threads of [1, 2]) {
      setNativeThreads(threads);
      for (const shape of SHAPES) {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = data(rng, n);
        const dy = data(rng, n);
        const before = nativeRunCount();
        const native = await runOn("wasm", RELU_GRAD_KERNEL, { dy: [dy, shape], x: [x, shape] });
        assert.equal(nativeRunCount(), before + 1, `${RELU_GRAD_KERNEL} [${shape}] did not run natively`);
        // tfjs's dy·step(x), sign of zero included (−0 where dy < 0 and x ≤ 0)
        const want = Float32Array.from(x, (xi, i) => dy[i] * (xi > 0 ? 1 : 0));
        assert.deepEqual(native, want, `${RELU_GRAD_KERNEL} [${shape}] at ${threads} thread(s)`);
      }
    }
  } finally {
    setNativeThreads(defaultThreads());
  }
});

test("the native ReLU6 gradient equals tfjs's mask (0 < x ≤ 6) exactly at 1 and 2 threads, both ends and zeros included", { skip }, async () => {
  await ready();
  const rng = new Rng(25);
  try {
    for (const threads of [1, 2]) {
      setNativeThreads(threads);
      for (const shape of SHAPES) {
        const n = shape.reduce((a, b) => a * b, 1);
        // spread over both kinks, with exact 0, −0, 6 and the floats either side of 6
        const x = Float32Array.from(data(rng, n), (v) => v * 4 + 3);
        for (let i = 0; i < n; i += 89) x[i] = [6, Math.fround(6 + 4.8e-7), Math.fround(6 - 4.8e-7), 0, -0][(i / 89) % 5];
        const dy = data(rng, n);
        const before = nativeRunCount();
        const native = await runOn("wasm", RELU6_GRAD_KERNEL, { dy: [dy, shape], x: [x, shape] });
        assert.equal(nativeRunCount(), before + 1, `${RELU6_GRAD_KERNEL} [${shape}] did not run natively`);
        // tfjs's dy·cast(lessEqual(x, 6)·step(x)), sign of zero included
        const want = Float32Array.from(x, (xi, i) => dy[i] * (xi > 0 && xi <= 6 ? 1 : 0));
        assert.deepEqual(native, want, `${RELU6_GRAD_KERNEL} [${shape}] at ${threads} thread(s)`);
      }
    }
  } finally {
    setNativeThreads(defaultThreads());
  }
});

test("training gradients and H·v through ReLU6 with the native kernel equal the composite's", { skip }, async () => {
  await ready();
  const rng = new Rng(26);
  const n = 600_000;
  const t = (f: () => number): tf.Tensor => tf.tensor(Float32Array.from({ length: n }, f), [n]);
  const x = t(() => rng.normal() * 3);
  const c = t(() => rng.normal());
  const w = t(() => rng.normal() * 2);
  const v = t(() => rng.normal());
  const loss = (wt: tf.Tensor): tf.Scalar => tf.sum(tf.mul(c, tf.square(tf.relu6(tf.mul(x, wt)))));
  const both = (): { grad: Float32Array; hv: Float32Array } => {
    const gradL = tf.grad(loss);
    return {
      grad: tf.tidy(() => gradL(w).dataSync() as Float32Array),
      hv: tf.tidy(() => tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(gradL(wt), v)))(w).dataSync() as Float32Array),
    };
  };
  setNativeThreads(2);
  try {
    const before = nativeRunCount();
    const native = both();
    assert.ok(nativeRunCount() - before >= 2, "the ReLU6 gradient kernel did not run natively");
    uninstallNativeKernels();
    let composite: { grad: Float32Array; hv: Float32Array };
    try {
      assert.equal(tf.getKernel(RELU6_GRAD_KERNEL, "wasm"), undefined, "uninstall left the ReLU6 gradient kernel registered");
      composite = both();
    } finally {
      installNativeKernels();
    }
    assert.deepEqual(native.grad, composite.grad, "gradient differs from the composite's");
    assert.ok(relErr(native.hv, composite.hv) <= 1e-6, `H·v differs from the composite by ${relErr(native.hv, composite.hv)}`);
  } finally {
    setNativeThreads(defaultThreads());
    tf.dispose([x, c, w, v]);
  }
});

test("the ReLU gradient kernel refuses mismatched shapes and dtypes with what it got", { skip }, async () => {
  await ready();
  const dy = tf.zeros([4, 3]);
  const x = tf.zeros([3, 4]);
  assert.throws(() => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }), /SnnReluGrad needs float32 dy and x of one shape, got dy float32 \[4,3\], x float32 \[3,4\]/);
  tf.dispose([dy, x]);
});

/** L(w) = Σ c·relu(x·w)², its gradient, and H·v = ∇⟨∇L(w), v⟩: second order through ReLU's gradient. */
function hessianVector(x: tf.Tensor, c: tf.Tensor, w: tf.Tensor, v: tf.Tensor): { grad: Float32Array; hv: Float32Array } {
  const loss = (wt: tf.Tensor): tf.Scalar => tf.sum(tf.mul(c, tf.square(tf.relu(tf.mul(x, wt)))));
  const gradL = tf.grad(loss);
  const grad = tf.tidy(() => gradL(w).dataSync() as Float32Array);
  const hv = tf.tidy(() => tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(gradL(wt), v)))(w).dataSync() as Float32Array);
  return { grad, hv };
}

test("second order through the native ReLU (H·v) equals the composite and finite differences", { skip }, async () => {
  await ready();
  const rng = new Rng(24);
  const n = 600_000;
  const shape = [n];
  const t = (f: () => number): tf.Tensor => tf.tensor(Float32Array.from({ length: n }, f), shape);
  const x = t(() => rng.normal());
  const c = t(() => rng.normal());
  const w = t(() => rng.normal());
  const v = t(() => rng.normal());
  setNativeThreads(2);
  try {
    const before = nativeRunCount();
    const native = hessianVector(x, c, w, v);
    assert.ok(nativeRunCount() - before >= 3, "the forward ReLU and its gradients did not run natively");
    uninstallNativeKernels();
    let composite: { grad: Float32Array; hv: Float32Array };
    try {
      assert.equal(tf.getKernel(RELU_GRAD_KERNEL, "wasm"), undefined, "uninstall left the ReLU gradient kernel registered");
      composite = hessianVector(x, c, w, v);
    } finally {
      installNativeKernels();
    }
    assert.ok(relErr(native.grad, composite.grad) <= 1e-6, `gradient differs from the composite by ${relErr(native.grad, composite.grad)}`);
    assert.ok(relErr(native.hv, composite.hv) <= 1e-6, `H·v differs from the composite by ${relErr(native.hv, composite.hv)}`);
    // H·v by central differences of the gradient along v (the loss is piecewise quadratic in w:
    // exact away from kinks, and a step of 1e-3 crosses none for almost every element)
    const h = 1e-3;
    const gp = tf.tidy(() => tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(c, tf.square(tf.relu(tf.mul(x, wt))))))(tf.add(w, tf.mul(v, h))).dataSync() as Float32Array);
    const gm = tf.tidy(() => tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(c, tf.square(tf.relu(tf.mul(x, wt))))))(tf.sub(w, tf.mul(v, h))).dataSync() as Float32Array);
    const fd = gp.map((g, i) => (g - gm[i]) / (2 * h));
    let agree = 0;
    for (let i = 0; i < n; i++) if (Math.abs(fd[i] - native.hv[i]) <= 1e-2 * (1 + Math.abs(native.hv[i]))) agree++;
    assert.ok(agree >= 0.999 * n, `H·v agrees with finite differences on ${agree} of ${n} elements`);
  } finally {
    setNativeThreads(defaultThreads());
    tf.dispose([x, c, w, v]);
  }
});

test("relu6Backward falls back to tfjs's mask off the native backend", async () => {
  const before = tf.getBackend();
  await tf.setBackend("cpu");
  try {
    const dy = tf.tensor1d([1, 2, 3, 4, 5]);
    const x = tf.tensor1d([-1, 0, 2, 6, 7]);
    assert.deepEqual(Array.from(relu6Backward(dy, x).dataSync()), [0, 0, 3, 4, 0]);
    tf.dispose([dy, x]);
  } finally {
    if (before) await tf.setBackend(before);
  }
});

test("reluBackward falls back to dy·step(x) off the native backend", async () => {
  const before = tf.getBackend();
  await tf.setBackend("cpu");
  try {
    const dy = tf.tensor1d([1, 2, 3, 4]);
    const x = tf.tensor1d([-1, 0, 2, 5]);
    assert.deepEqual(Array.from(reluBackward(dy, x).dataSync()), [0, 0, 3, 4]);
    tf.dispose([dy, x]);
  } finally {
    if (before) await tf.setBackend(before);
  }
});
