import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { buildModel, modelToHost, type TfSparseModel } from "../../src/nn/model";
import { train } from "../../src/train/train";
import type { TrainRecipe } from "../../src/train/recipes";
import { NO_AUGMENT } from "../../src/io/augment";
import { Rng } from "../../src/util/rng";
import { syntheticQuadrants, tinySpec } from "./tiny-fixtures";
import { KERNEL_MODES, assertNoLeak, useKernels } from "../tensor-leaks";
import { tempDir } from "../temp";

// two epochs with a milestone, momentum and weight decay: optimiser slots, BN running statistics,
// per-epoch evaluation and a checkpoint all take part
const recipe: TrainRecipe = { epochs: 2, batchSize: 16, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, milestones: [1], gamma: 0.1, augment: NO_AUGMENT };

function halfMasked(seed: number): TfSparseModel {
  const model = buildModel(tinySpec, { seed });
  const rng = new Rng(seed + 1);
  const host = modelToHost(model).weights;
  for (const name of model.prunable) {
    const w = host.get(name)!;
    const data = new Uint8Array(w.data.length);
    for (let i = 0; i < data.length; i++) data[i] = rng.next() < 0.5 ? 1 : 0;
    model.setMask(name, { shape: w.shape, data });
  }
  return model;
}

for (const mode of KERNEL_MODES) {
  test(`train leaves no tfjs tensor beyond the model's own (${mode} kernels; evaluation, checkpoint and resume included)`, async (t) => {
    if (!(await useKernels(t, mode))) return;
    const data = { train: syntheticQuadrants(64, 1), test: syntheticQuadrants(32, 2) };
    const model = halfMasked(3);
    try {
      const r = assertNoLeak("train", () => train(model, data, recipe, { seed: 1, evalEveryEpoch: true }));
      assert.equal(r.epochs.length, 2);
      const checkpoint = { path: path.join(tempDir("snn-leak-"), "ck.safetensors") };
      assertNoLeak("train (first epoch, checkpointed)", () => train(model, data, recipe, { seed: 2, checkpoint, stopAfterEpochs: 1 }));
      const resumed = assertNoLeak("train (resumed from the checkpoint)", () => train(model, data, recipe, { seed: 2, checkpoint }));
      assert.equal(resumed.startEpoch, 1);
    } finally {
      model.dispose();
    }
  });
}
