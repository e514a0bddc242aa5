// Memory planning of the data-driven pruners (issue #5): chunked passes give the un-chunked result,
// the estimate grows with batch and model, an impossible budget fails before anything is allocated.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/nn/backend";
import { conv6, lenet5, resnet20 } from "../../src/nn/architectures";
import { graspHg, pruneGrasp } from "../../src/pruning/grasp";
import { prosprScores, prosprScoresChunked, pruneProspr } from "../../src/pruning/prospr";
import { pruneSnip, snipScores } from "../../src/pruning/snip";
import { arrayPruneData, splitBatch, type PruneBatch, type PruneData } from "../../src/pruning/data";
import { buildModel } from "../../src/nn/model";
import { activationFloats, balancedChunks, estimatePassBytes, parameterFloats, planChunks, SAFETY } from "../../src/pruning/memory";
import { Rng } from "../../src/util/rng";
import { flat, tinyData, tinyModel } from "./tiny-model";

before(async () => {
  await initBackend("cpu");
});


function assertClose(a: Float64Array, b: Float64Array, rel: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  assert.ok(scale > 0, `${what}: all-zero reference`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= rel * scale, `${what}: entry ${i}: ${a[i]} vs ${b[i]} (scale ${scale})`);
}

test("ProsPr: the chunked reverse sweep equals automatic differentiation through the unrolled steps, for any chunking", () => {
  // relu + max pool: kinks do not matter, both sides differentiate the same function exactly
  for (const activation of ["tanh", "relu"] as const) {
    const model = tinyModel(21, { activation, channels: 4, hidden: 7 });
    const data = tinyData(22);
    const rng = new Rng(23);
    const batches = [0, 1, 2, 3].map(() => data.batch(13, rng));
    const direct = flat(prosprScores(model, batches, 0.5, 0.9));
    for (const sizes of [[13], [5, 4, 4], [1, 12], [3, 3, 3, 2, 2]]) {
      const chunked = batches.map((b) => splitBatch(b, sizes));
      const got = flat(prosprScoresChunked(model, chunked, 0.5, 0.9));
      assertClose(got, direct, 2e-4, `${activation}, chunks [${sizes}]`);
      if (sizes.length > 1) for (const cs of chunked) for (const c of cs) tf.dispose([c.x, c.y]);
    }
    // K = 0 (no inner step) and K = 1 as edge cases
    for (const k of [1, 2]) {
      const bs = batches.slice(0, k);
      assertClose(flat(prosprScoresChunked(model, bs.map((b) => splitBatch(b, [7, 6])), 0.5, 0.9)), flat(prosprScores(model, bs, 0.5, 0.9)), 2e-4, `${activation}, K = ${k - 1}`);
    }
    for (const b of batches) tf.dispose([b.x, b.y]);
  }
});

test("ProsPr: the reverse sweep leaks no tensors", () => {
  const model = tinyModel(24, { activation: "tanh" });
  const rng = new Rng(25);
  const batches = [0, 1, 2, 3].map(() => tinyData(26).batch(8, rng));
  const chunked = batches.map((b) => splitBatch(b, [3, 3, 2]));
  const before = tf.memory().numTensors;
  const s = prosprScoresChunked(model, chunked, 0.5, 0.9);
  assert.equal(tf.memory().numTensors, before + s.length);
  tf.dispose(s);
});

test("pruneProspr with forced small chunks keeps the masks of the un-chunked run and reports the chunking", () => {
  const data = tinyData(27, 300);
  const run = (chunkSize?: number) => pruneProspr(tinyModel(28, { channels: 8, hidden: 16, activation: "tanh" }), 0.8, { seed: 3, data, batchSize: 24, chunkSize });
  const whole = run();
  const chunked = run(5);
  assert.equal(whole.info.chunks, 1);
  assert.equal(chunked.info.chunks, 5);
  assert.equal(chunked.info.chunkSize, 5);
  let differ = 0;
  let total = 0;
  for (const [k, m] of whole.masks) {
    const o = chunked.masks.get(k)!;
    for (let i = 0; i < m.data.length; i++) if (m.data[i] !== o.data[i]) differ++;
    total += m.data.length;
  }
  // only float-rounding ties at the threshold may flip
  assert.ok(differ <= 2, `${differ} of ${total} mask entries differ`);
});

