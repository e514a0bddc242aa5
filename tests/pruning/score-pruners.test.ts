import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/nn/backend";
import { crossEntropy } from "../../src/nn/loss";
import { snipScores, pruneSnip } from "../../src/pruning/snip";
import { graspHg, pruneGrasp } from "../../src/pruning/grasp";
import { synflowScores, pruneSynflow } from "../../src/pruning/synflow";
import { prosprScores, pruneProspr } from "../../src/pruning/prospr";
import { withWeights } from "../../src/pruning/tf-util";
import type { PruneBatch } from "../../src/pruning/data";
import type { PruneResult } from "../../src/pruning/types";
import { Rng } from "../../src/util/rng";
import { flat, tinyData, tinyModel } from "./tiny-model";

before(async () => {
  // SNN_TEST_BACKEND=wasm runs these checks on the wasm backend with the native kernels (nn/native)
  await initBackend(process.env.SNN_TEST_BACKEND === "wasm" ? "wasm" : "cpu");
});


function cosine(a: Float64Array, b: Float64Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** Central finite differences of a scalar function of the prunable weights' multiplicative perturbation. */
function fdOverEntries(shapes: number[][], f: (which: number, idx: number, delta: number) => number, h: number): Float64Array {
  const out: number[] = [];
  shapes.forEach((s, w) => {
    const n = s.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++) out.push((f(w, i, h) - f(w, i, -h)) / (2 * h));
  });
  return Float64Array.from(out);
}

function perturbed(t: tf.Tensor, idx: number, delta: number, base: number): tf.Tensor {
  const d = new Float32Array(t.size).fill(base);
  d[idx] = base + delta;
  return tf.tensor(d, t.shape);
}

function sameMasks(a: PruneResult, b: PruneResult): boolean {
  for (const [k, m] of a.masks) {
    const o = b.masks.get(k)!;
    for (let i = 0; i < m.data.length; i++) if (m.data[i] !== o.data[i]) return false;
  }
  return true;
}

test("SNIP scores equal |∂L/∂m| at m = 1 (finite differences over every weight)", () => {
  // tanh and average pooling: smooth, so finite differences are exact up to O(h²)
  const model = tinyModel(1, { activation: "tanh", pool: "avg" });
  const batch = tinyData(2).batch(16, new Rng(3));
  const scores = flat(snipScores(model, batch.x, batch.y));
  const names = model.prunable;
  const W = names.map((n) => model.params.get(n)!);
  const lossAt = (w: number, i: number, delta: number): number =>
    tf.tidy(() => {
      const ws = W.map((t, j) => (j === w ? tf.mul(t, perturbed(t, i, delta, 1)) : t));
      return crossEntropy(model.forward(batch.x, { training: true }, withWeights(model, names, ws)), batch.y).dataSync()[0];
    });
  const fd = fdOverEntries(names.map((n) => model.params.get(n)!.shape), lossAt, 1e-2).map(Math.abs);
  assert.ok(cosine(scores, fd) > 0.9999, `cosine ${cosine(scores, fd)}`);
  for (let i = 0; i < fd.length; i++) assert.ok(Math.abs(scores[i] - fd[i]) < 2e-4 + 0.01 * fd[i], `entry ${i}: ${scores[i]} vs FD ${fd[i]}`);
  tf.dispose([batch.x, batch.y]);
});

test("GraSP Hg (nested tf.grads, own cross-entropy) matches finite differences of the gradient (cosine > 0.999)", () => {
  const model = tinyModel(4, { activation: "tanh" });
  const data = tinyData(5);
  const all = data.perClass(6, new Rng(6));
  const halves: PruneBatch[][] = [
    [{ x: tf.slice(all.x, [0, 0, 0, 0], [9, -1, -1, -1]), y: tf.slice(all.y, [0, 0], [9, -1]) }],
    [{ x: tf.slice(all.x, [9, 0, 0, 0], [9, -1, -1, -1]), y: tf.slice(all.y, [9, 0], [9, -1]) }],
  ];
  const names = model.prunable;
  const W = names.map((n) => model.params.get(n)! as tf.Tensor);
  for (const T of [1, 200]) {
    const { g, Hg } = graspHg(model, W, halves, T);
    // FD: Hg ≈ (∇L(W + εg) − ∇L(W − εg)) / 2ε with L = Σ_halves L_half
    const gradAt = (ws: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() =>
        tf.grads((...v: tf.Tensor[]) =>
          tf.addN(halves.map((h) => crossEntropy(tf.div(model.forward(h[0].x, { training: true }, withWeights(model, names, v)), T) as tf.Tensor2D, h[0].y))) as tf.Scalar,
        )(ws),
      );
    const gn = Math.sqrt(flat(g).reduce((a, v) => a + v * v, 0));
    const eps = 1e-2 / gn;
    const gp = gradAt(W.map((w, i) => tf.add(w, tf.mul(g[i], eps))));
    const gm = gradAt(W.map((w, i) => tf.sub(w, tf.mul(g[i], eps))));
    const fd = flat(gp).map((v, i) => (v - flat(gm)[i]) / (2 * eps));
    const exact = flat(Hg);
    assert.ok(cosine(exact, fd) > 0.999, `T=${T}: cosine ${cosine(exact, fd)}`);
    // and g is the sum of the halves' gradients (no graph)
    const g2 = flat(gradAt(W));
    assert.ok(cosine(flat(g), g2) > 0.99999);
  }
  tf.dispose([all.x, all.y]);
});

