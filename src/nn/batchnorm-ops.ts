/**
 * Batch normalisation for training as tfjs custom ops whose gradients use only saved inputs (so
 * second-order gradients, GraSP's Hessian-vector product, are right; see ./gradients.ts): the
 * per-channel reductions (`meanAllButLast`, `sumAllButLast`), the channel broadcasts (`channelOp`),
 * the batch moments and the normalisation itself. Complexity O(size of the input) per op.
 */
import * as tf from "@tensorflow/tfjs";
import { reluBackward } from "./relu-grad";

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
 * Kernels a backend may provide for training-mode BatchNorm (nn/native registers them on wasm,
 * threaded on oneDNN); `batchNormTrain` uses them when the active backend has both, and the
 * composite of small ops below otherwise. Contract (x [..., C], γ, β [C], statistics over every axis
 * but the last, attribute `epsilon`):
 * - forward: inputs {x, gamma, beta} → [y, mean, biased variance]
 * - backward: inputs {x, gamma, dy, mean, variance} (mean and variance those of x) → [dx, dγ, dβ]
 * The backward kernel's gradient is registered below (closed form, `batchNormBackwardVjp`), so
 * second-order gradients through the kernels are exact.
 */
export const BATCHNORM_KERNELS = { forward: "SnnBatchNormTrain", backward: "SnnBatchNormTrainGrad" } as const;

/**
 * Kernels a backend may provide for training-mode BatchNorm followed by ReLU, y = max(BN(x), 0), in
 * one pass each way (`batchNormReluTrain` uses them when the active backend has both, and
 * relu(`batchNormTrain`) otherwise). Contract, as `BATCHNORM_KERNELS` plus:
 * - forward: inputs {x, gamma, beta} → [y, mean, biased variance, mask], the mask a bool tensor of
 *   the backend's own layout, read only by the backward kernel;
 * - backward: inputs {x, gamma, dy, mean, variance, mask, y} → [dx, dγ, dβ] of BatchNorm at
 *   dy·[y > 0]; y (the forward's output) is not read by the kernel: the gradient registered below
 *   takes the mask from it.
 */
export const BATCHNORM_RELU_KERNELS = { forward: "SnnBatchNormReluTrain", backward: "SnnBatchNormReluTrainGrad" } as const;

/**
 * A kernel a backend may provide for BatchNorm with given statistics (evaluation mode: the running
 * mean and variance), `batchNormInfer` uses it when the active backend has it. Contract: inputs
 * {x [..., C], gamma, beta, mean, variance [C]}, attributes {epsilon, relu: boolean} →
 * y = (x − mean)·γ/√(variance + ε) + β, then max(y, 0) when relu. Its gradient is `batchNormInfer`'s.
 */
export const BATCHNORM_INFER_KERNEL = "SnnBatchNormInfer";

interface NormStats {
  M: number;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  /** x − mean */
  xc: tf.Tensor;
  /** 1/√(variance + eps), [C] */
  rstd: tf.Tensor1D;
}

/** Batch statistics of x from differentiable ops (the composite path and every gradient use these). */
function normStats(x: tf.Tensor, eps: number): NormStats {
  const C = x.shape[x.rank - 1];
  const M = x.size / C;
  const mean = meanAllButLast(x);
  const xc = channelOp("sub", x, mean);
  const variance = meanAllButLast(tf.square(xc));
  return { M, mean, variance, xc, rstd: tf.rsqrt(tf.add(variance, eps)) as tf.Tensor1D };
}

/**
 * BatchNorm's backward pass as differentiable ops: with x̂ = (x − μ)·r, r = 1/√(σ² + ε),
 * dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·r·(dy − E[dy] − x̂·E[dy·x̂]) (sums and E[·] per channel).
 */