test("GraSP: Hg accumulated over chunks equals the one-chunk Hg (no BatchNorm)", () => {
  const model = tinyModel(31, { activation: "relu", channels: 4 });
  const all = tinyData(32).perClass(7, new Rng(33)); // 21 examples, halves of 10 and 11
  const W = model.prunable.map((n) => model.params.get(n)! as tf.Tensor);
  const halvesOf = (sizes: [number[], number[]]): PruneBatch[][] => {
    let a = 0;
    return sizes.map((ss) =>
      ss.map((s) => {
        const c = { x: tf.slice(all.x, [a, 0, 0, 0], [s, -1, -1, -1]), y: tf.slice(all.y, [a, 0], [s, -1]) };
        a += s;
        return c;
      }),
    );
  };
  const one = graspHg(model, W, halvesOf([[10], [11]]), 200);
  for (const sizes of [[[5, 5], [6, 5]], [[1, 9], [4, 4, 3]], [[2, 2, 2, 2, 2], [3, 3, 3, 2]]] as Array<[number[], number[]]>) {
    const halves = halvesOf(sizes);
    const c = graspHg(model, W, halves, 200);
    assertClose(flat(c.g), flat(one.g), 1e-5, `g, chunks ${JSON.stringify(sizes)}`);
    assertClose(flat(c.Hg), flat(one.Hg), 1e-4, `Hg, chunks ${JSON.stringify(sizes)}`);
    for (const h of halves) for (const b of h) tf.dispose([b.x, b.y]);
  }
  tf.dispose([all.x, all.y]);
});

test("pruneGrasp and pruneSnip with forced chunks report them and keep the un-chunked masks", () => {
  const data = tinyData(34, 300);
  const make = () => tinyModel(35, { channels: 8, hidden: 16 });
  const g1 = pruneGrasp(make(), 0.8, { seed: 1, data, samplesPerClass: 10 });
  const g2 = pruneGrasp(make(), 0.8, { seed: 1, data, samplesPerClass: 10, chunkSize: 4 });
  assert.equal(g1.info.chunks, 1);
  assert.equal(g2.info.chunks, 4); // halves of 15: 4 balanced chunks of ≤ 4
  assert.equal(g2.info.chunkSize, 4);
  const s1 = pruneSnip(make(), 0.8, { seed: 1, data, batchSize: 30 });
  const s2 = pruneSnip(make(), 0.8, { seed: 1, data, batchSize: 30, chunkSize: 7 });
  assert.equal(s2.info.chunks, 5);
  for (const [a, b] of [[g1, g2], [s1, s2]]) {
    let differ = 0;
    for (const [k, m] of a.masks) {
      const o = b.masks.get(k)!;
      for (let i = 0; i < m.data.length; i++) if (m.data[i] !== o.data[i]) differ++;
    }
    assert.ok(differ <= 2, `${a.method}: ${differ} mask entries differ`);
  }
});

test("SNIP: scores over chunks equal the one-batch scores", () => {
  const model = tinyModel(36, { activation: "tanh" });
  const b = tinyData(37).batch(17, new Rng(38));
  const one = flat(snipScores(model, b.x, b.y));
  const chunks = splitBatch(b, [6, 6, 5]);
  assertClose(flat(snipScores(model, chunks)), one, 1e-5, "snip chunks");
  for (const c of chunks) tf.dispose([c.x, c.y]);
  tf.dispose([b.x, b.y]);
});

