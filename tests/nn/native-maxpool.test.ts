import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/util/rng";
import { installNativeKernels, nativeRunCount, setNativeThreads, defaultThreads, uninstallNativeKernels } from "../../src/nn/native";
import { MAXPOOL_GRAD_KERNEL, MAXPOOL_STRIDED_GRAD_KERNEL, maxPoolWindowsBackward } from "../../src/nn/maxpool-grad";
import { nativeReady, nativeSkip, relErr } from "./native-test-util";

// Max pooling on oneDNN (nn/native/maxpool) against tfjs's cpu MaxPool, and its gradient kernel
// against a brute-force loop over the windows: a maximum and a mask times dy are exact float
// operations, so results must be identical, not close. Second order through the gradient kernel
// against the composite and finite differences.

const skip = nativeSkip;
const ready = nativeReady;

/** Values on a coarse grid (many ties within a window), exact zeros of both signs, negatives. */
function data(rng: Rng, n: number): Float32Array {
  const v = Float32Array.from({ length: n }, () => Math.round(rng.normal() * 2) / 2);
  for (let i = 0; i < n; i += 89) v[i] = i % 2 ? 0 : -0;
  return v;
}

async function maxPoolOn(backend: "wasm" | "cpu", x: Float32Array, shape: number[], k: [number, number], s: [number, number], pad: "same" | "valid"): Promise<Float32Array> {
  await tf.setBackend(backend);
  const t = tf.tensor4d(x, shape as [number, number, number, number]);
  const y = tf.maxPool(t, k, s, pad);
  const v = y.dataSync() as Float32Array;
  tf.dispose([t, y]);
  await tf.setBackend("wasm");
  return v;
}

test("native MaxPool equals the cpu kernel exactly (valid and same, odd sizes, ties) and stays on wasm below 2 threads", { skip }, async () => {
  await ready();
  const rng = new Rng(31);
  // every input at least 1 M elements: the size from which MaxPool gets 2 threads
  const cases: Array<[number[], [number, number], [number, number], "same" | "valid"]> = [
    [[64, 32, 32, 16], [2, 2], [2, 2], "valid"],
    [[48, 33, 31, 24], [3, 3], [2, 2], "same"],
    [[32, 30, 30, 40], [3, 3], [1, 1], "same"],
    [[48, 29, 27, 32], [2, 3], [2, 1], "valid"],
    [[40, 28, 28, 36], [1, 3], [2, 2], "same"],
  ];
  try {
    for (const threads of [2, 1]) {
      setNativeThreads(threads);
      for (const [shape, k, s, pad] of cases) {
        const x = data(rng, shape.reduce((a, b) => a * b, 1));
        const before = nativeRunCount();
        const native = await maxPoolOn("wasm", x, shape, k, s, pad);
        const runs = nativeRunCount() - before;
        assert.equal(runs, threads === 2 ? 1 : 0, `MaxPool [${shape}] ${k} ${s} ${pad} at ${threads} thread(s): ${runs} native runs`);
        const cpu = await maxPoolOn("cpu", x, shape, k, s, pad);
        if (threads === 2) assert.deepEqual(native, cpu, `MaxPool [${shape}] window ${k} stride ${s} ${pad}`);
        // wasm's own (XNNPACK) kernel returns +0 for some windows whose maximum is −0
        else assert.deepEqual(native.map((v) => v + 0), cpu.map((v) => v + 0), `wasm MaxPool [${shape}] window ${k} stride ${s} ${pad}`);
      }
    }
  } finally {
    setNativeThreads(defaultThreads());
  }
});

/** dx by a loop over the windows: dy of a window to every element equal to its maximum. */
function bruteForceGrad(x: Float32Array, dy: Float32Array, [N, H, W, C]: number[], [kh, kw]: [number, number]): { y: Float32Array; dx: Float32Array } {
  const Ho = H / kh;
  const Wo = W / kw;
  const y = new Float32Array(N * Ho * Wo * C).fill(-Infinity);
  const xi = (n: number, h: number, w: number, c: number): number => ((n * H + h) * W + w) * C + c;
  const yi = (n: number, h: number, w: number, c: number): number => ((n * Ho + Math.floor(h / kh)) * Wo + Math.floor(w / kw)) * C + c;
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) y[yi(n, h, w, c)] = Math.max(y[yi(n, h, w, c)], x[xi(n, h, w, c)]);
  const dx = new Float32Array(x.length);
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) {
    const o = yi(n, h, w, c);
    dx[xi(n, h, w, c)] = (x[xi(n, h, w, c)] >= y[o] ? 1 : 0) * dy[o];
  }
  return { y, dx };
}

