import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/nn/backend";
import { buildModel, modelToHost, type TfSparseModel } from "../../src/nn/model";
import { MaskedSgd } from "../../src/train/sgd";
import { evaluate, evaluateForRecipe, testAugmentation, train } from "../../src/train/train";
import type { TrainRecipe } from "../../src/train/recipes";
import { multiStepLr, referenceRecipe } from "../../src/train/recipes";
import type { TrainStepContext } from "../../src/train/hooks";
import { Rng } from "../../src/util/rng";
import { syntheticQuadrants, tinySpec } from "./tiny-fixtures";
import { NO_AUGMENT, CIFAR_AUGMENT } from "../../src/io/augment";

const spec = tinySpec;
const synthetic = syntheticQuadrants;

const recipe: TrainRecipe = { epochs: 3, batchSize: 16, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, milestones: [2], gamma: 0.1, augment: NO_AUGMENT };

function randomMasks(model: TfSparseModel, seed: number, keep = 0.5): void {
  const rng = new Rng(seed);
  const host = modelToHost(model).weights;
  for (const name of model.prunable) {
    const w = host.get(name)!;
    const data = new Uint8Array(w.data.length);
    for (let i = 0; i < data.length; i++) data[i] = rng.next() < keep ? 1 : 0;
    model.setMask(name, { shape: w.shape, data });
  }
}

test("SGD step follows PyTorch semantics (momentum, weight decay) and keeps masked weights exactly 0 for 100 steps", async () => {
  await initBackend("wasm");
  const model = buildModel(spec, { seed: 1 });
  randomMasks(model, 2);
  const opt = new MaskedSgd({ momentum: 0.9, weightDecay: 1e-2 });
  const name = "fc.weight";
  const w0 = Float64Array.from(model.params.get(name)!.dataSync());
  const mask = model.masks.get(name)!.dataSync();
  const rng = new Rng(3);
  const expectW = Float64Array.from(w0);
  const buf = new Float64Array(w0.length);
  for (let step = 0; step < 100; step++) {
    const grads = new Map<string, tf.Tensor>();
    for (const [n, p] of model.params) {
      if (model.frozen.has(n)) continue;
      const g = new Float32Array(p.size);
      for (let i = 0; i < g.length; i++) g[i] = rng.normal();
      grads.set(n, tf.tensor(g, p.shape));
      if (n === name && step < 3) {
        for (let i = 0; i < g.length; i++) {
          const d = g[i] * mask[i] + 1e-2 * expectW[i];
          buf[i] = (step === 0 ? d : 0.9 * buf[i] + d) * mask[i];
          expectW[i] = (expectW[i] - 0.1 * buf[i]) * mask[i];
        }
      }
    }
    opt.step(model, grads, 0.1);
    for (const g of grads.values()) g.dispose();
    if (step === 2) {
      const got = model.params.get(name)!.dataSync();
      for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - expectW[i]) < 1e-5, `step 3, ${name}[${i}]: ${got[i]} vs ${expectW[i]}`);
    }
  }
  for (const n of model.prunable) {
    const w = model.params.get(n)!.dataSync();
    const m = model.masks.get(n)!.dataSync();
    const b = opt.momentum.get(n)!.dataSync();
    let kept = 0;
    for (let i = 0; i < w.length; i++) {
      if (m[i] === 0) {
        assert.ok(w[i] === 0, `${n}[${i}] is ${w[i]} after 100 steps`);
        assert.ok(b[i] === 0, `${n}[${i}] momentum is ${b[i]}`);
      } else if (w[i] !== 0) kept++;
    }
    assert.ok(kept > 0, `${n}: unmasked weights moved`);
  }
  // biases are frozen at zero
  assert.ok(model.params.get("fc.bias")!.dataSync().every((v) => v === 0));
  opt.dispose();
  model.dispose();
});

test("MultiStepLR", () => {
  const r = { lr: 0.1, milestones: [80, 120], gamma: 0.1 };
  assert.equal(multiStepLr(r, 0), 0.1);
  assert.equal(multiStepLr(r, 79), 0.1);
  assert.ok(Math.abs(multiStepLr(r, 80) - 0.01) < 1e-15);
  assert.ok(Math.abs(multiStepLr(r, 159) - 0.001) < 1e-15);
});

