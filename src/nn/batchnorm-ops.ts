/**
 * Batch normalisation for training as tfjs custom ops whose gradients use only saved inputs (so
 * second-order gradients, GraSP's Hessian-vector product, are right; see ./gradients.ts): the
 * per-channel reductions (`meanAllButLast`, `sumAllButLast`), the channel broadcasts (`channelOp`),
 * the batch moments and the normalisation itself. Complexity O(size of the input) per op.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Per-channel mean over every axis but the last, as one custom op.
 * Forward: a rank-4 input with a spatial extent > 1 is averaged per image by AvgPool over the whole
 * map (one XNNPACK pass), then over the batch by a [1,N]·[N,C] matMul; other inputs by a
 * [1,M]·[M,C] matMul. Both beat matMul(ones, X) on the whole tensor, whose cost is XNNPACK
 * re-packing X as the matMul "weights" on every call (~3 ns per element: 2.5 ms for a
 * 128×28×28×8 activation vs 0.23 ms). Gradient: dy/M broadcast back, differentiable (second order).
 */
export function meanAllButLast(x: tf.Tensor): tf.Tensor1D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor;
    const C = xi.shape[xi.rank - 1];
    const M = xi.size / C;
    let value: tf.Tensor1D;
    const [N, H, W] = xi.shape;
    if (xi.rank === 4 && H * W > 1) {
      const perImage = tf.reshape(tf.avgPool(xi as tf.Tensor4D, [H, W], [H, W], "valid"), [N, C]);
      value = tf.reshape(tf.matMul(tf.fill([1, N], 1 / N), perImage), [C]) as tf.Tensor1D;
    } else {
      value = tf.reshape(tf.matMul(tf.fill([1, M], 1 / M), tf.reshape(xi, [M, C])), [C]) as tf.Tensor1D;
    }
    const shape = xi.shape;
    return { value, gradFunc: (dy: tf.Tensor) => [tf.mul(tf.ones(shape), tf.reshape(tf.div(dy, M), [1, C]))] };
  });
  return op(x) as tf.Tensor1D;
}

/** Σ over all axes but the last (see `meanAllButLast`). */
export function sumAllButLast(t: tf.Tensor): tf.Tensor1D {
  const C = t.shape[t.rank - 1];
  return tf.mul(meanAllButLast(t), t.size / C) as tf.Tensor1D;
}

/** Largest R ≤ limit dividing m. */
function largestDivisor(m: number, limit: number): number {
  for (let r = Math.max(1, Math.min(limit, m)); r > 1; r--) if (m % r === 0) return r;
  return 1;
}

/**
 * x ∘ v for x [..., C] and a per-channel vector v [C] (∘ = add, sub, mul), with the channel
 * broadcast done on rows of R·C ≥ ~512 values: XNNPACK's broadcasting binary ops iterate over the
 * innermost dimension, so an innermost C of 8 runs ~4× slower than equal shapes. v is repeated R
 * times (a tiny op) and x viewed as [M/R, R·C]; results are the same elementwise operations.
 * Differentiable (reshape, broadcast add and the binary op all have gradients).
 */
export function channelOp(kind: "add" | "sub" | "mul", x: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const C = x.shape[x.rank - 1];
  if (v.size !== C) throw new Error(`nn/batchnorm-ops: channelOp needs a vector of ${C} values for input [${x.shape}], got [${v.shape}]`);
  const M = x.size / C;
  const R = largestDivisor(M, Math.floor(1024 / C));
  const v1 = tf.reshape(v, [C]);
  // [R, C] zeros + v: half the cost of tf.tile on wasm for these tiny vectors
  const vt = R === 1 ? v1 : tf.reshape(tf.add(tf.zeros([R, C]), v1), [R * C]);
  const x2 = tf.reshape(x, [M / R, R * C]);
  const y = kind === "add" ? tf.add(x2, vt) : kind === "sub" ? tf.sub(x2, vt) : tf.mul(x2, vt);
  return tf.reshape(y, x.shape);
}

/** Batch mean and biased variance over all axes but the last (what training-mode BatchNorm normalises by). */
export function batchMoments(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const mean = meanAllButLast(x);
  const variance = meanAllButLast(tf.square(channelOp("sub", x, mean)));
  return { mean, variance };
}

/**
 * Training-mode BatchNorm (batch statistics over every axis but the last) as one custom op:
 * reductions are `meanAllButLast`, channel broadcasts `channelOp`, and the gradient uses only saved
 * inputs (second-order safe). `onStats`, when given, receives the batch mean and biased variance
 * computed by the forward pass (valid only during the call: use them at once, e.g. to update
 * running statistics), which saves computing them a second time.
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps = 1e-5,
  onStats?: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor {
  const stats = (xi: tf.Tensor): { M: number; mean: tf.Tensor1D; variance: tf.Tensor1D; xc: tf.Tensor; rstd: tf.Tensor } => {
    const C = xi.shape[xi.rank - 1];
    const M = xi.size / C;
    const mean = meanAllButLast(xi);
    const xc = channelOp("sub", xi, mean);
    const variance = meanAllButLast(tf.square(xc));
    return { M, mean, variance, xc, rstd: tf.rsqrt(tf.add(variance, eps)) };
  };
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor;
    const g = args[1] as tf.Tensor;
    const b = args[2] as tf.Tensor;
    const save = args[3] as tf.GradSaveFunc;
    save([xi, g]);
    const { mean, variance, xc, rstd } = stats(xi);
    if (onStats) onStats(mean, variance);
    return {
      value: channelOp("add", channelOp("mul", xc, tf.mul(rstd, g)), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs] = saved;
        const s = stats(xs);
        const xhat = channelOp("mul", s.xc, s.rstd);
        const mdy = meanAllButLast(dy);
        const mdyx = meanAllButLast(tf.mul(dy, xhat));
        const dx = channelOp("mul", tf.sub(channelOp("sub", dy, mdy), channelOp("mul", xhat, mdyx)), tf.mul(s.rstd, gs));
        return [dx, tf.mul(mdyx, s.M), tf.mul(mdy, s.M)];
      },
    };
  });
  return op(x, gamma, beta);
}

