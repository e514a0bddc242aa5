/**
 * The training loop: masked momentum SGD (./sgd), MultiStepLR per epoch (./recipes), the
 * primitive-op cross-entropy of nn/gradients, BatchNorm running statistics, training hooks
 * (./hooks: DST pruners), top-1 evaluation and per-epoch safetensors checkpoints (./checkpoint).
 *
 * Determinism: the shuffling and augmentation of epoch e come from an Rng derived from (seed, e)
 * only, and every tfjs op is deterministic on one backend, so the same seed gives bit-identical
 * training, and a run resumed from an epoch checkpoint equals the uninterrupted run — hooks
 * included: the checkpoint stores the state of every stateful hook (./hooks: a DST pruner's Rng
 * and update log) and resumption restores it, or refuses the checkpoint when the hooks differ.
 *
 * Cost per step: one forward + backward pass of the batch plus O(parameters) for the update.
 */
import { withNativeThreads } from "../nn/native/index";
import * as tf from "@tensorflow/tfjs";
import { crossEntropy } from "../nn/loss";
import type { TfSparseModel } from "../nn/model";
import { guardWasm } from "../nn/backend";
import { batchIndices, channelStats, checkDataset, makeBatch, type AugmentOptions, type Batch, type ImageDataset, type Normalization } from "../io/augment";
import type { Progress } from "../util/progress";
import { silentProgress } from "../util/progress";
import { Rng } from "../util/rng";
import { checkTrainHooks, type HookStateRecord, type StatefulTrainHook, type TrainHook, type TrainStepContext } from "./hooks";
import { MaskedSgd } from "./sgd";
import { checkRecipe, multiStepLr, type TrainRecipe } from "./recipes";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { canonicalJson } from "../util/json";
import { existsSync } from "node:fs";

export interface TrainData {
  readonly train: ImageDataset;
  /** Evaluated after training (and after every epoch with `evalEveryEpoch`). */
  readonly test?: ImageDataset;
  /** Input normalisation; default: per-channel statistics of the training set. */
  readonly normalization?: Normalization;
}

export interface CheckpointOptions {
  /** safetensors file written after every epoch (atomically: a temp file, then rename). */
  readonly path: string;
  /**
   * Continue from the file when it exists (default true). Restored: weights, masks, BN statistics,
   * momentum, epoch, history and the state of stateful hooks (DST pruners), so the resumed run is
   * bit-identical to the uninterrupted one. The run must pass hooks of the same kinds, in the same
   * order, as the run that wrote the file (e.g. the same DST method and configuration), or it fails.
   */
  readonly resume?: boolean;
}

export interface TrainOptions {
  readonly seed?: number;
  readonly hooks?: readonly TrainHook[];
  readonly progress?: Progress;
  readonly checkpoint?: CheckpointOptions;
  /** Evaluate on `data.test` after every epoch (default: only after the last). */
  readonly evalEveryEpoch?: boolean;
  /** Stop after this many epochs of this call (the checkpoint keeps the schedule position); for tests and time-boxed runs. */
  readonly stopAfterEpochs?: number;
  /**
   * Threads of the native kernels (nn/native) during this call; default: the current setting
   * (the machine's cores, or SNN_THREADS). Results agree across thread counts up to float
   * summation order.
   */
  readonly threads?: number;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly lr: number;
  /** Mean training loss over the epoch's batches. */
  readonly loss: number;
  readonly steps: number;
  readonly seconds: number;
  readonly testAccuracy?: number;
}

export interface TrainResult {
  readonly epochs: EpochRecord[];
  /** Epoch the run started from (> 0 when resumed from a checkpoint). */
  readonly startEpoch: number;
  readonly steps: number;
  readonly testAccuracy?: number;
  readonly normalization: Normalization;
}

/** Rng of epoch `epoch`'s shuffling and augmentation: a function of (seed, epoch) only. */
export function epochRng(seed: number, epoch: number): Rng {
  return new Rng(((seed * 1000003) ^ (epoch * 7919 + 17)) >>> 0);
}