export function batchNormBackward(x: tf.Tensor, gamma: tf.Tensor, dy: tf.Tensor, eps: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const s = normStats(x, eps);
  const xhat = channelOp("mul", s.xc, s.rstd);
  const mdy = meanAllButLast(dy);
  const mdyx = meanAllButLast(tf.mul(dy, xhat));
  const dx = channelOp("mul", tf.sub(channelOp("sub", dy, mdy), channelOp("mul", xhat, mdyx)), tf.mul(s.rstd, tf.reshape(gamma, [s.rstd.size])));
  return [dx, tf.reshape(tf.mul(mdyx, s.M), gamma.shape), tf.reshape(tf.mul(mdy, s.M), gamma.shape)];
}

/**
 * Vector-Jacobian product of `batchNormBackward` (x, γ, dy) ↦ (dx, dγ, dβ) with cotangents
 * (a, b, c), in closed form from differentiable ops (so third order works too). With
 * P(v) = v − E[v] − x̂·E[v·x̂] (self-adjoint), S = Σ a·P(dy) and G = b·dy − γr·(a·E[dy·x̂] + dy·E[a·x̂]):
 *   ∂/∂dy = γr·P(a) + b·x̂ + c
 *   ∂/∂γ  = r·S
 *   ∂/∂x  = r·P(G) − γr²·S·x̂/M
 * (∂/∂x: G is the derivative through x̂ at fixed r, mapped to x by BatchNorm's own backward; the
 * last term is the explicit dependence on r, ∂r/∂xᵢ = −r²·x̂ᵢ/M.) Checked against tf.grads of the
 * composite in tests/nn/native-batchnorm.test.ts.
 */
export function batchNormBackwardVjp(
  x: tf.Tensor,
  gamma: tf.Tensor,
  dy: tf.Tensor,
  a: tf.Tensor,
  b: tf.Tensor,
  c: tf.Tensor,
  eps: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const s = normStats(x, eps);
  const C = s.rstd.size;
  const xhat = channelOp("mul", s.xc, s.rstd);
  const moments = (v: tf.Tensor): { e: tf.Tensor; ex: tf.Tensor } => ({ e: meanAllButLast(v), ex: meanAllButLast(tf.mul(v, xhat)) });
  const project = (v: tf.Tensor, m: { e: tf.Tensor; ex: tf.Tensor }): tf.Tensor => tf.sub(channelOp("sub", v, m.e), channelOp("mul", xhat, m.ex));
  const gr = tf.mul(tf.reshape(gamma, [C]), s.rstd);
  const md = moments(dy);
  const ma = moments(a);
  const gdy = channelOp("add", tf.add(channelOp("mul", project(a, ma), gr), channelOp("mul", xhat, tf.reshape(b, [C]))), tf.reshape(c, [C]));
  const S = tf.mul(meanAllButLast(tf.mul(a, project(dy, md))), s.M);
  const G = tf.sub(channelOp("mul", dy, tf.sub(tf.reshape(b, [C]), tf.mul(gr, ma.ex))), channelOp("mul", a, tf.mul(gr, md.ex)));
  const gx = tf.sub(channelOp("mul", project(G, moments(G)), s.rstd), channelOp("mul", xhat, tf.div(tf.mul(tf.mul(gr, s.rstd), S), s.M)));
  return [gx, tf.reshape(tf.mul(S, s.rstd), gamma.shape), gdy];
}

tf.registerGradient({
  kernelName: BATCHNORM_KERNELS.backward,
  inputsToSave: ["x", "gamma", "dy"],
  gradFunc: (cotangents, saved, attrs) => {
    const [a, b, c] = cotangents as tf.Tensor[];
    const [x, gamma, dy] = saved;
    // computed together (they share the statistics); each thunk runs in its own tidy, so the
    // three are made here, in the caller's scope
    const [gx, gGamma, gDy] = batchNormBackwardVjp(x, gamma, dy, a, b, c, Number(attrs.epsilon));
    // mean and variance are x's statistics, already differentiated through in ∂/∂x
    return { x: () => gx, gamma: () => gGamma, dy: () => gDy, mean: () => tf.zeros([gamma.size]), variance: () => tf.zeros([gamma.size]) };
  },
});

