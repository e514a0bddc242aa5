/**
 * Replacement gradients for tfjs, registered once by `registerFastGradients()` (called by
 * initBackend). Design and measurements: shared/docs/feasibility-tfjs.md §2, §7, §8.
 *
 * Why: the wasm backend has no Conv2DBackpropFilter / DepthwiseConv2dNativeBackprop* kernels,
 * its Conv2DBackpropInput and transposed MatMul are slow scalar loops, and Tile is slow. Every
 * gradient here is written with forward Conv2D / DepthwiseConv2dNative, plain (untransposed)
 * MatMul and broadcasting, which XNNPACK runs fast.
 *
 * Second order: tfjs disconnects gradients that use an op's *saved output* in double back-prop
 * (the second derivative is silently wrong), and comparison ops have no gradient at all. The
 * gradients below only use saved *inputs*, comparisons get their true derivative 0, and the loss
 * (./loss.ts) and the batch-norm ops (./batchnorm-ops.ts) are built from primitive ops. Any new
 * custom op must follow the same rule.
 */
import * as tf from "@tensorflow/tfjs";
import { replaceWasmKernel } from "./wasm-kernel";
import { MAXPOOL_STRIDED_GRAD_KERNEL, maxPoolWindowsBackward, windowOffset } from "./maxpool-grad";

type GradConfig = Parameters<typeof tf.registerGradient>[0];
type GradFunc = GradConfig["gradFunc"];
type Attrs = Parameters<GradFunc>[2];
/** tfjs's padding: 'same', 'valid', or p zero rows/columns on every side (PyTorch's padding=p). */
type Pad = "same" | "valid" | number;
type Pair = [number, number];
type Sh4 = [number, number, number, number];

const { computeConv2DInfo } = tf.backend_util;

function pair(v: unknown, what: string): Pair {
  if (typeof v === "number") return [v, v];
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number") return [v[0], v[1]];
  throw new Error(`nn/gradients: ${what} must be a number or a pair, got ${JSON.stringify(v)}`);
}

function padAttr(v: unknown, kernel: string): Pad {
  if (v === "same" || v === "valid") return v;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  throw new Error(`nn/gradients: ${kernel} gradient supports padding 'same', 'valid' or a non-negative integer, got ${JSON.stringify(v)}`);
}

function checkConvAttrs(attrs: Attrs, kernel: string): { strides: Pair; pad: Pad } {
  const d = pair(attrs.dilations ?? 1, `${kernel} dilations`);
  if (d[0] !== 1 || d[1] !== 1) throw new Error(`nn/gradients: ${kernel} gradient needs dilation 1, got ${d}`);
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== "NHWC") throw new Error(`nn/gradients: ${kernel} gradient needs NHWC, got ${String(attrs.dataFormat)}`);
  if (attrs.dimRoundingMode !== undefined && attrs.dimRoundingMode !== null) throw new Error(`nn/gradients: ${kernel} gradient does not support dimRoundingMode`);
  const strides = pair(attrs.strides, `${kernel} strides`);
  const pad = padAttr(attrs.pad, kernel);
  // tfjs's computeConv2DInfo derives a numeric pad's output width from the height stride
  if (typeof pad === "number" && strides[0] !== strides[1]) {
    throw new Error(`nn/gradients: ${kernel} gradient with numeric padding ${pad} needs equal strides, got ${strides}`);
  }
  return { strides, pad };
}

/** Inserts s−1 zeros between neighbours along `axis` (rows of an NHWC tensor at 1, columns at 2). */
function zeroInsert<T extends tf.Tensor>(t: T, axis: number, s: number): T {
  if (s === 1 || t.shape[axis] <= 1) return t;
  const shp = t.shape;
  const n = shp[axis];
  const parts: tf.Tensor[] = [t];
  const z = tf.zerosLike(t);
  for (let k = 1; k < s; k++) parts.push(z);
  const ns = shp.map((d, i) => (i === axis ? n * s : d));
  const size = shp.map((d, i) => (i === axis ? (n - 1) * s + 1 : d));
  return tf.slice(tf.reshape(tf.stack(parts, axis + 1), ns), shp.map(() => 0), size) as T;
}

/**
 * The gradient of a strided slice: dy spread back by each axis's step (zero insertion), padded to
 * x's extent. Positive steps, begin/end/shrink masks; ellipses and new axes are refused.
 */
