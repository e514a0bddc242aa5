import { test } from "node:test";
import assert from "node:assert/strict";
import { buildModel } from "../../src/nn/model";
import { applyMasks, datasetPruneData, prune } from "../../src/pruning/index";
import { train } from "../../src/train/train";
import type { TrainRecipe } from "../../src/train/recipes";
import { NO_AUGMENT } from "../../src/io/augment";
import { syntheticQuadrants, tinySpec } from "../train/tiny-fixtures";
import { KERNEL_MODES, assertNoLeak, useKernels } from "../tensor-leaks";

const recipe: TrainRecipe = { epochs: 2, batchSize: 16, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, milestones: [1], gamma: 0.1, augment: NO_AUGMENT };
const images = syntheticQuadrants(64, 1);

for (const mode of KERNEL_MODES) {
  test(`prune (SNIP, GraSP, SynFlow, ProsPr) and applyMasks leave no tfjs tensor alive (${mode} kernels)`, async (t) => {
    if (!(await useKernels(t, mode))) return;
    for (const name of ["snip", "grasp", "synflow", "prospr"]) {
      const model = buildModel(tinySpec, { seed: 1 });
      try {
        const r = assertNoLeak(`prune('${name}')`, () => prune(name, model, 0.8, { seed: 0, data: datasetPruneData(images), batchSize: 16, samplesPerClass: 2, iterations: 1, steps: 2 }));
        assert.ok(Math.abs(r.density.global - 0.2) < 0.05, `${name}: density ${r.density.global}`);
        assertNoLeak(`applyMasks after ${name}`, () => applyMasks(model, r.masks));
      } finally {
        model.dispose();
      }
    }
  });

  test(`a DST run (SET, RigL: prune, applyMasks, train with the hook) leaves no tfjs tensor alive (${mode} kernels)`, async (t) => {
    if (!(await useKernels(t, mode))) return;
    for (const name of ["set", "rigl"]) {
      const model = buildModel(tinySpec, { seed: 1 });
      try {
        const updates = assertNoLeak(`DST run '${name}'`, () => {
          const r = prune(name, model, 0.8, { seed: 0, dst: { updateEvery: 2 } });
          applyMasks(model, r.masks);
          train(model, { train: images }, recipe, { seed: 1, hooks: r.hook ? [r.hook] : [] });
          return r.hook?.updates.length ?? 0;
        });
        assert.ok(updates > 0, `${name}: the hook never updated the masks`);
      } finally {
        model.dispose();
      }
    }
  });
}