tf.registerGradient({
  kernelName: BATCHNORM_RELU_KERNELS.backward,
  inputsToSave: ["x", "gamma", "dy", "mask", "y"],
  gradFunc: (cotangents, saved, attrs) => {
    const [a, b, c] = cotangents as tf.Tensor[];
    const [x, gamma, dy, mask, y] = saved;
    // the kernel is BatchNorm's backward at dy·[y > 0]; the mask is piecewise constant in x, γ, β
    const dyMasked = reluBackward(dy, y);
    const [gx, gGamma, gDyMasked] = batchNormBackwardVjp(x, gamma, dyMasked, a, b, c, Number(attrs.epsilon));
    const gDy = reluBackward(gDyMasked, y);
    return {
      x: () => gx,
      gamma: () => gGamma,
      dy: () => gDy,
      mean: () => tf.zeros([gamma.size]),
      variance: () => tf.zeros([gamma.size]),
      mask: () => tf.zeros(mask.shape),
      y: () => tf.zerosLike(y),
    };
  },
});

/** Whether the active backend has both kernels of `names` and they take these operands. */
function kernelsTake(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, names: { forward: string; backward: string } = BATCHNORM_KERNELS): boolean {
  const C = x.shape[x.rank - 1];
  if (x.rank < 2 || x.size === 0 || gamma.size !== C || !tf.util.arraysEqual(gamma.shape, beta.shape)) return false;
  if (x.dtype !== "float32" || gamma.dtype !== "float32" || beta.dtype !== "float32") return false;
  const backend = tf.getBackend();
  return tf.getKernel(names.forward, backend) !== undefined && tf.getKernel(names.backward, backend) !== undefined;
}

type Kernel3 = [tf.Tensor, tf.Tensor, tf.Tensor];

/**
 * Training-mode BatchNorm (batch statistics over every axis but the last) as one custom op:
 * on the backend's BatchNorm kernels when it has them (`BATCHNORM_KERNELS`), else reductions by
 * `meanAllButLast` and channel broadcasts by `channelOp`. Either way the gradient uses only saved
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
  if (kernelsTake(x, gamma, beta)) {
    const run = (kernel: string, inputs: Record<string, tf.Tensor>): Kernel3 =>
      tf.engine().runKernel(kernel, inputs as tf.NamedTensorMap, { epsilon: eps }) as unknown as Kernel3;
    const native = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [xi, g, b] = args as tf.Tensor[];
      const save = args[3] as tf.GradSaveFunc;
      const [y, mean, variance] = run(BATCHNORM_KERNELS.forward, { x: xi, gamma: g, beta: b });
      save([xi, g, mean, variance]);
      if (onStats) onStats(mean as tf.Tensor1D, variance as tf.Tensor1D);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, gs, ms, vs] = saved;
          return run(BATCHNORM_KERNELS.backward, { x: xs, gamma: gs, dy, mean: ms, variance: vs });
        },
      };
    });
    return native(x, gamma, beta);
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor;
    const g = args[1] as tf.Tensor;
    const b = args[2] as tf.Tensor;
    const save = args[3] as tf.GradSaveFunc;
    save([xi, g]);
    const { mean, variance, xc, rstd } = normStats(xi, eps);
    if (onStats) onStats(mean, variance);
    return {
      value: channelOp("add", channelOp("mul", xc, tf.mul(rstd, g)), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => batchNormBackward(saved[0], saved[1], dy, eps),
    };
  });
  return op(x, gamma, beta);
}

type Kernel4 = [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];

/**
 * max(BatchNorm(x), 0) in training mode: the backend's fused kernels when it has them
 * (`BATCHNORM_RELU_KERNELS`: one pass each way instead of BatchNorm's and ReLU's two), else
 * tf.relu(`batchNormTrain`), which it equals (same statistics, same mask: the gradient passes where
 * BatchNorm's output is > 0). Second-order safe either way; `onStats` as in `batchNormTrain`.
 *
 * @example
 *   const h = batchNormReluTrain(convOut, gamma, beta, 1e-5); // [N,H,W,C] → [N,H,W,C], ≥ 0
 */