function stridedSliceBackward(xShape: readonly number[], dy: tf.Tensor, attrs: Attrs): tf.Tensor {
  const num = (v: unknown): number => (typeof v === "number" ? v : 0);
  if (num(attrs.ellipsisMask) !== 0 || num(attrs.newAxisMask) !== 0) {
    throw new Error(`nn/gradients: StridedSlice gradient of x [${xShape.join(",")}] with an ellipsis or new axes (masks ${num(attrs.ellipsisMask)}, ${num(attrs.newAxisMask)}) is not supported`);
  }
  const info = tf.slice_util.sliceInfo([...xShape], attrs.begin as number[], attrs.end as number[], attrs.strides as number[], num(attrs.beginMask), num(attrs.endMask), 0, 0, num(attrs.shrinkAxisMask));
  if (info.strides.some((st) => !(st > 0))) throw new Error(`nn/gradients: StridedSlice gradient of x [${xShape.join(",")}] needs positive steps, got [${info.strides.join(",")}]`);
  let t = tf.reshape(dy, tf.slice_util.computeOutShape(info.begin, info.end, info.strides));
  for (let axis = 0; axis < xShape.length; axis++) t = zeroInsert(t, axis, info.strides[axis]);
  if (t.size === 0) return tf.zeros([...xShape]);
  return tf.pad(t, xShape.map((d, i): [number, number] => [info.begin[i], d - info.begin[i] - t.shape[i]]));
}

/** Pads (positive amounts) or crops (negative amounts) the spatial axes. */
function padOrCrop(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const pads: Array<[number, number]> = [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]];
  if (pads.some((p) => p[0] !== 0 || p[1] !== 0)) t = tf.pad(t, pads);
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const b: Sh4 = [0, Math.max(-top, 0), Math.max(-left, 0), 0];
    t = tf.slice(t, b, [-1, t.shape[1] - b[1] - Math.max(-bottom, 0), t.shape[2] - b[2] - Math.max(-right, 0), -1]);
  }
  return t;
}

/** dy zero-inserted by the stride and padded so that a 'valid' stride-1 conv gives dx. */
function spreadDy(xShape: readonly number[], dy: tf.Tensor4D, fs: Sh4, strides: Pair, pad: Pad): tf.Tensor4D {
  const info = computeConv2DInfo(xShape as Sh4, fs, strides, 1, pad);
  const [kh, kw] = fs;
  const H = xShape[1];
  const W = xShape[2];
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  let d = zeroInsert(zeroInsert(dy, 1, info.strideHeight), 2, info.strideWidth);
  d = padOrCrop(d, kh - 1 - pt, H + pt - d.shape[1], kw - 1 - pl, W + pl - d.shape[2]);
  return d;
}

/** x padded/cropped to exactly the extent the conv reads. */
function padX(x: tf.Tensor4D, fs: Sh4, strides: Pair, pad: Pad): { xp: tf.Tensor4D; sh: number; sw: number } {
  const info = computeConv2DInfo(x.shape, fs, strides, 1, pad);
  const p = info.padInfo;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const needH = (info.outHeight - 1) * sh + fs[0];
  const needW = (info.outWidth - 1) * sw + fs[1];
  return { xp: padOrCrop(x, p.top, needH - x.shape[1] - p.top, p.left, needW - x.shape[2] - p.left), sh, sw };
}

/** dx of conv2d: a plain conv of the spread dy with the flipped, in/out-swapped filter. */
export function conv2dInputGrad(xShape: readonly number[], dy: tf.Tensor4D, w: tf.Tensor4D, strides: Pair, pad: Pad): tf.Tensor4D {
  const d = spreadDy(xShape, dy, w.shape, strides, pad);
  return tf.conv2d(d, tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, "valid");
}

/** dW of conv2d: conv of xpadᵀ [C,Hp,Wp,N] with dyᵀ [oh,ow,N,co], dilation = stride → [kh,kw,C,co]. */
function conv2dFilterGradRaw(x: tf.Tensor4D, dy: tf.Tensor4D, fs: Sh4, strides: Pair, pad: Pad): tf.Tensor4D {
  const { xp, sh, sw } = padX(x, fs, strides, pad);
  const out = tf.conv2d(tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, "valid", "NHWC", [sh, sw]);
  return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
}

/**
 * dW as a custom op so that its own derivative is the cheap small-kernel form (autograd through the
 * big-kernel conv above costs ~H·W/k² times more).
 */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, fs: Sh4, strides: Pair, pad: Pad): tf.Tensor4D {
  return filterGradOp(
    x,
    dy,
    (xi, dyi) => conv2dFilterGradRaw(xi, dyi, fs, strides, pad),
    (xs, dys, v) => [conv2dInputGrad(xs.shape, dys, v, strides, pad), tf.conv2d(xs, v, strides, pad)],
  );
}

