/**
 * Several pruning algorithms on one network, side by side (what notebook 01 shows): every
 * algorithm prunes its own copy of the same seeded initialisation, and each pruned network (with
 * the dense one first, for reference) is then trained from that same initialisation with the same
 * recipe and seed, its DST hook moving the mask where the algorithm has one. Differences between
 * rows are then the algorithms' alone.
 *
 * Cost: one `prune` per algorithm plus one `train` per network; one model is alive at a time (each
 * is disposed before the next is built), so memory is that of a single network.
 */
import type { ArchSpec } from "../nn/spec";
import { buildModel } from "../nn/model";
import { prune, type PruneOptions, type PruneOutcome } from "../pruning/prune";
import { prunerCategory, type PrunerCategory } from "../pruning/catalogue";
import { applyMasks } from "../pruning/tf-util";
import { train, type TrainData } from "../train/train";
import type { TrainRecipe } from "../train/recipes";
import { silentProgress, type Progress } from "../util/progress";

/** One algorithm's pruned network. */
export interface PrunedNetwork {
  readonly pruner: string;
  readonly outcome: PruneOutcome;
  /** Wall seconds of the `prune` call. */
  readonly seconds: number;
}

/**
 * Prunes a fresh model of `spec` (initialised with `options.seed`) with each named algorithm, in
 * the given order, to the same sparsity. `options` go to every `prune` call unchanged.
 * @example
 *   const pruned = pruneEach(lenet5(), INIT_PRUNERS, 0.9, { seed: 0, data: datasetPruneData(trainSet) });
 *   pruned.map((p) => [p.pruner, 1 - p.outcome.density.global]);
 * @throws what `prune` throws for the first algorithm it cannot run (unknown name, missing data or
 *   weights, a sparsity outside (0, 1)); the models built so far are disposed.
 */
export function pruneEach(spec: ArchSpec, pruners: readonly string[], sparsity: number, options: PruneOptions, progress: Progress = silentProgress): PrunedNetwork[] {
  const out: PrunedNetwork[] = [];
  for (let i = 0; i < pruners.length; i++) {
    progress.update(i, pruners.length, pruners[i]);
    const model = buildModel(spec, { seed: options.seed });
    try {
      const t0 = Date.now();
      const outcome = prune(pruners[i], model, sparsity, options);
      out.push({ pruner: pruners[i], outcome, seconds: (Date.now() - t0) / 1000 });
    } finally {
      model.dispose();
    }
  }
  progress.finish("done");
  return out;
}

/** One network's short training run. */
export interface TrainedNetwork {
  /** The algorithm, or "dense" for the unpruned reference. */
  readonly name: string;
  readonly category: PrunerCategory | "dense";
  /** 1 − density of the masks at the start and at the end of training (a DST hook may move them, not their count). */
  readonly sparsityBefore: number;
  readonly sparsityAfter: number;
  /** Mask updates a DST hook made (0 for the others). */
  readonly updates: number;
  /** On `data.test` after training (NaN without a test set). */
  readonly accuracy: number;
  /** Wall seconds of training and evaluation. */
  readonly seconds: number;
}

/**
 * Trains the dense network and then each pruned one from the same initialisation (`seed`), with its
 * masks applied and its DST hook (if any) installed, under one recipe.
 * @example
 *   const runs = trainEach(lenet5(), pruned, { train: trainSet, test: testSet }, recipe, { seed: 0 });
 *   runs.map((r) => [r.name, r.accuracy]);
 * @throws what `train` throws (an incompatible dataset, a bad recipe); the model in training is disposed.
 */
export function trainEach(spec: ArchSpec, pruned: readonly PrunedNetwork[], data: TrainData, recipe: TrainRecipe, options: { readonly seed: number; readonly progress?: Progress }): TrainedNetwork[] {
  const progress = options.progress ?? silentProgress;
  const entries: { name: string; outcome: PruneOutcome | null }[] = [{ name: "dense", outcome: null }, ...pruned.map((p) => ({ name: p.pruner, outcome: p.outcome }))];
  const runs: TrainedNetwork[] = [];
  for (let i = 0; i < entries.length; i++) {
    const { name, outcome } = entries[i];
    progress.update(i, entries.length, name);
    const model = buildModel(spec, { seed: options.seed });
    try {
      if (outcome) applyMasks(model, outcome.masks);
      const before = model.density();
      const t0 = Date.now();
      const result = train(model, data, recipe, { seed: options.seed, hooks: outcome?.hook ? [outcome.hook] : [] });
      runs.push({
        name,
        category: outcome ? prunerCategory(name) : "dense",
        sparsityBefore: 1 - before,
        sparsityAfter: 1 - model.density(),
        updates: outcome?.hook ? outcome.hook.updates.length : 0,
        accuracy: result.testAccuracy ?? NaN,
        seconds: (Date.now() - t0) / 1000,
      });
    } finally {
      model.dispose();
    }
  }
  progress.finish("done");
  return runs;
}