test("SynFlow: per-layer score sums are all equal to R on a bias-free network (conservation), with and without rescaling", () => {
  const model = tinyModel(7, { bias: false, activation: "relu", channels: 4, hidden: 6 });
  const masks = model.prunable.map((n) => {
    // a random partial mask, so conservation is checked on a pruned network too
    const rng = new Rng(8);
    const t = model.params.get(n)!;
    const d = new Float32Array(t.size);
    for (let i = 0; i < d.length; i++) d[i] = rng.next() < 0.7 ? 1 : 0;
    return tf.tensor(d, t.shape);
  });
  const plain = synflowScores(model, masks, false);
  const sums = plain.scores.map((s) => s.sum().dataSync()[0]);
  for (const v of sums) assert.ok(Math.abs(v - plain.R) < 1e-4 * plain.R, `layer sum ${v} vs R ${plain.R}`);
  const scaled = synflowScores(model, masks, true);
  const sums2 = scaled.scores.map((s) => s.sum().dataSync()[0]);
  for (const v of sums2) assert.ok(Math.abs(v - scaled.R) < 1e-4 * scaled.R);
  // rescaling divides every score by one constant, so the ranking is unchanged
  const a = flat(plain.scores);
  const b = flat(scaled.scores);
  const ratio = plain.R / scaled.R;
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i] * ratio) <= 1e-4 * Math.abs(a[i]) + 1e-30);
  tf.dispose([...masks, ...plain.scores, ...scaled.scores]);
});

test("ProsPr meta-gradient equals finite differences of the loss after 3 momentum-SGD steps", () => {
  const model = tinyModel(9, { activation: "tanh" });
  const data = tinyData(10);
  const rng = new Rng(11);
  const batches = [0, 1, 2, 3].map(() => data.batch(12, rng));
  const lr = 0.5;
  const mom = 0.9;
  const exact = flat(prosprScores(model, batches, lr, mom));
  const names = model.prunable;
  const all = [...model.params.keys()];
  const lossAfter = (w: number, i: number, delta: number): number =>
    tf.tidy(() => {
      let p: tf.Tensor[] = all.map((n) => {
        const t = model.params.get(n)! as tf.Tensor;
        const k = names.indexOf(n);
        return k === w ? tf.mul(t, perturbed(t, i, delta, 1)) : t;
      });
      const L = (q: tf.Tensor[], b: PruneBatch): tf.Scalar => crossEntropy(model.forward(b.x, { training: true }, new Map(all.map((n, j) => [n, q[j]]))), b.y);
      let buf: tf.Tensor[] | null = null;
      for (let t = 0; t < 3; t++) {
        const g = tf.grads((...q: tf.Tensor[]) => L(q, batches[t]))(p);
        buf = buf === null ? g : buf.map((b, j) => tf.add(tf.mul(b, mom), g[j]));
        const s = buf;
        p = p.map((q, j) => tf.sub(q, tf.mul(s[j], lr)));
      }
      return L(p, batches[3]).dataSync()[0];
    });
  const fd = fdOverEntries(names.map((n) => model.params.get(n)!.shape), lossAfter, 1e-2).map(Math.abs);
  assert.ok(cosine(exact, fd) > 0.999, `cosine ${cosine(exact, fd)}`);
  for (const b of batches) tf.dispose([b.x, b.y]);
});

test("score-based pruners hit the requested sparsity within 0.001 and are seed-deterministic", () => {
  const data = tinyData(12, 300);
  const make = () => tinyModel(13, { channels: 16, hidden: 32 });
  const run = (name: string, s: number, seed: number): PruneResult => {
    const m = make();
    switch (name) {
      case "snip":
        return pruneSnip(m, s, { seed, data, batchSize: 32 });
      case "grasp":
        return pruneGrasp(m, s, { seed, data, samplesPerClass: 8 });
      case "synflow":
        return pruneSynflow(m, s, { seed, iterations: 20 });
      default:
        return pruneProspr(m, s, { seed, data, batchSize: 16 });
    }
  };
  for (const name of ["snip", "grasp", "synflow", "prospr"]) {
    for (const s of [0.5, 0.9]) {
      const r = run(name, s, 0);
      let ones = 0;
      let total = 0;
      for (const m of r.masks.values()) {
        for (const v of m.data) ones += v;
        total += m.data.length;
      }
      assert.ok(total > 2000);
      assert.ok(Math.abs(1 - ones / total - s) < 1e-3, `${name} ${s}: realised ${1 - ones / total}`);
      assert.equal(r.density.global, ones / total);
    }
    assert.ok(sameMasks(run(name, 0.9, 1), run(name, 0.9, 1)), `${name}: same seed, same masks`);
  }
});