/**
 * A filter gradient dW(x, dy) as a custom op whose own derivative (what second-order methods need)
 * is given in closed form by `gradOf`: [∂/∂x, ∂/∂dy] of ⟨v, dW⟩.
 */
function filterGradOp(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  raw: (x: tf.Tensor4D, dy: tf.Tensor4D) => tf.Tensor4D,
  gradOf: (x: tf.Tensor4D, dy: tf.Tensor4D, v: tf.Tensor4D) => tf.Tensor[],
): tf.Tensor4D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor4D;
    const dyi = args[1] as tf.Tensor4D;
    const save = args[2] as tf.GradSaveFunc;
    save([xi, dyi]);
    return {
      value: raw(xi, dyi),
      gradFunc: (v: tf.Tensor4D, saved: tf.Tensor[]) => gradOf(saved[0] as tf.Tensor4D, saved[1] as tf.Tensor4D, v),
    };
  });
  return op(x, dy) as tf.Tensor4D;
}

/** dx of a depthwise conv with channel multiplier 1: depthwise conv of the spread dy with the flipped filter. */
export function depthwiseInputGrad(xShape: readonly number[], dy: tf.Tensor4D, w: tf.Tensor4D, strides: Pair, pad: Pad): tf.Tensor4D {
  const d = spreadDy(xShape, dy, w.shape, strides, pad);
  return tf.depthwiseConv2d(d, tf.reverse(w, [0, 1]) as tf.Tensor4D, 1, "valid");
}

/**
 * dW of a depthwise conv (multiplier 1): one depthwise conv over the N·C (sample, channel) pairs
 * with dy as the filter (dilation = stride), then a sum over samples.
 */
function depthwiseFilterGradRaw(x: tf.Tensor4D, dy: tf.Tensor4D, fs: Sh4, strides: Pair, pad: Pad): tf.Tensor4D {
  const { xp, sh, sw } = padX(x, fs, strides, pad);
  const [N, Hp, Wp, C] = xp.shape;
  const [, oh, ow] = dy.shape;
  const xr = tf.reshape(xp.transpose([1, 2, 0, 3]), [1, Hp, Wp, N * C]) as tf.Tensor4D;
  const f = tf.reshape(dy.transpose([1, 2, 0, 3]), [oh, ow, N * C, 1]) as tf.Tensor4D;
  const out = tf.depthwiseConv2d(xr, f, 1, "valid", "NHWC", [sh, sw]); // [1, kh, kw, N*C]
  const kk = fs[0] * fs[1];
  // sum over N with an untransposed matMul (tf.sum over a middle axis is slow on wasm)
  const perN = tf.reshape(out, [kk, N, C]);
  const summed = N === 1 ? tf.reshape(perN, [kk, C]) : tf.reshape(tf.matMul(tf.ones([kk, 1, N]), perN), [kk, C]);
  return tf.reshape(summed, [fs[0], fs[1], C, 1]) as tf.Tensor4D;
}

export function depthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, fs: Sh4, strides: Pair, pad: Pad): tf.Tensor4D {
  return filterGradOp(
    x,
    dy,
    (xi, dyi) => depthwiseFilterGradRaw(xi, dyi, fs, strides, pad),
    (xs, dys, v) => [depthwiseInputGrad(xs.shape, dys, v, strides, pad), tf.depthwiseConv2d(xs, v, strides, pad)],
  );
}

/**
 * MaxPool gradient for any kernel/stride/padding: one strided window offset at a time, compare with
 * the pooled output, scatter dy back (as nn/maxpool-grad's `SnnMaxPoolGradStrided` kernel where the
 * backend has it, except for `firstOnly`). Replaces wasm's MaxPoolGrad kernel, which is wrong at 'same'
 * borders (it drops the gradient of a negative maximum next to the padding).
 * Ties: every maximal element of a window gets dy, unless `firstOnly`, where only the first one in
 * row-major window order does (PyTorch's rule: its kernels keep the first index with val > max).
 */