test("the native max-pool gradient equals a brute-force loop exactly at 1 and 2 threads, ties and zeros included", { skip }, async () => {
  await ready();
  const rng = new Rng(32);
  const cases: Array<[number[], [number, number]]> = [
    [[64, 32, 32, 16], [2, 2]],
    [[8, 12, 9, 5], [3, 3]],
    [[4, 6, 8, 7], [2, 4]],
  ];
  try {
    for (const threads of [1, 2]) {
      setNativeThreads(threads);
      for (const [shape, k] of cases) {
        const x = data(rng, shape.reduce((a, b) => a * b, 1));
        const small = [shape[0], shape[1] / k[0], shape[2] / k[1], shape[3]];
        const dy = data(rng, small.reduce((a, b) => a * b, 1));
        const want = bruteForceGrad(x, dy, shape, k);
        const ts = [tf.tensor(x, shape), tf.tensor(want.y, small), tf.tensor(dy, small)];
        const before = nativeRunCount();
        const dx = tf.engine().runKernel(MAXPOOL_GRAD_KERNEL, { x: ts[0], y: ts[1], dy: ts[2] }, { filterSize: k }) as tf.Tensor;
        assert.ok(nativeRunCount() - before >= 4, `${MAXPOOL_GRAD_KERNEL} [${shape}] did not run natively`);
        // sign of zero included: 0·dy is −0 where dy < 0, as in the composite
        assert.deepEqual(dx.dataSync(), want.dx, `${MAXPOOL_GRAD_KERNEL} [${shape}] window ${k} at ${threads} thread(s)`);
        tf.dispose([dx, ...ts]);
      }
    }
  } finally {
    setNativeThreads(defaultThreads());
  }
});

test("the max-pool gradient kernel refuses shapes that are not whole windows, naming them", { skip }, async () => {
  await ready();
  const x = tf.zeros([2, 5, 4, 3]);
  const y = tf.zeros([2, 2, 2, 3]);
  assert.throws(() => tf.engine().runKernel(MAXPOOL_GRAD_KERNEL, { x, y, dy: y }, { filterSize: [2, 2] }), /SnnMaxPoolGrad of x \[2,5,4,3\], y \[2,2,2,3\], dy \[2,2,2,3\]: x is not whole 2×2 windows/);
  assert.throws(() => maxPoolWindowsBackward(x as tf.Tensor4D, y as tf.Tensor4D, y as tf.Tensor4D, [2, 2]), /x \[2,5,4,3\] is not whole 2×2 windows/);
  tf.dispose([x, y]);
});

/** L(w) = Σ c·pool(x·w)², its gradient, and H·v: second order through the max-pool gradient (2×2 windows unless given). */
function hessianVector(x: tf.Tensor4D, c: tf.Tensor, w: tf.Tensor, v: tf.Tensor, pool = (z: tf.Tensor): tf.Tensor => tf.maxPool(z as tf.Tensor4D, 2, 2, "valid")): { grad: Float32Array; hv: Float32Array } {
  const loss = (wt: tf.Tensor): tf.Scalar => tf.sum(tf.mul(c, tf.square(pool(tf.mul(x, wt)))));
  const gradL = tf.grad(loss);
  const grad = tf.tidy(() => gradL(w).dataSync() as Float32Array);
  const hv = tf.tidy(() => tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(gradL(wt), v)))(w).dataSync() as Float32Array);
  return { grad, hv };
}