test("training decreases the loss and learns a synthetic task; masked weights stay 0; hooks see dense gradients", async () => {
  await initBackend("wasm");
  const model = buildModel(spec, { seed: 4 });
  randomMasks(model, 5, 0.6);
  const data = { train: synthetic(256, 1), test: synthetic(128, 2) };
  const before = evaluate(model, data.test, { mean: [0.4], std: [0.25] });
  let calls = 0;
  let sawDenseAtMasked = false;
  const hook = {
    afterStep(ctx: TrainStepContext): boolean {
      calls++;
      assert.deepEqual([...ctx.denseGrads.keys()], model.prunable);
      const g = ctx.denseGrads.get("c1.weight")!.dataSync();
      const m = model.masks.get("c1.weight")!.dataSync();
      for (let i = 0; i < g.length; i++) if (m[i] === 0 && g[i] !== 0) sawDenseAtMasked = true;
      assert.ok(ctx.momentum.has("c1.weight"));
      assert.equal(ctx.stepsPerEpoch, 16);
      assert.equal(ctx.totalSteps, 48);
      assert.equal(ctx.learningRate, ctx.epoch >= 2 ? 0.05 * 0.1 : 0.05);
      return false;
    },
  };
  const res = train(model, { ...data, normalization: { mean: [0.4], std: [0.25] } }, recipe, { seed: 0, hooks: [hook], evalEveryEpoch: true });
  assert.equal(calls, 48);
  assert.ok(sawDenseAtMasked, "dense gradients are nonzero at pruned positions");
  assert.equal(res.epochs.length, 3);
  assert.ok(res.epochs[2].loss < res.epochs[0].loss * 0.8, `loss ${res.epochs.map((e) => e.loss)}`);
  assert.ok(res.testAccuracy! > 0.8 && res.testAccuracy! > before.accuracy + 0.2, `accuracy ${before.accuracy} → ${res.testAccuracy}`);
  const host = modelToHost(model);
  for (const n of model.prunable) {
    const w = host.weights.get(n)!.data;
    const m = host.masks.get(n)!.data;
    for (let i = 0; i < w.length; i++) if (m[i] === 0) assert.ok(w[i] === 0, `${n}[${i}]`);
  }
  // running statistics moved away from their initial 0 / 1
  assert.ok(host.weights.get("bn1.running_mean")!.data.some((v) => Math.abs(v) > 1e-3));
  model.dispose();
});

test("a hook that changes masks gets them applied to weights and momentum", async () => {
  await initBackend("wasm");
  const model = buildModel(spec, { seed: 6 });
  const hook = {
    afterStep(ctx: TrainStepContext): boolean {
      if (ctx.step !== 3) return false;
      const w = model.params.get("fc.weight")!;
      const m = tf.tidy(() => tf.cast(tf.greater(tf.abs(w), 0.1), "float32"));
      ctx.model.masks.set("fc.weight", m);
      return true;
    },
  };
  train(model, { train: synthetic(96, 3) }, { ...recipe, epochs: 1 }, { seed: 1, hooks: [hook] });
  const w = model.params.get("fc.weight")!.dataSync();
  const m = model.masks.get("fc.weight")!.dataSync();
  const zeros = Array.from(m).filter((v) => v === 0).length;
  assert.ok(zeros > 0, "the hook pruned something");
  for (let i = 0; i < w.length; i++) if (m[i] === 0) assert.ok(w[i] === 0);
  model.dispose();
});