/** One optimiser step on a batch; returns the loss and the dense gradients (kept; the caller disposes them). */
export function trainStep(model: TfSparseModel, optimizer: MaskedSgd, batch: Batch, lr: number): { loss: number; grads: Map<string, tf.Tensor> } {
  const { height: H, width: W, channels: C, classes } = shapeOf(model);
  const names = model.trainableNames();
  const vars = names.map((n) => {
    const v = model.params.get(n);
    if (!v) throw new Error(`train: missing parameter ${n}`);
    return v;
  });
  const x = tf.tensor4d(batch.x, [batch.n, H, W, C]);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(batch.y, "int32"), classes), "float32") as tf.Tensor2D);
  try {
    const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(x, { training: true, updateRunningStats: true }), y), vars);
    const g = new Map<string, tf.Tensor>();
    for (let i = 0; i < names.length; i++) {
      const t = grads[vars[i].name];
      if (!t) throw new Error(`train: no gradient for ${names[i]}`);
      g.set(names[i], t);
    }
    const loss = value.dataSync()[0];
    value.dispose();
    optimizer.step(model, g, lr);
    return { loss, grads: g };
  } finally {
    x.dispose();
    y.dispose();
  }
}

function shapeOf(model: TfSparseModel): { height: number; width: number; channels: number; classes: number } {
  return { height: model.spec.inputSize, width: model.spec.inputSize, channels: model.spec.inputChannels, classes: model.spec.classes };
}

function checkCompatible(model: TfSparseModel, d: ImageDataset): void {
  const s = model.spec;
  if (d.height !== s.inputSize || d.width !== s.inputSize || d.channels !== s.inputChannels) {
    throw new Error(`train: ${d.name} has ${d.height}×${d.width}×${d.channels} images, ${s.name} expects ${s.inputSize}×${s.inputSize}×${s.inputChannels}`);
  }
  if (d.classes > s.classes) throw new Error(`train: ${d.name} has ${d.classes} classes, ${s.name} outputs ${s.classes}`);
}

/** Test-time augmentation of `evaluate`: the crop/flip options and the seed of their Rng. */
export interface TestAugmentation {
  readonly augment: AugmentOptions;
  readonly seed: number;
}

/** The test-time augmentation a recipe asks for (undefined: none), seeded from the run's seed. */
export function testAugmentation(recipe: Pick<TrainRecipe, "testAugment">, seed: number): TestAugmentation | undefined {
  const a = recipe.testAugment;
  if (!a || (a.cropPadding === 0 && !a.flip)) return undefined;
  // A stream of its own: evaluating never shifts the training Rng, and the same seed gives the same crops.
  return { augment: a, seed: (seed ^ 0x7e5a) >>> 0 };
}

/** `evaluate` as the recipe says: with its test-time augmentation (if any) seeded from the run's seed. */
export function evaluateForRecipe(
  model: TfSparseModel,
  data: ImageDataset,
  normalization: Normalization,
  recipe: Pick<TrainRecipe, "testAugment">,
  seed: number,
): { accuracy: number; loss: number } {
  return evaluate(model, data, normalization, undefined, undefined, testAugmentation(recipe, seed));
}

/**
 * Top-1 accuracy (fraction) and mean cross-entropy of the model in eval mode (running BN statistics),
 * on the test images as they are, or augmented (`augmentation`, seeded: the same seed gives the same crops).
 */
export function evaluate(
  model: TfSparseModel,
  data: ImageDataset,
  normalization: Normalization,
  batchSize = 500,
  progress: Progress = silentProgress,
  augmentation?: TestAugmentation,
): { accuracy: number; loss: number } {
  checkCompatible(model, data);
  const rng = augmentation ? new Rng(augmentation.seed) : undefined;
  const { height: H, width: W, channels: C, classes } = shapeOf(model);
  let correct = 0;
  let lossSum = 0;
  let done = 0;
  for (const idx of batchIndices(data.count, batchSize, null)) {
    const b = augmentation ? makeBatch(data, idx, normalization, augmentation.augment, rng) : makeBatch(data, idx, normalization);
    // tidy returns tensors only (tslab's TypeScript 5.0 rejects a tuple of host values as a
    // TensorContainer); they are read back and disposed outside it.
    const [pred, loss] = guardWasm(`evaluation of ${data.name} (batch ${b.n})`, (): [ArrayLike<number>, number] => {
      const out: tf.Tensor[] = tf.tidy(() => {
        const logits = model.forward(tf.tensor4d(b.x, [b.n, H, W, C]), { training: false });
        const y = tf.cast(tf.oneHot(tf.tensor1d(b.y, "int32"), classes), "float32") as tf.Tensor2D;
        return [tf.argMax(logits, 1), crossEntropy(logits, y)];
      });
      const result: [ArrayLike<number>, number] = [out[0].dataSync(), out[1].dataSync()[0]];
      tf.dispose(out);
      return result;
    });
    for (let i = 0; i < b.n; i++) if (pred[i] === b.y[i]) correct++;
    lossSum += loss * b.n;
    done += b.n;
    progress.update(done, data.count, "evaluating");
  }
  return { accuracy: data.count === 0 ? 0 : correct / data.count, loss: data.count === 0 ? 0 : lossSum / data.count };
}

