/**
 * SGD with momentum and weight decay, PyTorch semantics (torch.optim.SGD, dampening 0, no Nesterov):
 *   d = g + wd·θ;  buf = d (first step) or μ·buf + d;  θ ← θ − lr·buf,
 * honouring masks: gradients are masked, and pruned weights and their momentum stay exactly 0
 * (reference §3: "masks are applied by zeroing weights and registering a gradient hook"; zeroing
 * the momentum as well keeps a regrown weight from inheriting stale momentum).
 * Invariants the caller keeps: weights are masked (model.applyMasks) and, after masks change
 * between steps, `maskMomentum` is called (the training loop does both).
 */
import * as tf from "@tensorflow/tfjs";
import type { TfSparseModel } from "../nn/model";

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
}

const allOnes = new WeakMap<tf.Tensor, boolean>();

/** Whether a mask keeps everything (cached per mask tensor: masks are replaced, never mutated). */
function isAllOnes(mask: tf.Tensor): boolean {
  let v = allOnes.get(mask);
  if (v === undefined) {
    v = tf.tidy(() => tf.min(mask).dataSync()[0]) === 1;
    allOnes.set(mask, v);
  }
  return v;
}

export class MaskedSgd {
  readonly options: SgdOptions;
  /** Momentum buffers by parameter name (tfjs layout); absent before a parameter's first step. */
  readonly momentum = new Map<string, tf.Tensor>();

  constructor(options: SgdOptions) {
    if (!(options.momentum >= 0 && options.momentum < 1)) throw new Error(`train/sgd: momentum must be in [0, 1), got ${options.momentum}`);
    if (!(options.weightDecay >= 0)) throw new Error(`train/sgd: weight decay must be ≥ 0, got ${options.weightDecay}`);
    this.options = options;
  }

  /**
   * One update of every parameter in `grads` (keyed by parameter name). Only the gradient needs
   * masking: the stored weight and the momentum are already 0 at pruned positions (model and
   * `maskMomentum` invariants), so d, buf and the new weight are exactly 0 there too
   * (0·x + 0 = 0, 0 − lr·0 = 0), and all-ones masks are skipped altogether. Fewer elementwise ops
   * matter: they cost ~2 ns per element on wasm.
   */
  step(model: TfSparseModel, grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    const { momentum: mu, weightDecay: wd } = this.options;
    for (const [name, g0] of grads) {
      const p = model.params.get(name);
      if (!p) throw new Error(`train/sgd: gradient for unknown parameter '${name}'`);
      if (model.frozen.has(name)) continue;
      const mask = model.masks.get(name);
      const sparse = mask !== undefined && !isAllOnes(mask);
      const old = this.momentum.get(name);
      const next = tf.tidy(() => {
        let d = sparse && mask ? tf.mul(g0, mask) : g0;
        if (wd !== 0) d = tf.add(d, tf.mul(p, wd));
        let buf = mu === 0 || !old ? d : tf.add(tf.mul(old, mu), d);
        if (buf === g0) buf = tf.clone(g0); // never alias the caller's gradient
        p.assign(tf.sub(p, tf.mul(buf, lr)));
        return buf;
      });
      if (mu === 0) next.dispose();
      else {
        this.momentum.set(name, next);
        old?.dispose();
      }
    }
  }

  /** Re-applies the model's masks to the momentum buffers (after a hook changed masks). */
  maskMomentum(model: TfSparseModel): void {
    for (const name of model.prunable) {
      const m = model.masks.get(name);
      const b = this.momentum.get(name);
      if (!m || !b) continue;
      this.momentum.set(name, tf.tidy(() => tf.mul(b, m)));
      b.dispose();
    }
  }

  /** Replaces the momentum buffers (checkpoint resumption); tensors are copied. */
  loadMomentum(buffers: ReadonlyMap<string, tf.Tensor>): void {
    this.dispose();
    for (const [k, v] of buffers) this.momentum.set(k, tf.keep(v.clone()));
  }

  dispose(): void {
    for (const b of this.momentum.values()) b.dispose();
    this.momentum.clear();
  }
}