function maxPoolGradGeneral(x: tf.Tensor4D, y: tf.Tensor4D, dy: tf.Tensor4D, k: Pair, s: Pair, pad: Pad, firstOnly = false): tf.Tensor4D {
  const info = computeConv2DInfo(x.shape, [k[0], k[1], x.shape[3], x.shape[3]], s, 1, pad);
  const p = info.padInfo;
  const [N, H, W, C] = x.shape;
  const oh = info.outHeight;
  const ow = info.outWidth;
  const native = !firstOnly && [x, y, dy].every((t) => t.dtype === "float32") && tf.getKernel(MAXPOOL_STRIDED_GRAD_KERNEL, tf.getBackend()) !== undefined;
  // the kernel's views need whole strides for every output row and column (padding no window reads)
  const Hp = Math.max(H + p.top + p.bottom, (oh - 1) * s[0] + k[0], native ? oh * s[0] : 0);
  const Wp = Math.max(W + p.left + p.right, (ow - 1) * s[1] + k[1], native ? ow * s[1] : 0);
  const xp = tf.pad(x, [[0, 0], [p.top, Hp - H - p.top], [p.left, Wp - W - p.left], [0, 0]], -3.4e38);
  if (native) {
    const dxp = tf.engine().runKernel(MAXPOOL_STRIDED_GRAD_KERNEL, { xp, y, dy }, { filterSize: [k[0], k[1]], strides: [s[0], s[1]] }) as tf.Tensor4D;
    return tf.slice(dxp, [0, p.top, p.left, 0], [N, H, W, C]);
  }
  let acc: tf.Tensor4D | null = null;
  let free: tf.Tensor | null = null; // 1 where the window's maximum has not been claimed yet
  for (let di = 0; di < k[0]; di++) {
    for (let dj = 0; dj < k[1]; dj++) {
      const xs = windowOffset(xp, di, dj, [oh, ow], s);
      let hit = tf.cast(tf.equal(xs, y), "float32");
      if (firstOnly) {
        if (free !== null) hit = tf.mul(hit, free);
        free = free === null ? tf.sub(1, hit) : tf.sub(free, hit);
      }
      let g = tf.mul(hit, dy) as tf.Tensor4D;
      g = zeroInsert(zeroInsert(g, 1, s[0]), 2, s[1]);
      g = padOrCrop(g, di, Hp - di - g.shape[1], dj, Wp - dj - g.shape[2]);
      acc = acc === null ? g : (tf.add(acc, g) as tf.Tensor4D);
    }
  }
  if (acc === null) throw new Error("nn/gradients: MaxPool with an empty kernel");
  return tf.slice(acc, [0, p.top, p.left, 0], [N, H, W, C]);
}

/**
 * Max pooling ('valid'; pad the input beforehand) whose gradient goes to the first maximum of each
 * window in row-major order, as in PyTorch, instead of to every tied maximum. Needed where ties are
 * structural, e.g. SynFlow's all-ones input (every interior pixel of a map is equal); first order only.
 */
export function maxPoolFirstMax(x: tf.Tensor4D, kernel: number, stride: number): tf.Tensor4D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    const y = tf.maxPool(xi, kernel, stride, "valid");
    save([xi, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => maxPoolGradGeneral(saved[0] as tf.Tensor4D, saved[1] as tf.Tensor4D, dy as tf.Tensor4D, [kernel, kernel], [stride, stride], "valid", true),
    };
  });
  return op(x) as tf.Tensor4D;
}

let registered = false;

/**
 * The wasm backend's Identity kernel copies its input, and autograd clones (Identity) every input an
 * op saves for its gradient: a full copy of each activation per step (~5 % of a Conv-6 step). Tensors
 * are immutable in tfjs, so the clone can share the data buffer with a reference count, as the cpu
 * backend's Identity and wasm's own Reshape do. String tensors keep the original kernel.
 */