/**
 * Trains `model` in place with `recipe`. With `options.checkpoint`, the state after every epoch is
 * saved, and an existing checkpoint is resumed (it must come from the same architecture and recipe).
 * @example
 *   const train_ = loadDataset("cifar10", "train");
 *   const r = train(model, { train: train_, normalization: datasetNormalization(train_) }, referenceRecipe("cifar10", "conv6"), { seed: 0, hooks });
 * @throws on an invalid recipe, an empty or mis-shaped data set, a checkpoint from another
 *   architecture or recipe, or stateful hooks resumed from a checkpoint without hook states.
 */
export function train(model: TfSparseModel, data: TrainData, recipe: TrainRecipe, options: TrainOptions = {}): TrainResult {
  return withNativeThreads(options.threads, () => trainOnThreads(model, data, recipe, options));
}

function trainOnThreads(model: TfSparseModel, data: TrainData, recipe: TrainRecipe, options: TrainOptions): TrainResult {
  checkRecipe(recipe);
  checkDataset(data.train);
  checkCompatible(model, data.train);
  if (data.test) {
    checkDataset(data.test);
    checkCompatible(model, data.test);
  }
  const seed = options.seed ?? 0;
  const hooks = options.hooks ?? [];
  const statefulHooks = checkTrainHooks(hooks);
  const progress = options.progress ?? silentProgress;
  const norm = data.normalization ?? channelStats(data.train);
  model.applyMasks(); // masks set through model.masks.set without re-masking the weights
  const optimizer = new MaskedSgd({ momentum: recipe.momentum, weightDecay: recipe.weightDecay });
  const records: EpochRecord[] = [];
  let startEpoch = 0;
  if (options.checkpoint && options.checkpoint.resume !== false && existsSync(options.checkpoint.path)) {
    const ck = loadCheckpoint(options.checkpoint.path, model, optimizer);
    if (ck.seed !== seed) throw new Error(`train: checkpoint ${options.checkpoint.path} was made with seed ${ck.seed}, this run uses ${seed}`);
    const sameRecipe = canonicalJson({ ...ck.recipe, epochs: 0 }) === canonicalJson({ ...recipe, epochs: 0 });
    if (!sameRecipe) throw new Error(`train: checkpoint ${options.checkpoint.path} was made with a different recipe (${JSON.stringify(ck.recipe)})`);
    restoreHookStates(options.checkpoint.path, ck.hookStates, statefulHooks);
    startEpoch = ck.epoch;
    records.push(...ck.history);
  }
  const n = data.train.count;
  const perEpochImages = Math.min(recipe.imagesPerEpoch ?? n, n);
  const dropLast = recipe.dropLast ?? true;
  const stepsPerEpoch = dropLast ? Math.floor(perEpochImages / recipe.batchSize) : Math.ceil(perEpochImages / recipe.batchSize);
  if (stepsPerEpoch === 0) throw new Error(`train: ${data.train.name} has ${perEpochImages} images per epoch, fewer than one batch of ${recipe.batchSize}`);
  const totalSteps = stepsPerEpoch * recipe.epochs;
  let step = startEpoch * stepsPerEpoch;
  const lastEpoch = options.stopAfterEpochs !== undefined ? Math.min(recipe.epochs, startEpoch + options.stopAfterEpochs) : recipe.epochs;
  const emptyGrads: ReadonlyMap<string, tf.Tensor> = new Map();
  try {
    for (let epoch = startEpoch; epoch < lastEpoch; epoch++) {
      const t0 = Date.now();
      const lr = multiStepLr(recipe, epoch);
      const rng = epochRng(seed, epoch);
      const order = rng.permutation(n).subarray(0, perEpochImages);
      let lossSum = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const idx = order.subarray(s * recipe.batchSize, Math.min((s + 1) * recipe.batchSize, perEpochImages));
        const batch = makeBatch(data.train, idx, norm, recipe.augment, rng);
        const { loss, grads } = guardWasm(`training step ${step} (epoch ${epoch + 1}, batch ${batch.n})`, () => trainStep(model, optimizer, batch, lr));
        if (!Number.isFinite(loss)) {
          for (const g of grads.values()) g.dispose();
          throw new Error(`train: loss became ${loss} at step ${step} (epoch ${epoch + 1}); lower the learning rate (${lr})`);
        }
        lossSum += loss;
        if (hooks.length > 0) runHooks(hooks, model, optimizer, grads, { step, epoch, stepsPerEpoch, totalSteps, lr });
        for (const g of grads.values()) g.dispose();
        step++;
        progress.update(step, totalSteps, `epoch ${epoch + 1}/${recipe.epochs} loss ${(lossSum / (s + 1)).toFixed(4)}`);
      }
      for (const h of hooks) {
        h.afterEpoch?.(context(model, optimizer, emptyGrads, { step: step - 1, epoch, stepsPerEpoch, totalSteps, lr }));
      }
      let testAccuracy: number | undefined;
      if (data.test && (options.evalEveryEpoch || epoch === recipe.epochs - 1)) testAccuracy = evaluateForRecipe(model, data.test, norm, recipe, seed).accuracy;
      const rec: EpochRecord = { epoch, lr, loss: lossSum / stepsPerEpoch, steps: stepsPerEpoch, seconds: (Date.now() - t0) / 1000, ...(testAccuracy !== undefined ? { testAccuracy } : {}) };
      records.push(rec);
      if (options.checkpoint) saveCheckpoint(options.checkpoint.path, model, optimizer, { epoch: epoch + 1, seed, recipe, history: records, hookStates: statefulHooks.map((h) => ({ kind: h.stateKind, state: h.saveState() })) });
    }
  } finally {
    optimizer.dispose();
  }
  progress.finish(`${records.length - (startEpoch > 0 ? startEpoch : 0)} epoch(s)`);
  const last = records[records.length - 1];
  return { epochs: records, startEpoch, steps: step, normalization: norm, ...(last?.testAccuracy !== undefined ? { testAccuracy: last.testAccuracy } : {}) };
}