test("training gradients and H·v through native max pooling equal the composite and finite differences", { skip }, async () => {
  await ready();
  const rng = new Rng(33);
  const shape: [number, number, number, number] = [64, 32, 32, 16];
  const n = shape.reduce((a, b) => a * b, 1);
  const t = (s: number[], f: () => number): tf.Tensor => tf.tensor(Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, f), s);
  const x = t(shape, () => rng.normal()) as tf.Tensor4D;
  const w = t(shape, () => rng.normal());
  const v = t(shape, () => rng.normal());
  const c = t([64, 16, 16, 16], () => rng.normal());
  setNativeThreads(2);
  try {
    const before = nativeRunCount();
    const native = hessianVector(x, c, w, v);
    assert.ok(nativeRunCount() - before >= 8, "the pooling and its gradients did not run natively");
    uninstallNativeKernels();
    let composite: { grad: Float32Array; hv: Float32Array };
    try {
      assert.equal(tf.getKernel(MAXPOOL_GRAD_KERNEL, "wasm"), undefined, "uninstall left the max-pool gradient kernel registered");
      composite = hessianVector(x, c, w, v);
    } finally {
      installNativeKernels();
    }
    // the forward and the mask are exact, so the first-order gradient is too
    assert.deepEqual(native.grad, composite.grad, "gradient differs from the composite's");
    assert.ok(relErr(native.hv, composite.hv) <= 1e-6, `H·v differs from the composite by ${relErr(native.hv, composite.hv)}`);
    // central differences of the gradient along v (piecewise quadratic in w: exact unless a step of
    // 1e-3 changes a window's maximum, which almost no element's does)
    const h = 1e-3;
    const g = (sign: number): Float32Array =>
      tf.tidy(() => tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(c, tf.square(tf.maxPool(tf.mul(x, wt) as tf.Tensor4D, 2, 2, "valid")))))(tf.add(w, tf.mul(v, sign * h))).dataSync() as Float32Array);
    const gp = g(1);
    const gm = g(-1);
    let agree = 0;
    for (let i = 0; i < n; i++) if (Math.abs((gp[i] - gm[i]) / (2 * h) - native.hv[i]) <= 1e-2 * (1 + Math.abs(native.hv[i]))) agree++;
    assert.ok(agree >= 0.999 * n, `H·v agrees with finite differences on ${agree} of ${n} elements`);
  } finally {
    setNativeThreads(defaultThreads());
    tf.dispose([x, c, w, v]);
  }
});

/**
 * dx of a max pool with any window, stride and padding ('same'/'valid', tfjs's geometry) by a loop:
 * window offset by offset (the kernel's order), dy of a window to every element ≥ its maximum.
 */
function bruteForceStridedGrad(x: Float32Array, dy: Float32Array, [N, H, W, C]: number[], k: [number, number], s: [number, number], pad: "same" | "valid"): Float32Array {
  const info = tf.backend_util.computePool2DInfo([N, H, W, C], k, s, 1, pad);
  const [oh, ow, pt, pl] = [info.outHeight, info.outWidth, info.padInfo.top, info.padInfo.left];
  const xi = (n: number, h: number, w: number, c: number): number => ((n * H + h) * W + w) * C + c;
  const yi = (n: number, i: number, j: number, c: number): number => ((n * oh + i) * ow + j) * C + c;
  const inside = (h: number, w: number): boolean => h >= 0 && h < H && w >= 0 && w < W;
  const y = new Float32Array(N * oh * ow * C).fill(-Infinity);
  for (let n = 0; n < N; n++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let c = 0; c < C; c++)
    for (let di = 0; di < k[0]; di++) for (let dj = 0; dj < k[1]; dj++) {
      const [h, w] = [i * s[0] + di - pt, j * s[1] + dj - pl];
      if (inside(h, w)) y[yi(n, i, j, c)] = Math.max(y[yi(n, i, j, c)], x[xi(n, h, w, c)]);
    }
  const dx = new Float32Array(x.length);
  for (let di = 0; di < k[0]; di++) for (let dj = 0; dj < k[1]; dj++)
    for (let n = 0; n < N; n++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let c = 0; c < C; c++) {
      const [h, w] = [i * s[0] + di - pt, j * s[1] + dj - pl];
      if (inside(h, w) && x[xi(n, h, w, c)] >= y[yi(n, i, j, c)]) dx[xi(n, h, w, c)] += dy[yi(n, i, j, c)];
    }
  return dx;
}

const STRIDED_CASES: Array<[number[], [number, number], [number, number], "same" | "valid"]> = [
  [[4, 15, 15, 16], [3, 3], [2, 2], "same"], // torchvision's stem pool, odd size
  [[4, 16, 16, 8], [3, 3], [2, 2], "same"], // even size: tfjs pads 0 before, 1 after
  [[3, 13, 11, 5], [2, 2], [1, 1], "valid"],
  [[3, 12, 12, 7], [3, 3], [3, 3], "same"], // window = stride, but padded
  [[3, 10, 10, 3], [1, 1], [2, 2], "valid"], // window smaller than the stride
  [[3, 9, 9, 6], [3, 3], [1, 1], "same"],
  [[3, 11, 14, 4], [3, 2], [2, 3], "valid"],
  [[32, 32, 32, 32], [3, 3], [2, 2], "same"], // 1 M elements: 2 threads
];

