import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/nn/backend";
import { buildModel, modelToHost, type TfSparseModel } from "../../src/nn/model";
import type { ArchSpec } from "../../src/nn/spec";
import { MaskedSgd } from "../../src/train/sgd";
import { Rng } from "../../src/util/rng";

// sizes 400, 25, 75: multiples of 4 and not (the fused kernel's host tail)
const spec: ArchSpec = {
  name: "mlp", inputChannels: 1, inputSize: 4, classes: 3,
  layers: [
    { kind: "flatten" },
    { kind: "linear", name: "fc1", inFeatures: 16, outFeatures: 25, bias: true },
    { kind: "batchnorm", name: "bn1", features: 25 }, { kind: "relu" },
    { kind: "linear", name: "fc2", inFeatures: 25, outFeatures: 3, bias: true },
  ],
};

function masked(seed: number): TfSparseModel {
  const model = buildModel(spec, { seed });
  const rng = new Rng(seed + 100);
  const host = modelToHost(model).weights;
  // fc1 sparse, fc2 dense (all-ones mask: the skipped-mask branch)
  const w = host.get("fc1.weight")!;
  const data = new Uint8Array(w.data.length);
  for (let i = 0; i < data.length; i++) data[i] = rng.next() < 0.4 ? 1 : 0;
  model.setMask("fc1.weight", { shape: w.shape, data });
  return model;
}

/** `steps` updates with the same random gradients (tiny, huge and ordinary values) through one path. */
function run(fused: boolean, momentum: number, weightDecay: number, steps: number): { values: Map<string, Float32Array>; kernels: number } {
  const model = masked(7);
  const opt = new MaskedSgd({ momentum, weightDecay, fused });
  const rng = new Rng(11);
  let kernels = 0;
  for (let s = 0; s < steps; s++) {
    const grads = new Map<string, tf.Tensor>();
    for (const [n, p] of model.params) {
      if (model.frozen.has(n)) continue;
      const g = new Float32Array(p.size);
      for (let i = 0; i < g.length; i++) g[i] = rng.normal() * (i % 7 === 0 ? 1e-30 : i % 11 === 0 ? 1e20 : 1);
      grads.set(n, tf.tensor(g, p.shape));
    }
    if (s === steps - 1) {
      const before = tf.memory().numTensors;
      opt.step(model, grads, 0.1 / (s + 1));
      assert.equal(tf.memory().numTensors, before, "a step keeps the number of live tensors");
    } else if (s === 1) {
      // count the tfjs kernels one step launches (after the first: masks' all-ones checks are cached)
      let n = 0;
      const orig = tf.engine().runKernel.bind(tf.engine());
      const eng = tf.engine() as unknown as { runKernel: typeof orig };
      eng.runKernel = ((...a: Parameters<typeof orig>) => { n++; return orig(...a); }) as typeof orig;
      try {
        opt.step(model, grads, 0.1 / (s + 1));
      } finally {
        eng.runKernel = orig;
      }
      kernels = n;
    } else opt.step(model, grads, 0.1 / (s + 1));
    for (const g of grads.values()) g.dispose();
  }
  const values = new Map<string, Float32Array>();
  for (const [n, p] of model.params) values.set(n, Float32Array.from(p.dataSync() as Float32Array));
  for (const [n, b] of opt.momentum) values.set(`momentum:${n}`, Float32Array.from(b.dataSync() as Float32Array));
  opt.dispose();
  model.dispose();
  return { values, kernels };
}

test("SGD: the fused wasm update equals the tfjs-op update bit for bit (masks, weight decay, momentum on/off) and launches no tfjs kernel", async () => {
  await initBackend("wasm");
  for (const [mu, wd] of [[0.9, 1e-4], [0, 5e-4], [0.9, 0]] as const) {
    const a = run(true, mu, wd, 6);
    const b = run(false, mu, wd, 6);
    assert.equal(a.kernels, 0, "the fused path ran tfjs kernels (fallback to ops?)");
    assert.ok(b.kernels >= 8, `op path: ${b.kernels} kernels`);
    assert.deepEqual([...a.values.keys()].sort(), [...b.values.keys()].sort());
    assert.equal([...a.values.keys()].some((k) => k.startsWith("momentum:")), mu !== 0);
    for (const [k, va] of a.values) {
      const vb = b.values.get(k)!;
      const ua = new Uint32Array(va.buffer);
      const ub = new Uint32Array(vb.buffer);
      for (let i = 0; i < ua.length; i++) assert.equal(ua[i], ub[i], `μ=${mu} wd=${wd} ${k}[${i}]: ${va[i]} vs ${vb[i]}`);
    }
    // masked weights and their momentum stay exactly 0 (±0)
    const model = masked(7);
    const m = model.masks.get("fc1.weight")!.dataSync();
    model.dispose();
    const w = a.values.get("fc1.weight")!;
    const buf = a.values.get("momentum:fc1.weight");
    let moved = 0;
    for (let i = 0; i < m.length; i++) {
      if (m[i] === 0) {
        assert.ok(w[i] === 0, `fc1.weight[${i}] = ${w[i]}`);
        if (buf) assert.ok(buf[i] === 0, `momentum of fc1.weight[${i}] = ${buf[i]}`);
      } else moved++;
    }
    assert.ok(moved > 0);
  }
});
