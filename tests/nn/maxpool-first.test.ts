/**
 * maxPoolFirstMax: value = tf.maxPool; gradient = PyTorch's rule (the first maximum of each window
 * in row-major order gets dy, tied maxima get nothing), checked against a brute-force scan written
 * here, on inputs with many exact ties (small integers), for non-overlapping and overlapping
 * windows, on the backend the library selects (wasm here) and on cpu.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/nn/backend";
import { maxPoolFirstMax } from "../../src/nn/gradients";
import { Rng } from "../../src/util/rng";

/** d(Σ w·maxpool(x))/dx by scanning each window and crediting its first strict maximum. */
function bruteForce(x: Float32Array, [N, H, W, C]: number[], w: Float32Array, k: number, s: number): Float32Array {
  const oh = Math.floor((H - k) / s) + 1;
  const ow = Math.floor((W - k) / s) + 1;
  const g = new Float32Array(x.length);
  const at = (n: number, h: number, ww: number, c: number): number => ((n * H + h) * W + ww) * C + c;
  for (let n = 0; n < N; n++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++) {
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let arg = -1;
          for (let a = 0; a < k; a++) {
            for (let b = 0; b < k; b++) {
              const i = at(n, r * s + a, q * s + b, c);
              if (x[i] > best) {
                best = x[i];
                arg = i;
              }
            }
          }
          g[arg] += w[((n * oh + r) * ow + q) * C + c];
        }
      }
    }
  }
  return g;
}

for (const backend of ["default", "cpu"] as const) {
  test(`maxPoolFirstMax on ${backend}: value of maxPool, gradient to the first maximum only (ties everywhere)`, async () => {
    if (backend === "cpu") await tf.setBackend("cpu");
    else await initBackend();
    const rng = new Rng(17);
    for (const [k, s] of [[2, 2], [3, 2], [3, 1], [2, 1]]) {
      const shape = [2, 7, 8, 3];
      const n = shape.reduce((a, b) => a * b, 1);
      const xd = new Float32Array(n);
      for (let i = 0; i < n; i++) xd[i] = rng.int(3); // values 0, 1, 2: most windows have ties
      const x = tf.tensor4d(xd, shape as [number, number, number, number]);
      const y = maxPoolFirstMax(x, k, s);
      assert.deepEqual(Array.from(y.dataSync()), Array.from(tf.maxPool(x, k, s, "valid").dataSync()), `value k${k} s${s}`);
      const wd = new Float32Array(y.size);
      for (let i = 0; i < wd.length; i++) wd[i] = rng.normal();
      const wt = tf.tensor(wd, y.shape);
      const g = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(maxPoolFirstMax(xi as tf.Tensor4D, k, s), wt)))(x);
      const want = bruteForce(xd, shape, wd, k, s);
      const got = g.dataSync();
      for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-6 * (1 + Math.abs(want[i])), `k${k} s${s} [${i}]: ${got[i]} vs ${want[i]}`);
      // the all-ties gradient differs on these inputs (so this test can tell the rules apart)
      const all = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xi as tf.Tensor4D, k, s, "valid"), wt)))(x).dataSync();
      if (backend === "default") assert.ok(Array.from(all).some((v, i) => Math.abs(v - want[i]) > 1e-3), `k${k} s${s}: ties present`);
      tf.dispose([x, y, wt, g]);
    }
  });
}
