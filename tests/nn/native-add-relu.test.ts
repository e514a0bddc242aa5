import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/util/rng";
import { defaultThreads, nativeRunCount, setNativeThreads } from "../../src/nn/native";
import { ADD_RELU_KERNEL, addRelu } from "../../src/nn/add-relu";
import { buildArchitecture } from "../../src/nn/architectures";
import { buildModel } from "../../src/nn/model";
import { liftDagToArchSpec } from "../../src/nn/dag-lift";
import { torchvisionResnet } from "../../src/nn/torchvision-resnet";
import { crossEntropy } from "../../src/nn/loss";
import { datasetPruneData, prune } from "../../src/pruning/index";
import { syntheticQuadrants } from "../train/tiny-fixtures";
import { assertNoLeak } from "../tensor-leaks";
import { assertHvMatchesDifferences, nativeHvMatchingComposite, nativeReady, nativeSkip, onComposite } from "./native-test-util";

// nn/add-relu's fused max(a + b, 0) on oneDNN (a binary add with a ReLU post-op) against tfjs's
// cpu backend computing relu(add(a, b)): one float addition and one comparison per element, so the
// outputs must be identical. Its gradient against the composite's, and second order through it
// against the composite and finite differences.

const skip = nativeSkip;
const ready = nativeReady;

/** Normal values with exact zeros of both signs and exact cancellations (a + b = ±0): ReLU's kink. */
function pair(rng: Rng, n: number): [Float32Array, Float32Array] {
  const a = Float32Array.from({ length: n }, () => rng.normal());
  const b = Float32Array.from({ length: n }, () => rng.normal());
  for (let i = 0; i < n; i += 53) {
    if (i % 3 === 0) b[i] = -a[i];
    else if (i % 3 === 1) (a[i] = -0), (b[i] = -0);
    else (a[i] = 0), (b[i] = -0);
  }
  return [a, b];
}

async function onCpu(f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend("cpu");
  try {
    return tf.tidy(() => f().dataSync() as Float32Array);
  } finally {
    await tf.setBackend("wasm");
  }
}

/** From a size one thread takes (kept there by the thread cap) to ones that get two. */
const SHAPES = [[1], [7], [3, 1000], [1 << 19], [1 << 20], [128, 32, 32, 16]];

test("addRelu on the native kernel equals the cpu backend's relu(a + b) exactly at 1 and 2 threads, zeros and cancellations included", { skip }, async () => {
  await ready();
  const rng = new Rng(31);
  try {
    for (const threads of [1, 2]) {
      setNativeThreads(threads);
      for (const shape of SHAPES) {
        const n = shape.reduce((x, y) => x * y, 1);
        const [a, b] = pair(rng, n);
        const before = nativeRunCount();
        const native = tf.tidy(() => addRelu(tf.tensor(a, shape), tf.tensor(b, shape)).dataSync() as Float32Array);
        assert.equal(nativeRunCount(), before + 1, `${ADD_RELU_KERNEL} [${shape}] did not run natively`);
        const want = await onCpu(() => tf.relu(tf.add(tf.tensor(a, shape), tf.tensor(b, shape))));
        assert.deepEqual(native, want, `addRelu [${shape}] at ${threads} thread(s)`);
      }
    }
  } finally {
    setNativeThreads(defaultThreads());
  }
});

/** L(w₁, w₂) = Σ c·max(x·w₁ + w₂, 0)²: a residual sum (both inputs carry weights) through the fused op. */
function loss(x: tf.Tensor, c: tf.Tensor): (ws: tf.Tensor[]) => tf.Scalar {
  return ([w1, w2]) => tf.sum(tf.mul(c, tf.square(addRelu(tf.mul(x, w1), w2))));
}