test("the memory estimate grows with the batch, the width and the input size, and hvp > grad", () => {
  const small = conv6({ widthMultiplier: 0.25 });
  const full = conv6();
  // activations counted independently: Conv-6 at 32×32×3 (each conv is followed by BN and ReLU)
  const convs = [64, 64, 128, 128, 256, 256];
  let a = 3 * 32 * 32;
  convs.forEach((c, i) => {
    const side = 32 >> Math.floor(i / 2);
    a += 3 * c * side * side;
    if (i % 2 === 1) a += c * (side / 2) * (side / 2);
  });
  a += 256 * 4 * 4 + 3 * 256 + 3 * 256 + 10; // flatten, linear.0/bn/relu, linear.3/bn/relu, classifier
  assert.equal(activationFloats(full), a);
  const convParams = [3 * 64, 64 * 64, 64 * 128, 128 * 128, 128 * 256, 256 * 256].reduce((s, v) => s + 9 * v, 0) + 2 * (64 + 64 + 128 + 128 + 256 + 256) + (64 + 64 + 128 + 128 + 256 + 256);
  const fcParams = 4096 * 256 + 256 * 256 + 256 * 10 + (256 + 256 + 10) + 4 * 256; // weights, biases, BN γ/β
  assert.equal(parameterFloats(full), convParams + fcParams);
  for (const kind of ["grad", "hvp"] as const) {
    assert.ok(estimatePassBytes(full, kind, 16) > estimatePassBytes(full, kind, 8));
    assert.ok(estimatePassBytes(full, kind, 8) > estimatePassBytes(small, kind, 8));
    assert.ok(estimatePassBytes(conv6({ inputSize: 64 }), kind, 8) > estimatePassBytes(full, kind, 8));
    assert.ok(estimatePassBytes(resnet20(), kind, 8) > estimatePassBytes(resnet20({ widthMultiplier: 0.5 }), kind, 8));
  }
  assert.ok(estimatePassBytes(full, "hvp", 8) > estimatePassBytes(full, "grad", 8));
  // per-example cost is linear in n
  const d1 = estimatePassBytes(full, "hvp", 2) - estimatePassBytes(full, "hvp", 1);
  const d2 = estimatePassBytes(full, "hvp", 101) - estimatePassBytes(full, "hvp", 100);
  assert.ok(Math.abs(d1 - d2) < 1e-6 * d1);
});

test("planChunks: the largest balanced chunks that fit, a forced chunkSize is checked, sizes add up", () => {
  const spec = lenet5();
  const fit = (n: number) => SAFETY * estimatePassBytes(spec, "hvp", n);
  // a budget that holds exactly 7 examples (nothing held)
  const budget = (fit(7) + fit(8)) / 2;
  const p = planChunks("test", spec, "hvp", 50, { memoryBudget: budget }, { heldBytes: 0 });
  assert.deepEqual(p.sizes, balancedChunks(50, 8));
  assert.equal(p.sizes.reduce((s, v) => s + v, 0), 50);
  assert.ok(Math.max(...p.sizes) <= 7 && Math.max(...p.sizes) - Math.min(...p.sizes) <= 1);
  assert.equal(p.chunkSize, 7);
  // already-held tensors count against the budget
  const q = planChunks("test", spec, "hvp", 50, { memoryBudget: budget }, { heldBytes: fit(7) - fit(3) });
  assert.ok(q.chunkSize <= 4, `chunk ${q.chunkSize}`);
  // a batch that fits is one chunk
  assert.deepEqual(planChunks("test", spec, "hvp", 5, { memoryBudget: budget }, { heldBytes: 0 }).sizes, [5]);
  // forced
  assert.deepEqual(planChunks("test", spec, "hvp", 10, { memoryBudget: budget, chunkSize: 4 }, { heldBytes: 0 }).sizes, [4, 3, 3]);
  assert.throws(() => planChunks("test", spec, "hvp", 10, { memoryBudget: budget, chunkSize: 9 }, { heldBytes: 0 }), /test: lenet5 .*batch 10: a chunk of 9 examples needs about .*B for a hvp pass, more than the memory budget/);
  assert.throws(() => planChunks("test", spec, "hvp", 10, { chunkSize: 0 }), /chunkSize must be a positive integer/);
  assert.throws(() => planChunks("test", spec, "hvp", 10, { memoryBudget: -1 }), /memoryBudget must be a positive number/);
});

