import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/nn/backend";
import type { SparseModel } from "../../src/nn/model-api";
import type { TrainStepContext } from "../../src/train/hooks";
import { prune } from "../../src/pruning/prune";
import { PRUNER_NAMES } from "../../src/pruning/catalogue";
import { applyMasks } from "../../src/pruning/tf-util";
import { DstHook } from "../../src/pruning/dst";
import { RIGL_DEFAULTS } from "../../src/pruning/rigl";
import { Rng } from "../../src/util/rng";
import { tinyModel } from "./tiny-model";

before(async () => {
  await initBackend("cpu");
});

const DST = ["snfs", "rigl", "dsr", "itop", "set"] as const;

function randomLike(model: SparseModel, seed: number): Map<string, tf.Tensor> {
  const rng = new Rng(seed);
  const m = new Map<string, tf.Tensor>();
  for (const n of model.prunable) {
    const w = model.params.get(n)!;
    const d = new Float32Array(w.size);
    for (let i = 0; i < d.length; i++) d[i] = rng.normal();
    m.set(n, tf.tensor(d, w.shape));
  }
  return m;
}

function hostMasks(model: SparseModel): Map<string, Float32Array> {
  return new Map(model.prunable.map((n) => [n, Float32Array.from(model.masks.get(n)!.dataSync())]));
}

function nnz(model: SparseModel): { total: number; perLayer: number[] } {
  const perLayer = model.prunable.map((n) => Array.from(model.masks.get(n)!.dataSync() as Float32Array).reduce((a, v) => a + (v !== 0 ? 1 : 0), 0));
  return { total: perLayer.reduce((a, b) => a + b, 0), perLayer };
}

function ctx(model: SparseModel, step: number, totalSteps: number, seed: number): TrainStepContext {
  return { model, step, epoch: 0, stepsPerEpoch: 10, totalSteps, learningRate: 0.1, denseGrads: randomLike(model, seed), momentum: randomLike(model, seed + 1000) };
}

for (const name of DST) {
  test(`${name}: the hook keeps the number of nonzeros constant across updates; pruned weights are 0, regrown start at 0`, () => {
    const model = tinyModel(1, { channels: 16, hidden: 32 });
    // SET keeps its own ΔT (once per epoch: 10 steps here), the others update every 5 steps
    const r = prune(name, model, 0.8, { seed: 3, dst: name === "set" ? {} : { updateEvery: 5 } });
    assert.ok(r.hook);
    applyMasks(model, r.masks);
    const start = nnz(model);
    assert.equal(start.total, Math.round(r.density.global * r.density.perLayer.reduce((a, l) => a + l.total, 0)));
    let updates = 0;
    for (let step = 0; step < 60; step++) {
      const before = hostMasks(model);
      // make weights move like training would, without touching the masks' zeros
      for (const n of model.prunable) {
        const w = model.params.get(n)!;
        w.assign(tf.tidy(() => tf.mul(tf.add(w, tf.mul(randomLike(model, step).get(n)!, 0.05)), model.masks.get(n)!)));
      }
      const c = ctx(model, step, 60, step);
      const changed = r.hook!.afterStep(c);
      if (changed) {
        updates++;
        const after = nnz(model);
        assert.equal(after.total, start.total, `${name}: nonzeros ${after.total} after update ${updates}, started with ${start.total}`);
        if (r.hook!.config.redistribution === "none") assert.deepEqual(after.perLayer, start.perLayer);
        for (const n of model.prunable) {
          const m = model.masks.get(n)!.dataSync();
          const w = model.params.get(n)!.dataSync();
          const old = before.get(n)!;
          for (let i = 0; i < m.length; i++) {
            if (m[i] === 0) assert.ok(w[i] === 0, `${name}: pruned weight ${n}[${i}] is ${w[i]}`);
            if (m[i] === 1 && old[i] === 0) assert.ok(w[i] === 0, `${name}: regrown weight ${n}[${i}] starts at ${w[i]}`);
          }
        }
        assert.ok(r.hook!.updates[r.hook!.updates.length - 1].removed > 0);
      }
      tf.dispose([...c.denseGrads.values(), ...c.momentum.values()]);
    }
    // rigl stops at 0.75·60 steps; set updates per epoch
    assert.equal(updates, name === "rigl" ? 8 : name === "set" ? 5 : 11);
    // the report counts the masks
    const rep = r.hook!.report();
    assert.equal(rep.global * rep.perLayer.reduce((a, l) => a + l.total, 0), start.total);
  });
}

