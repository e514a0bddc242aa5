/**
 * The gradient of non-overlapping max pooling (window = stride, 'valid', the map a whole number of
 * windows: Conv-6's and the LeNets' 2×2 pools) as one kernel a backend may provide (nn/native
 * registers it on wasm, threaded on oneDNN), instead of the composite
 * `(1 − step(up(y) − x)) · up(dy)`: six single-threaded passes over the pooled layer's input on wasm,
 * two of them broadcasting multiplies (25 ms of a 440 ms Conv-6 step on 2 threads).
 *
 * Contract: kernel `SnnMaxPoolGrad`, inputs {x [N,H,W,C], y = maxPool(x) [N,H/kh,W/kw,C], dy like y},
 * attribute `filterSize` [kh, kw], float32 → dx like x: dy of a window to every element equal to the
 * window's maximum (ties all receive it, as in the composite), 0 elsewhere. Its own gradient is
 * registered below (linear in dy, piecewise constant in x and y), so GraSP's H·g and ProsPr's
 * meta-gradient differentiate through it as through the composite.
 */
import * as tf from "@tensorflow/tfjs";

export const MAXPOOL_GRAD_KERNEL = "SnnMaxPoolGrad";

type Pair = readonly [number, number];

/** Nearest upsampling by whole windows: [N,Ho,Wo,C] → [N,Ho·kh,Wo·kw,C]. */
function upsample(t: tf.Tensor, k: Pair): tf.Tensor4D {
  const [N, Ho, Wo, C] = t.shape;
  const ones = tf.ones([1, 1, k[0], 1, k[1], 1]);
  return tf.reshape(tf.mul(tf.reshape(t, [N, Ho, 1, Wo, 1, C]), ones), [N, Ho * k[0], Wo * k[1], C]);
}

/** Whether x [N,H,W,C] is whole kh×kw windows of y and dy (both [N,H/kh,W/kw,C]): the kernel's contract. */
export function fitsWindows(x: readonly number[], y: readonly number[], dy: readonly number[], k: Pair): boolean {
  if (x.length !== 4 || x[1] % k[0] !== 0 || x[2] % k[1] !== 0) return false;
  const want = [x[0], x[1] / k[0], x[2] / k[1], x[3]];
  return [y, dy].every((s) => s.length === 4 && s.every((d, i) => d === want[i]));
}

/**
 * ∂maxPool(x)/∂x · dy for window = stride = k, 'valid', H and W multiples of k: the kernel where the
 * active backend has it for float32, the composite otherwise.
 * @throws when the shapes do not fit that pooling.
 */
export function maxPoolWindowsBackward(x: tf.Tensor4D, y: tf.Tensor4D, dy: tf.Tensor4D, k: Pair): tf.Tensor4D {
  if (!fitsWindows(x.shape, y.shape, dy.shape, k)) {
    throw new Error(`nn/maxpool-grad: x [${x.shape.join(",")}] is not whole ${k[0]}×${k[1]} windows of y [${y.shape.join(",")}] and dy [${dy.shape.join(",")}]`);
  }
  if ([x, y, dy].every((t) => t.dtype === "float32") && tf.getKernel(MAXPOOL_GRAD_KERNEL, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(MAXPOOL_GRAD_KERNEL, { x, y, dy }, { filterSize: [k[0], k[1]] }) as tf.Tensor4D;
  }
  // x ≥ window max ⇔ not (max − x > 0); Step is ~4× faster than GreaterEqual + Cast on wasm
  // (no tidy: double back-prop through the composite needs its intermediates)
  return tf.mul(tf.sub(1, tf.step(tf.sub(upsample(y, k), x))), upsample(dy, k));
}

/**
 * The gradient of max pooling with any window and stride, on an input the caller padded ('valid'
 * from there), as one kernel a backend may provide (nn/native: oneDNN reorders and binary
 * primitives) instead of nn/gradients' composite, which walks the window offsets with a strided
 * slice, Equal, Cast, Multiply, zero insertion, PadV2 and Add each (≈ 180 ms on wasm for the
 * 3×3 stride-2 stem pool of a torchvision ResNet at [64,32,32,64]).
 *
 * Contract: kernel `SnnMaxPoolGradStrided`, inputs {xp [N,Hp,Wp,C], y [N,oh,ow,C] = the kh×kw,
 * stride sh×sw max pool of xp, dy like y}, attributes `filterSize` [kh, kw] and `strides` [sh, sw],
 * Hp ≥ max(sh·oh, (oh−1)·sh + kh) and likewise W, float32 → dxp like xp: for every window offset
 * (di, dj) in row-major order, dxp[n, di + sh·i, dj + sw·j, c] += dy[n,i,j,c] where xp there ≥
 * y[n,i,j,c] (every tie of a window gets dy, as in the composite; for a true maximum ≥ is =).
 */
export const MAXPOOL_STRIDED_GRAD_KERNEL = "SnnMaxPoolGradStrided";

/** Window offset (di, dj) of t [N,Hp,Wp,C] at every output position: t[n, di + sh·i, dj + sw·j, c] for i < out[0], j < out[1]. */
export function windowOffset(t: tf.Tensor4D, di: number, dj: number, out: Pair, s: Pair): tf.Tensor4D {
  const [N, , , C] = t.shape;
  return tf.stridedSlice(t, [0, di, dj, 0], [N, di + (out[0] - 1) * s[0] + 1, dj + (out[1] - 1) * s[1] + 1, C], [1, s[0], s[1], 1]) as tf.Tensor4D;
}

/** Gives the kernels their gradients (nn/native calls this on install). */
export function registerMaxPoolGradGradient(): void {
  tf.registerGradient({
    kernelName: MAXPOOL_STRIDED_GRAD_KERNEL,
    inputsToSave: ["xp", "y"],
    gradFunc: (u, saved, attrs) => {
      const [xp, y] = saved as tf.Tensor4D[];
      const k = attrs.filterSize as unknown as [number, number];
      const s = attrs.strides as unknown as [number, number];
      const out: Pair = [y.shape[1], y.shape[2]];
      return {
        // dxp is linear in dy: its transpose gathers u at each window offset where xp ≥ y, and sums
        dy: () => {
          let acc: tf.Tensor | null = null;
          for (let di = 0; di < k[0]; di++) {
            for (let dj = 0; dj < k[1]; dj++) {
              const hit = tf.cast(tf.greaterEqual(windowOffset(xp, di, dj, out, s), y), "float32");
              const t = tf.mul(hit, windowOffset(u as tf.Tensor4D, di, dj, out, s));
              acc = acc === null ? t : tf.add(acc, t);
            }
          }
          return acc ?? tf.zerosLike(y);
        },
        xp: () => tf.zerosLike(xp),
        y: () => tf.zerosLike(y),
      };
    },
  });
  tf.registerGradient({
    kernelName: MAXPOOL_GRAD_KERNEL,
    inputsToSave: ["x", "y"],
    gradFunc: (u, saved, attrs) => {
      const [x, y] = saved as tf.Tensor4D[];
      const k = attrs.filterSize as unknown as [number, number];
      const [N, H, W, C] = x.shape;
      return {
        // dx = mask ⊙ up(dy) is linear in dy: its transpose sums mask ⊙ u over each window
        dy: () => {
          const masked = tf.mul(maxPoolWindowsBackward(x, y, tf.onesLike(y), k), u as tf.Tensor);
          return tf.sum(tf.reshape(masked, [N, H / k[0], k[0], W / k[1], k[1], C]), [2, 4]);
        },
        x: () => tf.zerosLike(x),
        y: () => tf.zerosLike(y),
      };
    },
  });
}