function shareWasmIdentity(): void {
  try {
    require("@tensorflow/tfjs-backend-wasm");
  } catch {
    return; // no wasm backend installed: nothing to replace
  }
  replaceWasmKernel("Identity", (args, fallback) => {
    const x = args.inputs.x;
    const be = args.backend as unknown as { incRef?: (dataId: object) => void };
    if (!x || x.dtype === "string" || typeof be.incRef !== "function") return fallback(args);
    be.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}

/** Registers every replacement gradient (idempotent). Gradients are global in tfjs, not per backend. */
export function registerFastGradients(): void {
  if (registered) return;
  registered = true;
  shareWasmIdentity();

  // (1) Comparisons and logical ops: true derivative 0 (Max/Min/Relu6 grads use them; without a
  // registered gradient double back-prop throws).
  for (const k of ["Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual"]) {
    tf.registerGradient({
      kernelName: k,
      inputsToSave: ["a", "b"],
      gradFunc: (_dy, saved) => ({ a: () => tf.zerosLike(saved[0]), b: () => tf.zerosLike(saved[1]) }),
    });
  }
  tf.registerGradient({
    kernelName: "LogicalAnd",
    inputsToSave: ["a", "b"],
    gradFunc: (_dy, saved) => ({ a: () => tf.zerosLike(saved[0]), b: () => tf.zerosLike(saved[1]) }),
  });

  // (2) Gradients that use the saved *output* are disconnected in double back-prop: recompute from x.
  tf.registerGradient({ kernelName: "Exp", inputsToSave: ["x"], gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.exp(x)) }) });
  tf.registerGradient({
    kernelName: "Tanh",
    inputsToSave: ["x"],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x)))) }),
  });
  tf.registerGradient({
    kernelName: "Sigmoid",
    inputsToSave: ["x"],
    gradFunc: (dy, [x]) => ({
      x: () => {
        const s = tf.sigmoid(x);
        return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
      },
    }),
  });
  tf.registerGradient({
    kernelName: "Sqrt",
    inputsToSave: ["x"],
    gradFunc: (dy, [x]) => ({ x: () => tf.div(dy as tf.Tensor, tf.mul(tf.sqrt(x), 2)) }),
  });

  // (3) Conv2D: dx and dW through forward convs (XNNPACK).
  tf.registerGradient({
    kernelName: "Conv2D",
    inputsToSave: ["x", "filter"],
    gradFunc: (dyIn, saved, attrs) => {
      const dy = dyIn as tf.Tensor4D;
      const x = saved[0] as tf.Tensor4D;
      const f = saved[1] as tf.Tensor4D;
      const { strides, pad } = checkConvAttrs(attrs, "Conv2D");
      return {
        x: () => conv2dInputGrad(x.shape, dy, f, strides, pad),
        filter: () => conv2dFilterGrad(x, dy, f.shape, strides, pad),
      };
    },
  });

  // (4) Depthwise conv (multiplier 1; wasm has no backprop kernels at all).
  tf.registerGradient({
    kernelName: "DepthwiseConv2dNative",
    inputsToSave: ["x", "filter"],
    gradFunc: (dyIn, saved, attrs) => {
      const dy = dyIn as tf.Tensor4D;
      const x = saved[0] as tf.Tensor4D;
      const f = saved[1] as tf.Tensor4D;
      if (f.shape[3] !== 1) throw new Error(`nn/gradients: depthwise gradient needs channel multiplier 1, got ${f.shape[3]}`);
      const { strides, pad } = checkConvAttrs(attrs, "DepthwiseConv2dNative");
      return {
        x: () => depthwiseInputGrad(x.shape, dy, f, strides, pad),
        filter: () => depthwiseFilterGrad(x, dy, f.shape, strides, pad),
      };
    },
  });

  // (5) MatMul: XNNPACK is used only for rank 2 without transpose flags → explicit transposes.
  const stockMatMul = tf.getGradient("BatchMatMul");
  const T = (t: tf.Tensor): tf.Tensor2D => tf.transpose(t) as tf.Tensor2D;
  tf.registerGradient({
    kernelName: "BatchMatMul",
    inputsToSave: ["a", "b"],
    gradFunc: (dyIn, saved, attrs) => {
      const a = saved[0] as tf.Tensor2D;
      const b = saved[1] as tf.Tensor2D;
      if (a.rank !== 2 || b.rank !== 2) return stockMatMul.gradFunc(dyIn, saved, attrs);
      const dy = dyIn as tf.Tensor2D;
      const tA = Boolean(attrs.transposeA);
      const tB = Boolean(attrs.transposeB);
      if (!tA && !tB) return { a: () => tf.matMul(dy, T(b)), b: () => tf.matMul(T(a), dy) };
      if (tA && !tB) return { a: () => tf.matMul(b, T(dy)), b: () => tf.matMul(a, dy) };
      if (!tA && tB) return { a: () => tf.matMul(dy, b), b: () => tf.matMul(T(dy), a) };
      return { a: () => tf.matMul(T(b), T(dy)), b: () => tf.matMul(T(dy), T(a)) };
    },
  });

  // (7) AvgPool 'valid' (what the models use): differentiable form, so second order works too.
  const stockAvgPool = tf.getGradient("AvgPool");
  tf.registerGradient({
    kernelName: "AvgPool",
    inputsToSave: ["x"],
    gradFunc: (dyIn, saved, attrs) => {
      const x = saved[0];
      if (attrs.pad !== "valid" || (attrs.dimRoundingMode !== undefined && attrs.dimRoundingMode !== null)) return stockAvgPool.gradFunc(dyIn, saved, attrs);
      const k = pair(attrs.filterSize, "AvgPool filterSize");
      const s = pair(attrs.strides, "AvgPool strides");
      return { x: () => avgPoolGradValid(x.shape, dyIn as tf.Tensor4D, k, s) };
    },
  });

  // (6) MaxPool with kernel == stride and 'valid': nn/maxpool-grad's mask × upsampled dy (a kernel
  // where nn/native provides one, else a composite differentiable in dy, 3× faster than MaxPoolGrad
  // on wasm). Using the saved output y is safe here: double back-prop
  // treats it as a constant, and the mask's true derivative is 0 anyway. Ties (equal maxima in a
  // window) pass the gradient to every maximal element. Other pool shapes use the stock gradient.
  const stockMaxPool = tf.getGradient("MaxPool");
  tf.registerGradient({
    kernelName: "MaxPool",
    inputsToSave: ["x"],
    outputsToSave: [true],
    gradFunc: (dyIn, saved, attrs) => {
      const dy = dyIn as tf.Tensor4D;
      const x = saved[0] as tf.Tensor4D;
      const y = saved[1] as tf.Tensor4D;
      const k = pair(attrs.filterSize, "MaxPool filterSize");
      const s = pair(attrs.strides, "MaxPool strides");
      if (k[0] !== s[0] || k[1] !== s[1] || attrs.pad !== "valid" || (attrs.dimRoundingMode !== undefined && attrs.dimRoundingMode !== null)) {
        if (attrs.dimRoundingMode !== undefined && attrs.dimRoundingMode !== null) return stockMaxPool.gradFunc(dyIn, saved, attrs);
        return { x: () => maxPoolGradGeneral(x, y, dy, k, s, padAttr(attrs.pad, "MaxPool")) };
      }
      const [N, H, W, C] = x.shape;
      const Hk = Math.floor(H / k[0]) * k[0];
      const Wk = Math.floor(W / k[1]) * k[1];
      const xc = Hk !== H || Wk !== W ? tf.slice(x, [0, 0, 0, 0], [N, Hk, Wk, C]) : x;
      return {
        x: () => {
          const g = maxPoolWindowsBackward(xc, y, dy, k);
          return Hk !== H || Wk !== W ? tf.pad(g, [[0, 0], [0, H - Hk], [0, W - Wk], [0, 0]]) : g;
        },
      };
    },
  });

  // (8) Mean and Sum: dy broadcast over the reduced axes by a multiply with a Fill kernel's ones
  // instead of tfjs's tf.ones, which builds the array in JS and copies it into the heap: for
  // ResNet-20's global average pool ([128,8,8,64]) 5.1 → 0.3 ms per step, on the main thread, plus
  // the garbage collections of 2 MB a step. Same floats: Mean divides the small dy first, and ×1 is exact.
  for (const [kernelName, mean] of [
    ["Mean", true],
    ["Sum", false],
  ] as const) {
    tf.registerGradient({
      kernelName,
      inputsToSave: ["x"],
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved;
        const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
        const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const size = axes.reduce((a, i) => a * x.shape[i], 1);
        return {
          x: () => {
            const d = tf.reshape(dy as tf.Tensor, expanded);
            return tf.mul(mean ? tf.div(d, size) : d, tf.fill(x.shape, 1, "float32"));
          },
        };
      },
    });
  }

  // (9) StridedSlice: tfjs 4.22 registers no gradient for it, so differentiating through one threw
  // (second order through nn/maxpool-grad's window offsets: GraSP through an overlapping max pool).
  tf.registerGradient({
    kernelName: "StridedSlice",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => ({ x: () => stridedSliceBackward(saved[0].shape, dy as tf.Tensor, attrs) }),
  });
}

/** AvgPool ('valid') gradient: the transposed depthwise conv with a constant 1/(kh·kw) filter. */
function avgPoolGradValid(xShape: readonly number[], dy: tf.Tensor4D, k: Pair, s: Pair): tf.Tensor4D {
  const C = xShape[3];
  const f = tf.fill([k[0], k[1], C, 1], 1 / (k[0] * k[1])) as tf.Tensor4D;
  return depthwiseInputGrad(xShape, dy, f, s, "valid");
}