test("DST: same seed → same masks after updates; different seed differs", () => {
  const run = (seed: number): Map<string, Float32Array> => {
    const model = tinyModel(2, { channels: 8, hidden: 16 });
    const r = prune("rigl", model, 0.7, { seed, dst: { updateEvery: 2 } });
    applyMasks(model, r.masks);
    for (let s = 0; s < 8; s++) r.hook!.afterStep(ctx(model, s, 20, 100 + s));
    return hostMasks(model);
  };
  const a = run(4);
  const b = run(4);
  const c = run(5);
  let diff = 0;
  for (const [n, m] of a) {
    assert.deepEqual(m, b.get(n));
    diff += m.reduce((acc, v, i) => acc + (v !== c.get(n)![i] ? 1 : 0), 0);
  }
  assert.ok(diff > 0);
});

test("RigL grows where |dense gradient| is largest; cosine schedule ends at etaMin", () => {
  const model = tinyModel(3, { channels: 8, hidden: 16 });
  const r = prune("rigl", model, 0.8, { seed: 1 });
  applyMasks(model, r.masks);
  const hook = r.hook!;
  const before = hostMasks(model);
  const grads = randomLike(model, 9);
  hook.update(model, 0.3, 0, grads, grads);
  for (const n of model.prunable) {
    const m = model.masks.get(n)!.dataSync();
    const g = grads.get(n)!.dataSync();
    const old = before.get(n)!;
    // every newly grown position beats every position that stayed inactive (among the previously inactive)
    let minGrown = Infinity;
    let maxLeft = -Infinity;
    for (let i = 0; i < m.length; i++) {
      if (old[i] === 0 && m[i] === 1) minGrown = Math.min(minGrown, Math.abs(g[i]));
      if (old[i] === 0 && m[i] === 0) maxLeft = Math.max(maxLeft, Math.abs(g[i]));
    }
    if (Number.isFinite(minGrown)) assert.ok(minGrown >= maxLeft, `${n}: grew |g|=${minGrown} but left |g|=${maxLeft}`);
  }
  const h = new DstHook("rigl", RIGL_DEFAULTS, 0);
  assert.equal(h.rateAt(0, 1000), 0.3);
  assert.ok(Math.abs(h.rateAt(750, 1000)) < 1e-12);
  assert.ok(Math.abs(h.rateAt(375, 1000) - 0.15) < 1e-12);
  assert.equal(h.isUpdateStep(99, 10, 1000), true);
  assert.equal(h.isUpdateStep(799, 10, 1000), false, "no updates after 0.75 of training");
});

test("DSR: realised density reported from the masks equals the count of zeros", () => {
  const model = tinyModel(4, { channels: 8, hidden: 16 });
  const r = prune("dsr", model, 0.6, { seed: 2, dst: { updateEvery: 1 } });
  applyMasks(model, r.masks);
  for (let s = 0; s < 5; s++) r.hook!.afterStep(ctx(model, s, 100, s));
  const rep = r.hook!.report();
  let zeros = 0;
  let total = 0;
  for (const n of model.prunable) {
    const m = model.masks.get(n)!.dataSync();
    for (const v of m) zeros += v === 0 ? 1 : 0;
    total += m.length;
  }
  assert.equal(1 - rep.global, zeros / total);
  assert.ok(Math.abs(1 - rep.global - 0.6) < 1e-3);
});

test("dispatcher: every name runs; unknown names and bad sparsities are clear errors", () => {
  assert.equal(PRUNER_NAMES.length, 14);
  const model = tinyModel(5, { channels: 8, hidden: 16 });
  assert.throws(() => prune("obd", model, 0.5, { seed: 0 }), /pruning\/prune: unknown pruner 'obd'; known: snip, grasp/);
  assert.throws(() => prune("snip", model, 1.2, { seed: 0 }), /pruning\/snip: sparsity must be a number in the open interval \(0, 1\), got 1.2/);
  assert.throws(() => prune("erk", model, 0, { seed: 0 }), /sparsity/);
  assert.throws(() => prune("snip", model, 0.5, { seed: 0 }), /pruning\/snip: needs training data/);
  assert.throws(() => prune("synflow", model.spec, 0.5, { seed: 0 }), /needs a SparseModel/);
  assert.throws(() => prune("rigl", model, 0.5, { seed: 0, dst: { pruneRate: 2 } }), /pruning\/rigl: pruneRate must be in \(0, 1\)/);
  for (const name of ["uniform", "er", "erk", "synflow", "snfs", "rigl", "dsr", "itop", "set"]) {
    const r = prune(name, model, 0.5, { seed: 0, iterations: 5 });
    assert.equal(r.method, name);
    assert.ok(r.density.global > 0 && r.density.global < 1);
  }
});
