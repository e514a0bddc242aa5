/** The training and pruning loss, as a custom op with a differentiable closed-form gradient. */
import * as tf from "@tensorflow/tfjs";

/**
 * Mean cross-entropy of logits [N, K] against one-hot targets [N, K], from primitive ops only:
 * tf.losses.softmaxCrossEntropy / tf.logSoftmax give silently wrong second derivatives.
 * A custom op whose gradient is the closed form (softmax(l) − y)·dy/N (and −l·dy/N for the
 * targets), itself built from differentiable primitives (second order works): ~7 kernels instead
 * of the ~30 of autograd through the forward ops, which matters for small nets.
 */
export function crossEntropy(logits: tf.Tensor2D, yOneHot: tf.Tensor2D): tf.Scalar {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const l = args[0] as tf.Tensor2D;
    const y = args[1] as tf.Tensor2D;
    const save = args[2] as tf.GradSaveFunc;
    save([l, y]);
    const m = tf.max(l, 1, true);
    const lse = tf.add(tf.log(tf.sum(tf.exp(tf.sub(l, m)), 1)), tf.squeeze(m, [1]));
    const value = tf.mean(tf.sub(lse, tf.sum(tf.mul(l, y), 1))) as tf.Scalar;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ls, ys] = saved;
        const e = tf.exp(tf.sub(ls, tf.max(ls, 1, true)));
        const p = tf.div(e, tf.sum(e, 1, true));
        const s = tf.div(dy, ls.shape[0] ?? 1);
        return [tf.mul(tf.sub(p, ys), s), tf.mul(tf.neg(ls), s)];
      },
    };
  });
  return op(logits, yOneHot) as tf.Scalar;
}