test("the gradient through addRelu equals the composite's exactly for both inputs, and H·v matches the composite and finite differences", { skip }, async () => {
  await ready();
  const rng = new Rng(32);
  const n = 1 << 20;
  const t = (f: () => number): tf.Tensor => tf.tensor(Float32Array.from({ length: n }, f), [n]);
  const [x, c, w1, w2, v1, v2] = [t(() => rng.normal()), t(() => rng.normal()), t(() => rng.normal()), t(() => rng.normal()), t(() => rng.normal()), t(() => rng.normal())];
  const L = loss(x, c);
  const grads = (): Float32Array[] => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => L([a, b]))([w1, w2]).map((g) => g.dataSync() as Float32Array));
  setNativeThreads(2);
  try {
    const before = nativeRunCount();
    const native = grads();
    assert.ok(nativeRunCount() - before >= 2, "the fused op and its gradient did not run natively");
    const composite = onComposite(() => {
      assert.equal(tf.getKernel(ADD_RELU_KERNEL, "wasm"), undefined, "uninstall left the fused kernel registered");
      return grads();
    });
    assert.deepEqual(native[0], composite[0], "∂L/∂w₁ differs from the composite's");
    assert.deepEqual(native[1], composite[1], "∂L/∂w₂ differs from the composite's");
    // H·v: second order through the fused op's gradient (nn/relu-grad's kernel and its own gradient)
    const hv = nativeHvMatchingComposite(L, [w1, w2], [v1, v2]);
    // central differences: the loss is piecewise quadratic, exact away from kinks, and a step of
    // 1e-3 crosses one for almost no element
    const h = 1e-3;
    const at = (s: number): Float32Array[] =>
      tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => L([a, b]))([tf.add(w1, tf.mul(v1, s)), tf.add(w2, tf.mul(v2, s))]).map((g) => g.dataSync() as Float32Array));
    assertHvMatchesDifferences(hv, at(h), at(-h), h);
  } finally {
    setNativeThreads(defaultThreads());
    tf.dispose([x, c, w1, w2, v1, v2]);
  }
});

test("addRelu of a tensor with itself passes twice the gradient where 2x > 0", { skip }, async () => {
  await ready();
  const rng = new Rng(33);
  const n = 5000;
  const [xs] = pair(rng, n);
  const dys = Float32Array.from({ length: n }, () => rng.normal());
  const x = tf.tensor(xs);
  const dy = tf.tensor(dys);
  const before = nativeRunCount();
  const g = tf.tidy(() => tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(addRelu(xi, xi), dy)))(x).dataSync() as Float32Array);
  assert.ok(nativeRunCount() > before, "the fused op did not run natively");
  // each input's share is tfjs's dy·step(y) (−0 where dy < 0 is masked), and the two are summed
  const share = (i: number): number => dys[i] * (xs[i] + xs[i] > 0 ? 1 : 0);
  assert.deepEqual(g, Float32Array.from(xs, (_, i) => share(i) + share(i)));
  tf.dispose([x, dy]);
});

test("the fused kernel refuses mismatched shapes and dtypes with what it got; addRelu broadcasts through the composite", { skip }, async () => {
  await ready();
  const a = tf.zeros([4, 3]);
  const b = tf.zeros([3, 4]);
  assert.throws(() => tf.engine().runKernel(ADD_RELU_KERNEL, { a, b }), /SnnAddRelu needs float32 a and b of one shape, got a float32 \[4,3\], b float32 \[3,4\]/);
  const i = tf.zeros([4, 3], "int32");
  assert.throws(() => tf.engine().runKernel(ADD_RELU_KERNEL, { a: i, b: a }), /got a int32 \[4,3\], b float32 \[4,3\]/);
  const m = tf.tensor2d([
    [1, -2, 3],
    [-4, 5, -6],
  ]);
  const row = tf.tensor1d([-1, 1, -4]);
  const before = nativeRunCount();
  assert.deepEqual(Array.from(tf.tidy(() => addRelu(m, row).dataSync())), [0, 0, 0, 0, 6, 0]);
  assert.equal(nativeRunCount(), before, "a broadcasting addRelu ran the fused kernel");
  tf.dispose([a, b, i, m, row]);
});

test("addRelu is relu(a + b) off the native backend", async () => {
  const before = tf.getBackend();
  await tf.setBackend("cpu");
  try {
    const a = tf.tensor1d([1, -2, 0.5, -0.5]);
    const b = tf.tensor1d([1, 1, -0.5, 0.25]);
    assert.deepEqual(Array.from(tf.tidy(() => addRelu(a, b).dataSync())), [2, 0, 0, 0]);
    assert.deepEqual(Array.from(tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(addRelu(x, b)))(a).dataSync())), [1, 0, 0, 0]);
    tf.dispose([a, b]);
  } finally {
    if (before) await tf.setBackend(before);
  }
});