export function batchNormReluTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps = 1e-5,
  onStats?: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor {
  if (!kernelsTake(x, gamma, beta, BATCHNORM_RELU_KERNELS)) return tf.relu(batchNormTrain(x, gamma, beta, eps, onStats));
  const fused = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, variance, mask] = tf.engine().runKernel(BATCHNORM_RELU_KERNELS.forward, { x: xi, gamma: g, beta: b }, { epsilon: eps }) as unknown as Kernel4;
    save([xi, g, mean, variance, mask, y]);
    if (onStats) onStats(mean as tf.Tensor1D, variance as tf.Tensor1D);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, ms, vs, masks, ys] = saved;
        const inputs = { x: xs, gamma: gs, dy, mean: ms, variance: vs, mask: masks, y: ys };
        return tf.engine().runKernel(BATCHNORM_RELU_KERNELS.backward, inputs, { epsilon: eps }) as unknown as Kernel3;
      },
    };
  });
  return fused(x, gamma, beta);
}

/** The evaluation-mode formula from tfjs ops (the fallback, and what the kernel must equal). */
function batchNormInferComposite(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, eps: number, relu: boolean): tf.Tensor {
  const y = tf.add(tf.mul(tf.sub(x, mean), tf.mul(tf.rsqrt(tf.add(variance, eps)), gamma)), beta);
  return relu ? tf.relu(y) : y;
}

/**
 * BatchNorm with given statistics (evaluation mode: running mean and variance), then ReLU when
 * `relu`: the backend's kernel when it has one (`BATCHNORM_INFER_KERNEL`: one threaded pass instead
 * of three broadcasting ops and a ReLU on one thread), else the same formula from tfjs ops.
 * Differentiable in all five inputs, to any order (the gradient is written from tfjs ops):
 * with r = 1/√(v + ε), s = γ·r and d = dy (masked by y > 0 with ReLU),
 * dx = d·s, dβ = Σd, dγ = r·Σ d·(x − m), dm = −s·dβ, dv = −½·γ·r²·dγ (Σ over all axes but the last).
 *
 * @example
 *   const h = batchNormInfer(x, gamma, beta, runningMean, runningVar, 1e-5, true); // [N,H,W,C], ≥ 0
 */
export function batchNormInfer(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, eps = 1e-5, relu = false): tf.Tensor {
  const C = x.shape[x.rank - 1];
  const vectors = [gamma, beta, mean, variance];
  const fits = x.rank >= 2 && x.size > 0 && [x, ...vectors].every((t) => t.dtype === "float32") && vectors.every((t) => t.size === C);
  if (!fits || tf.getKernel(BATCHNORM_INFER_KERNEL, tf.getBackend()) === undefined) return batchNormInferComposite(x, gamma, beta, mean, variance, eps, relu);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, b, m, v] = args as tf.Tensor[];
    const save = args[5] as tf.GradSaveFunc;
    const y = tf.engine().runKernel(BATCHNORM_INFER_KERNEL, { x: xi, gamma: g, beta: b, mean: m, variance: v }, { epsilon: eps, relu }) as tf.Tensor;
    save([xi, g, m, v, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, ms, vs, ys] = saved;
        const d = relu ? reluBackward(dy, ys) : dy;
        const r = tf.rsqrt(tf.add(tf.reshape(vs, [C]), eps));
        const g1 = tf.reshape(gs, [C]);
        const scale = tf.mul(g1, r);
        const dBeta = sumAllButLast(d);
        const dGamma = tf.mul(sumAllButLast(tf.mul(d, channelOp("sub", xs, ms))), r);
        const dMean = tf.neg(tf.mul(scale, dBeta));
        const dVar = tf.mul(tf.mul(tf.mul(g1, tf.square(r)), dGamma), -0.5);
        return [channelOp("mul", d, scale), tf.reshape(dGamma, gs.shape), tf.reshape(dBeta, gs.shape), tf.reshape(dMean, ms.shape), tf.reshape(dVar, vs.shape)];
      },
    };
  });
  return op(x, gamma, beta, mean, variance);
}