test("an impossible budget fails before anything is allocated, naming the model, the batch and the budget", () => {
  const untouched: PruneData = {
    classes: 3,
    batch(): PruneBatch {
      throw new Error("data was read");
    },
    perClass(): PruneBatch {
      throw new Error("data was read");
    },
  };
  const model = tinyModel(40);
  const tensors = tf.memory().numTensors;
  const budget = 1000; // bytes: not even the parameters fit
  assert.throws(
    () => pruneProspr(model, 0.5, { seed: 0, data: untouched, batchSize: 512, memoryBudget: budget }),
    (e: Error) => /^pruning\/prospr: tiny \(4×4×1, 3 classes\), batch 512: even one example needs about .*B for a hvp pass, more than the memory budget 1000 B \(option;/.test(e.message),
  );
  assert.throws(() => pruneGrasp(model, 0.5, { seed: 0, data: untouched, memoryBudget: budget }), /pruning\/grasp: tiny .*75 examples \(25 per class\), halves of ≤ 38: even one example/);
  assert.throws(() => pruneSnip(model, 0.5, { seed: 0, data: untouched, memoryBudget: budget }), /pruning\/snip: tiny .*batch 128: even one example/);
  assert.equal(tf.memory().numTensors, tensors);
  // full Conv-6 on CIFAR: one example of a Hessian-vector product does not fit in 1 MiB
  assert.throws(() => planChunks("pruning/prospr", conv6(), "hvp", 512, { memoryBudget: 2 ** 20 }, { heldBytes: 0 }), /conv6 \(32×32×3, 10 classes\), batch 512: even one example needs about/);
});

test("result info records the chunking, and flags BatchNorm over several chunks", () => {
  const r = pruneSnip(tinyModel(41), 0.5, { seed: 0, data: tinyData(42), batchSize: 10, chunkSize: 4 });
  assert.equal(r.info.chunks, 3);
  assert.equal(r.info.chunkSize, 4);
  assert.equal(r.info.memoryBudgetSource, "half of RAM");
  assert.equal(r.info.batchNormPerChunk, false); // no BatchNorm: chunking is exact
  assert.ok(typeof r.info.memoryEstimateMiB === "number" && typeof r.info.memoryBudgetMiB === "number");
  // a BatchNorm network (Conv-6 at 8×8×1, width 1/16)
  const spec = conv6({ inputSize: 8, inputChannels: 1, classes: 3, widthMultiplier: 1 / 16 });
  const rng = new Rng(43);
  const x = Float32Array.from({ length: 40 * 64 }, () => rng.normal());
  const data = arrayPruneData(x, Int32Array.from({ length: 40 }, (_, i) => i % 3), { shape: [8, 8, 1], classes: 3 });
  const model = buildModel(spec, { seed: 0 });
  assert.equal(pruneSnip(model, 0.5, { seed: 0, data, batchSize: 12, chunkSize: 6 }).info.batchNormPerChunk, true);
  assert.equal(pruneSnip(model, 0.5, { seed: 0, data, batchSize: 12 }).info.batchNormPerChunk, false);
  model.dispose();
});

test("ProsPr and GraSP report one progress step per chunk pass and finish", () => {
  const data = tinyData(44, 300);
  const record = () => {
    const updates: Array<[number, number]> = [];
    let finished = 0;
    return { updates, finished: () => finished, sink: { update: (d: number, t: number) => void updates.push([d, t]), finish: () => void finished++ } };
  };
  const p = record();
  pruneProspr(tinyModel(45), 0.5, { seed: 0, data, batchSize: 10, chunkSize: 4, steps: 2, progress: p.sink });
  // 3 chunks per batch: 2 inner gradients + 1 meta-loss gradient + 2 Hessian-vector products
  assert.equal(p.updates.length, 15);
  assert.deepEqual(p.updates[14], [15, 15]);
  assert.equal(p.finished(), 1);
  const g = record();
  pruneGrasp(tinyModel(46), 0.5, { seed: 0, data, samplesPerClass: 4, chunkSize: 3, progress: g.sink });
  // 12 examples, halves of 6 in 2 chunks each: 4 g passes + 4 Hg passes
  assert.deepEqual(g.updates.map((u) => u[0]), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(g.updates.every((u) => u[1] === 8));
  assert.equal(g.finished(), 1);
});
