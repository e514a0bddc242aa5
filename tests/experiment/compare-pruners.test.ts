// pruneEach / trainEach (notebook 01's comparison): each row equals what prune and train give on
// their own for the same seed, the dense reference comes first, and DST hooks move masks without
// changing their count.
import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../src/nn/backend";
import { buildModel } from "../../src/nn/model";
import { datasetPruneData } from "../../src/pruning/data";
import { prune } from "../../src/pruning/prune";
import { applyMasks } from "../../src/pruning/tf-util";
import { train } from "../../src/train/train";
import type { TrainRecipe } from "../../src/train/recipes";
import { NO_AUGMENT } from "../../src/io/augment";
import { pruneEach, trainEach } from "../../src/experiment/compare-pruners";
import { syntheticQuadrants, tinySpec } from "../train/tiny-fixtures";

const recipe: TrainRecipe = { epochs: 1, batchSize: 16, lr: 0.05, momentum: 0.9, weightDecay: 1e-4, milestones: [], gamma: 0.1, augment: NO_AUGMENT };
const PRUNERS = ["snip", "uniform", "rigl"];

test("pruneEach and trainEach: rows equal prune / train run alone; dense first; DST keeps its count", async () => {
  await initBackend("wasm");
  const trainSet = syntheticQuadrants(96, 1);
  const testSet = syntheticQuadrants(32, 2);
  const data = datasetPruneData(trainSet);
  const options = { seed: 3, data, batchSize: 16, dst: { updateEvery: 2 } };
  const labels: string[] = [];
  const progress = { update: (_d: number, _t: number, label?: string) => labels.push(label ?? ""), finish: () => labels.push("finish") };

  const pruned = pruneEach(tinySpec, PRUNERS, 0.5, options, progress);
  assert.deepEqual(pruned.map((p) => p.pruner), PRUNERS);
  assert.deepEqual(labels, [...PRUNERS, "finish"]);
  for (const p of pruned) {
    const model = buildModel(tinySpec, { seed: 3 });
    const alone = prune(p.pruner, model, 0.5, options);
    model.dispose();
    for (const [name, m] of alone.masks) assert.deepEqual(p.outcome.masks.get(name)?.data, m.data, `${p.pruner}: ${name}`);
  }

  const runs = trainEach(tinySpec, pruned, { train: trainSet, test: testSet }, recipe, { seed: 3 });
  assert.deepEqual(runs.map((r) => [r.name, r.category]), [["dense", "dense"], ["snip", "PaI"], ["uniform", "random"], ["rigl", "DST"]]);
  assert.equal(runs[0].sparsityBefore, 0);
  for (const r of runs.slice(1)) assert.ok(Math.abs(r.sparsityBefore - 0.5) < 0.02, `${r.name}: ${r.sparsityBefore}`);
  const rigl = runs[3];
  assert.ok(rigl.updates > 0, "RigL's hook updated the mask");
  assert.ok(Math.abs(rigl.sparsityAfter - rigl.sparsityBefore) < 1e-12, "DST keeps the number of weights");
  assert.deepEqual(runs.slice(0, 3).map((r) => r.updates), [0, 0, 0]);

  // The uniform row equals train() on its own from the same initialisation and masks.
  const model = buildModel(tinySpec, { seed: 3 });
  applyMasks(model, pruned[1].outcome.masks);
  const alone = train(model, { train: trainSet, test: testSet }, recipe, { seed: 3 });
  model.dispose();
  assert.equal(runs[2].accuracy, alone.testAccuracy);
});