/** Runs `fn` with only the fused kernel unregistered (addRelu then takes the composite; every other native kernel stays). */
function withoutFusedKernel<T>(fn: () => T): T {
  const kernel = tf.getKernel(ADD_RELU_KERNEL, "wasm");
  assert.ok(kernel, "the fused kernel is not registered");
  tf.unregisterKernel(ADD_RELU_KERNEL, "wasm");
  try {
    return fn();
  } finally {
    tf.registerKernel(kernel);
  }
}

/** The gradients of a model's cross-entropy on x, with how often the fused kernel ran for them. */
function modelGradients(model: ReturnType<typeof buildModel>, x: tf.Tensor4D, y: tf.Tensor2D): () => Float32Array[] {
  const vars = model.trainableNames().map((n) => model.params.get(n) as tf.Variable);
  return () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => crossEntropy(model.forward(x, { training: true }) as tf.Tensor2D, y), vars);
      return vars.map((v) => grads[v.name].dataSync() as Float32Array);
    });
}

async function fusedCalls(f: () => unknown): Promise<number> {
  const profile = await tf.profile(() => void f());
  return profile.kernels.filter((k) => k.name === ADD_RELU_KERNEL).length;
}

test("a torchvision ResNet lifted from its DAG fuses each block's add with the ReLU layer after it; gradients equal those without the fused op", { skip }, async () => {
  await ready();
  // torchvision's blocks end at the add, and the ReLU is the next chain layer (nn/dag-lift)
  const spec = liftDagToArchSpec(torchvisionResnet("resnet18", { inputSize: 32, classes: 4 }));
  const model = buildModel(spec, { seed: 5 });
  const rng = new Rng(34);
  const x = tf.tensor4d(Float32Array.from({ length: 2 * 32 * 32 * 3 }, () => rng.normal()), [2, 32, 32, 3]);
  const y = tf.tensor2d([1, 0, 0, 0, 0, 0, 1, 0], [2, 4]);
  const gradients = modelGradients(model, x, y);
  setNativeThreads(1);
  try {
    assert.equal(await fusedCalls(gradients), 8, "ResNet-18's 8 blocks did not all run the fused kernel");
    const native = assertNoLeak("a lifted ResNet's training gradients", gradients);
    const composite = withoutFusedKernel(gradients);
    model.trainableNames().forEach((n, i) => assert.deepEqual(native[i], composite[i], `∂L/∂${n} differs without the fused op`));
  } finally {
    setNativeThreads(defaultThreads());
    tf.dispose([x, y]);
    model.dispose();
  }
});

test("a ResNet closes each block with the fused op: its gradients and GraSP's masks equal those without it, and nothing leaks", { skip }, async () => {
  await ready();
  const spec = buildArchitecture("resnet20", { inputSize: 8, inputChannels: 1, classes: 4, widthMultiplier: 0.25 });
  const model = buildModel(spec, { seed: 3 });
  const images = syntheticQuadrants(32, 4);
  const x = tf.tensor4d(Float32Array.from(images.images.subarray(0, 16 * 64), (v) => v / 255 - 0.4), [16, 8, 8, 1]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(images.labels.subarray(0, 16)), "int32"), 4).toFloat() as tf.Tensor2D);
  const names = model.trainableNames();
  const gradients = modelGradients(model, x, y);
  const graspMasks = (): Uint8Array[] => {
    const r = assertNoLeak("prune('grasp') on a ResNet", () => prune("grasp", model, 0.8, { seed: 0, data: datasetPruneData(images), batchSize: 16, samplesPerClass: 2, iterations: 1 }));
    return [...r.masks.values()].map((m) => Uint8Array.from(m.data));
  };
  setNativeThreads(1); // one thread: the reductions sum in one order, so the two runs can be compared bit for bit
  try {
    assert.equal(await fusedCalls(gradients), 9, "ResNet-20's 9 blocks did not all run the fused kernel");
    const native = assertNoLeak("a ResNet's training gradients", gradients);
    const composite = withoutFusedKernel(gradients);
    names.forEach((n, i) => assert.deepEqual(native[i], composite[i], `∂L/∂${n} differs without the fused op`));
    const masks = graspMasks();
    const compositeMasks = withoutFusedKernel(graspMasks);
    masks.forEach((m, i) => assert.deepEqual(m, compositeMasks[i], `GraSP's mask ${i} differs without the fused op`));
  } finally {
    setNativeThreads(defaultThreads());
    tf.dispose([x, y]);
    model.dispose();
  }
});