/** Hands each stateful hook its checkpointed state; any mismatch is an error naming the file. */
function restoreHookStates(file: string, saved: readonly HookStateRecord[] | undefined, hooks: readonly StatefulTrainHook[]): void {
  const want = hooks.map((h) => h.stateKind);
  const list = (kinds: readonly string[]): string => (kinds.length === 0 ? "none" : kinds.map((k) => `'${k}'`).join(", "));
  if (saved === undefined) {
    if (hooks.length === 0) return;
    throw new Error(`train: checkpoint ${file} has no hook states (written before they were saved), so the state of hook(s) ${list(want)} cannot be restored; resuming would not continue the interrupted run (delete the file to start afresh)`);
  }
  const have = saved.map((r) => r.kind);
  if (have.length !== want.length || have.some((k, i) => k !== want[i])) {
    throw new Error(`train: checkpoint ${file} holds the state of hook(s) ${list(have)}, this run has stateful hook(s) ${list(want)}; resume with the hooks of the run that wrote it`);
  }
  hooks.forEach((h, i) => {
    try {
      h.restoreState(saved[i].state);
    } catch (err) {
      throw new Error(`train: checkpoint ${file}: cannot restore hook '${h.stateKind}': ${(err as Error).message}`);
    }
  });
}

interface StepInfo {
  step: number;
  epoch: number;
  stepsPerEpoch: number;
  totalSteps: number;
  lr: number;
}

function context(model: TfSparseModel, optimizer: MaskedSgd, grads: ReadonlyMap<string, tf.Tensor>, s: StepInfo): TrainStepContext {
  return { model, step: s.step, epoch: s.epoch, stepsPerEpoch: s.stepsPerEpoch, totalSteps: s.totalSteps, learningRate: s.lr, denseGrads: grads, momentum: optimizer.momentum };
}

function runHooks(hooks: readonly TrainHook[], model: TfSparseModel, optimizer: MaskedSgd, grads: Map<string, tf.Tensor>, s: StepInfo): void {
  const dense = new Map<string, tf.Tensor>();
  for (const name of model.prunable) {
    const g = grads.get(name);
    if (g) dense.set(name, g);
  }
  const before = new Map(model.masks);
  let changed = false;
  const ctx = context(model, optimizer, dense, s);
  for (const h of hooks) if (h.afterStep?.(ctx) === true) changed = true;
  // free masks a hook replaced through model.masks.set
  for (const [name, old] of before) if (model.masks.get(name) !== old) old.dispose();
  if (changed) {
    model.applyMasks();
    optimizer.maskMomentum(model);
  }
}
