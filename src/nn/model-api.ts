import type * as tf from "@tensorflow/tfjs";
import type { ArchSpec } from "./spec";

/**
 * A tfjs network built from an ArchSpec, in the functional form the pruners need: `forward` takes
 * the parameters as an explicit map, so a pruner can substitute masked, |θ|, or perturbed weights and
 * differentiate with respect to any of them (SNIP's mask gradient, GraSP's Hg, SynFlow's |θ| pass,
 * ProsPr's meta-gradient).
 *
 * Tensor layouts inside tfjs are tfjs's own (conv [kh, kw, in, out], NHWC inputs); `toHost`/`fromHost`
 * in the model module convert to the PyTorch layouts of src/nn/tensors.ts.
 */
export interface ForwardOptions {
  /** BatchNorm uses batch statistics (true) or running statistics (false). */
  training: boolean;
  /** Skip BatchNorm entirely (SynFlow evaluates the linearised network). */
  noBatchNorm?: boolean;
  /**
   * Which tied maxima of a max-pool window receive the gradient: "all" (default: the fast gradient;
   * ties are rare on real data) or "first" in row-major order, as PyTorch (SynFlow's all-ones input).
   */
  maxPoolTies?: "all" | "first";
}

export interface SparseModel {
  readonly spec: ArchSpec;
  /** Every trainable parameter by state_dict name (weights, biases, BN gamma/beta). */
  readonly params: Map<string, tf.Variable>;
  /** BatchNorm running statistics by state_dict name (running_mean / running_var); not trained by SGD. */
  readonly buffers: Map<string, tf.Variable>;
  /** State_dict names of the prunable weights (all conv, shortcut-conv and linear weights), in layer order. */
  readonly prunable: readonly string[];
  /** Current masks of the prunable weights (1 keep / 0 pruned), same shapes as the weights. */
  readonly masks: Map<string, tf.Tensor>;
  /** Logits [batch, classes] for inputs [batch, H, W, C]; `params` defaults to the model's own. */
  forward(x: tf.Tensor4D, options: ForwardOptions, params?: ReadonlyMap<string, tf.Tensor>): tf.Tensor2D;
}
