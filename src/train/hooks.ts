import type * as tf from "@tensorflow/tfjs";
import type { SparseModel } from "../nn/model-api";

/**
 * What the training loop shows a hook after each optimiser step. Dynamic sparse training
 * (SET, RigL, SNFS, DSR, ITOP in src/pruning/) is written as a hook: it may replace entries of
 * `model.masks`; the loop then re-applies the masks so that masked weights are exactly 0.
 */
export interface TrainStepContext {
  readonly model: SparseModel;
  /** 0-based global step (batches since the start of training). */
  readonly step: number;
  readonly epoch: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly learningRate: number;
  /**
   * Dense gradients of the loss with respect to the *effective* prunable weights (w ⊙ m), for every
   * position including pruned ones (what RigL grows by). Valid only during the call.
   */
  readonly denseGrads: ReadonlyMap<string, tf.Tensor>;
  /** Optimiser momentum buffers by parameter name (what SNFS grows by). */
  readonly momentum: ReadonlyMap<string, tf.Tensor>;
}

export interface TrainHook {
  /** Called after every optimiser step; return true if masks changed (the loop then re-applies them). */
  afterStep?(ctx: TrainStepContext): boolean | void;
  afterEpoch?(ctx: TrainStepContext): void;
}