test("same seed → identical training; resuming from an epoch checkpoint equals the uninterrupted run", async () => {
  await initBackend("wasm");
  const dir = mkdtempSync(path.join(tmpdir(), "snn-train-"));
  try {
    const data = { train: synthetic(128, 7) };
    const r: TrainRecipe = { ...recipe, augment: { cropPadding: 2, flip: true } };
    const run = (ck?: string, stop?: number): { w: Map<string, Float32Array>; res: ReturnType<typeof train> } => {
      const m = buildModel(spec, { seed: 9 });
      randomMasks(m, 10);
      const res = train(m, data, r, { seed: 3, ...(ck ? { checkpoint: { path: ck } } : {}), ...(stop ? { stopAfterEpochs: stop } : {}) });
      const w = new Map([...modelToHost(m).weights].map(([k, v]) => [k, v.data]));
      m.dispose();
      return { w, res };
    };
    const a = run();
    const b = run();
    const ck = path.join(dir, "ck.safetensors");
    const first = run(ck, 1);
    assert.equal(first.res.epochs.length, 1);
    const resumed = run(ck);
    assert.equal(resumed.res.startEpoch, 1);
    assert.deepEqual(resumed.res.epochs.map((e) => e.loss), a.res.epochs.map((e) => e.loss));
    for (const [k, v] of a.w) {
      assert.deepEqual(b.w.get(k), v, `${k}: same seed`);
      assert.deepEqual(resumed.w.get(k), v, `${k}: resumed`);
    }
    // a checkpoint from a different recipe is refused
    const m = buildModel(spec, { seed: 9 });
    assert.throws(() => train(m, data, { ...r, lr: 0.2 }, { seed: 3, checkpoint: { path: ck } }), /different recipe/);
    assert.throws(() => train(m, data, r, { seed: 4, checkpoint: { path: ck } }), /seed 3, this run uses 4/);
    m.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("evaluate: top-1 accuracy equals an argmax computed on the host", async () => {
  await initBackend("wasm");
  const model = buildModel(spec, { seed: 11 });
  const d = synthetic(50, 12);
  const norm = { mean: [0.3], std: [0.2] };
  const { accuracy } = evaluate(model, d, norm, 7);
  // host: run forward on all 50 at once and count argmax hits
  const x = new Float32Array(50 * 64);
  for (let i = 0; i < x.length; i++) x[i] = (d.images[i] / 255 - 0.3) / 0.2;
  const logits = tf.tidy(() => model.forward(tf.tensor4d(x, [50, 8, 8, 1]), { training: false }).arraySync());
  let hits = 0;
  logits.forEach((row, i) => { if (row.indexOf(Math.max(...row)) === d.labels[i]) hits++; });
  assert.equal(accuracy, hits / 50);
  assert.throws(() => train(model, { train: { ...d, channels: 3, images: new Uint8Array(50 * 192) } }, recipe), /8×8×3 images, tiny expects 8×8×1/);
  model.dispose();
  void CIFAR_AUGMENT;
});

test("test-time augmentation (the reference's CIFAR-100 quirk): flips swap the learnt quadrants, seeded; CIFAR-100 recipes ask for it", async () => {
  await initBackend("wasm");
  const model = buildModel(spec, { seed: 21 });
  const data = { train: synthetic(384, 22), test: synthetic(200, 23) };
  const flipRecipe: TrainRecipe = { ...recipe, epochs: 4, testAugment: { cropPadding: 0, flip: true } };
  const res = train(model, data, flipRecipe, { seed: 5 });
  const plain = evaluate(model, data.test, res.normalization).accuracy;
  const aug = testAugmentation(flipRecipe, 5);
  assert.ok(aug, "a flip asks for augmentation");
  const flipped = evaluate(model, data.test, res.normalization, 64, undefined, aug).accuracy;
  // Class k is a bright quadrant: a horizontal flip moves it to quadrant k ^ 1, so about half the
  // test images become another class's image and are misread.
  assert.ok(plain > 0.9, `learnt: ${plain}`);
  assert.ok(flipped > 0.25 && flipped < 0.75 && flipped < plain - 0.2, `flipped ${flipped} vs plain ${plain}`);
  assert.equal(evaluate(model, data.test, res.normalization, 64, undefined, aug).accuracy, flipped, "same seed, same crops");
  assert.equal(res.testAccuracy, evaluate(model, data.test, res.normalization, undefined, undefined, aug).accuracy, "train() evaluates as the recipe says");
  assert.equal(evaluateForRecipe(model, data.test, res.normalization, flipRecipe, 5).accuracy, evaluate(model, data.test, res.normalization, undefined, undefined, aug).accuracy, "evaluateForRecipe = evaluate with the recipe's augmentation");
  assert.equal(testAugmentation({ testAugment: NO_AUGMENT }, 5), undefined);
  assert.equal(testAugmentation({}, 5), undefined);
  assert.deepEqual(referenceRecipe("cifar100", "resnet20").testAugment, CIFAR_AUGMENT);
  assert.deepEqual(referenceRecipe("cifar100", "wrn-28-2").testAugment, CIFAR_AUGMENT);
  assert.equal(referenceRecipe("cifar100", "wrn-28-2").weightDecay, 5e-4);
  assert.equal(referenceRecipe("cifar10", "resnet20").testAugment, undefined);
  model.dispose();
});