test("the native strided max-pool gradient (any window, stride, padding) equals a brute-force loop, ties and zeros included, at 1 and 2 threads", { skip }, async () => {
  await ready();
  const rng = new Rng(35);
  try {
    for (const threads of [1, 2]) {
      setNativeThreads(threads);
      for (const [shape, k, st, pad] of STRIDED_CASES) {
        const x = data(rng, shape.reduce((a, b) => a * b, 1));
        const info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], k, st, 1, pad);
        const ys = [shape[0], info.outHeight, info.outWidth, shape[3]];
        const dy = data(rng, ys.reduce((a, b) => a * b, 1));
        const want = bruteForceStridedGrad(x, dy, shape, k, st, pad);
        const xt = tf.tensor4d(x, shape as [number, number, number, number]);
        const dyt = tf.tensor(dy, ys);
        const before = nativeRunCount();
        const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xi as tf.Tensor4D, k, st, pad), dyt)))(xt);
        const got = dx.dataSync();
        const what = `[${shape}] window ${k} stride ${st} ${pad}, ${threads} thread(s)`;
        assert.ok(nativeRunCount() - before >= 4 * k[0] * k[1], `${what}: the gradient kernel did not run natively`);
        for (let i = 0; i < got.length; i++) {
          // === ignores the sign of zero (the composite's and this kernel's differ there)
          if (got[i] !== want[i]) assert.fail(`${what}: dx[${i}] = ${got[i]}, the loop gives ${want[i]}`);
        }
        tf.dispose([xt, dyt, dx]);
      }
    }
  } finally {
    setNativeThreads(defaultThreads());
  }
});

test("the strided max-pool gradient kernel refuses a y that is not xp's pooling, naming the shapes", { skip }, async () => {
  await ready();
  const xp = tf.zeros([2, 9, 9, 3]);
  const y = tf.zeros([2, 5, 4, 3]);
  assert.throws(
    () => tf.engine().runKernel(MAXPOOL_STRIDED_GRAD_KERNEL, { xp, y, dy: y }, { filterSize: [3, 3], strides: [2, 2] }),
    /SnnMaxPoolGradStrided of xp \[2,9,9,3\], y \[2,5,4,3\], dy \[2,5,4,3\]: y and dy must be the 3×3 stride 2×2 pooling of xp, and xp at least 10×8/,
  );
  tf.dispose([xp, y]);
});

test("H·v through an overlapping max pool's native gradient equals the composite's", { skip }, async () => {
  await ready();
  const rng = new Rng(36);
  const shape: [number, number, number, number] = [16, 16, 16, 32];
  const t = (sh: number[], f: () => number): tf.Tensor => tf.tensor(Float32Array.from({ length: sh.reduce((a, b) => a * b, 1) }, f), sh);
  const x = t(shape, () => rng.normal()) as tf.Tensor4D;
  const w = t(shape, () => rng.normal());
  const v = t(shape, () => rng.normal());
  const c = t([16, 8, 8, 32], () => rng.normal());
  const pool = (z: tf.Tensor): tf.Tensor => tf.maxPool(z as tf.Tensor4D, 3, 2, "same");
  setNativeThreads(2);
  try {
    const before = nativeRunCount();
    const native = hessianVector(x, c, w, v, pool);
    assert.ok(nativeRunCount() - before >= 36, "the strided gradient kernel did not run natively");
    uninstallNativeKernels();
    let composite: { grad: Float32Array; hv: Float32Array };
    try {
      assert.equal(tf.getKernel(MAXPOOL_STRIDED_GRAD_KERNEL, "wasm"), undefined, "uninstall left the strided max-pool gradient kernel registered");
      composite = hessianVector(x, c, w, v, pool);
    } finally {
      installNativeKernels();
    }
    assert.ok(relErr(native.grad, composite.grad) <= 1e-6, `gradient differs from the composite's by ${relErr(native.grad, composite.grad)}`);
    assert.ok(relErr(native.hv, composite.hv) <= 1e-6, `H·v differs from the composite's by ${relErr(native.hv, composite.hv)}`);
  } finally {
    setNativeThreads(defaultThreads());
    tf.dispose([x, c, w, v]);
  }
});

test("maxPoolWindowsBackward's composite (off the native backend) equals the brute-force loop", async () => {
  const before = tf.getBackend();
  await tf.setBackend("cpu");
  try {
    const rng = new Rng(34);
    const shape = [3, 6, 4, 5];
    const x = data(rng, 360);
    const dy = data(rng, 90);
    const want = bruteForceGrad(x, dy, shape, [2, 2]);
    const dx = maxPoolWindowsBackward(tf.tensor4d(x, [3, 6, 4, 5]), tf.tensor4d(want.y, [3, 3, 2, 5]), tf.tensor4d(dy, [3, 3, 2, 5]), [2, 2]);
    assert.deepEqual(dx.dataSync(), want.dx);
  } finally {
    if (before) await tf.setBackend(before);
  }
});
