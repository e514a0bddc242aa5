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

/** A JSON value: what a hook's checkpointed state is made of (it is stored as JSON text). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface TrainHook {
  /** Called after every optimiser step; return true if masks changed (the loop then re-applies them). */
  afterStep?(ctx: TrainStepContext): boolean | void;
  afterEpoch?(ctx: TrainStepContext): void;
  /**
   * Checkpointing. A hook whose internal state changes what it does later (an Rng, counters, a
   * log) implements all three, so that a run resumed from an epoch checkpoint is bit-identical to
   * the uninterrupted one; a stateless hook implements none (`checkTrainHooks` refuses a partial set).
   * `stateKind` names what the state belongs to (e.g. "pruning/dst:rigl"): a checkpoint's state is
   * only handed to a hook of the same kind.
   */
  readonly stateKind?: string;
  /** The state after the current step, as JSON (the checkpoint stores its JSON text). */
  saveState?(): JsonValue;
  /** Continues from a `saveState` value; throws (message: what does not match) if it cannot. */
  restoreState?(state: JsonValue): void;
}

/** A hook that checkpoints its state. */
export interface StatefulTrainHook extends TrainHook {
  readonly stateKind: string;
  saveState(): JsonValue;
  restoreState(state: JsonValue): void;
}

/** One hook's entry in a checkpoint. */
export type HookStateRecord = { readonly kind: string; readonly state: JsonValue };

/**
 * The stateful hooks of `hooks`, in order; throws if a hook implements only part of the
 * checkpointing trio (it would otherwise be resumed silently from a fresh state).
 */
export function checkTrainHooks(hooks: readonly TrainHook[]): StatefulTrainHook[] {
  const out: StatefulTrainHook[] = [];
  hooks.forEach((h, i) => {
    const has = [h.stateKind !== undefined, typeof h.saveState === "function", typeof h.restoreState === "function"];
    if (has.every((x) => !x)) return;
    if (!has.every((x) => x)) {
      throw new Error(`train/hooks: hook #${i}${h.stateKind ? ` ('${h.stateKind}')` : ""} must implement all of stateKind, saveState and restoreState, or none (has ${["stateKind", "saveState", "restoreState"].filter((_n, j) => has[j]).join(", ")})`);
    }
    if (typeof h.stateKind !== "string" || h.stateKind.length === 0) throw new Error(`train/hooks: hook #${i} has an empty stateKind`);
    out.push(h as StatefulTrainHook);
  });
  return out;
}
