import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/util/rng";
import { initBackend } from "../../src/nn/backend";
import { updateRunningStats } from "../../src/nn/running-stats";

// The host-side update against the same formula as tfjs ops on each backend: the floats must be
// identical (float32 products and sums rounded once each).

for (const backend of ["cpu", "wasm"] as const) {
  test(`running statistics on the host equal (1 − m)·running + m·batch as ${backend} ops, bit for bit`, async () => {
    await initBackend(backend);
    const rng = new Rng(41);
    for (const [C, M, momentum] of [[16, 131072, 0.1], [64, 8192, 0.1], [7, 2, 0.3], [300, 49, 0.01]] as const) {
      const vec = (scale: number): Float32Array => Float32Array.from({ length: C }, () => rng.normal() * scale);
      const rm0 = vec(1);
      const rv0 = Float32Array.from(vec(1), Math.abs);
      const mean = tf.tensor1d(vec(3));
      const variance = tf.tensor1d(Float32Array.from(vec(2), Math.abs));
      const rm = tf.variable(tf.tensor1d(rm0));
      const rv = tf.variable(tf.tensor1d(rv0));
      updateRunningStats(rm, rv, mean, variance, M, momentum);
      const want = tf.tidy(() => [
        tf.add(tf.mul(tf.tensor1d(rm0), 1 - momentum), tf.mul(mean, momentum)).dataSync(),
        tf.add(tf.mul(tf.tensor1d(rv0), 1 - momentum), tf.mul(variance, (momentum * M) / (M - 1))).dataSync(),
      ]);
      assert.deepEqual(rm.dataSync(), want[0], `running mean, C ${C}, M ${M}`);
      assert.deepEqual(rv.dataSync(), want[1], `running variance, C ${C}, M ${M}`);
      tf.dispose([mean, variance, rm, rv]);
    }
  });
}

test("running statistics refuse mismatched lengths and a single value per channel", async () => {
  await initBackend("cpu");
  const v3 = tf.variable(tf.zeros([3]));
  const v4 = tf.variable(tf.zeros([4]));
  const t3 = tf.zeros([3]);
  assert.throws(() => updateRunningStats(v3, v4, t3, t3, 10, 0.1), /running mean \[3\], running variance \[4\], batch mean \[3\] and variance \[3\] must have one length/);
  assert.throws(() => updateRunningStats(v3, v3, t3, t3, 1, 0.1), /at least 2 values per channel, got 1/);
  tf.dispose([v3, v4, t3]);
});
