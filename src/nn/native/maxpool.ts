/**
 * Max pooling on oneDNN: the forward `MaxPool` (oneDNN's pooling primitive on tfjs's NHWC tensors,
 * threaded) and nn/maxpool-grad's gradient kernels, `SnnMaxPoolGrad` (window = stride pools) and
 * `SnnMaxPoolGradStrided` (any window and stride, e.g. torchvision's 3×3 stride-2 stem pool), so
 * that pools stop running single-threaded on wasm between threaded convolutions.
 *
 * The gradient, dx = [x ≥ up(y)] · up(dy) with up() the nearest upsampling by whole windows, is four
 * threaded passes: up(y) as a reorder from a view of y with stride 0 along the window axes,
 * binary ≥ against x, up(dy) the same way, binary × in place. (oneDNN's binary primitive takes the
 * broadcast y directly only in its reference implementation, 500 ms for Conv-6's first pool; its
 * nearest resampling crashed on tensors of 1 M elements and more; its pooling backward passes dy to
 * one maximum per window, where the composite and this kernel pass it to every tie.) Each output
 * element is the same float operations on the same inputs as the composite's, so results are equal
 * bit for bit (NaN inputs aside: the composite gives NaN, this 0 where x is NaN).
 *
 * The forward goes native where the call gets 2+ threads, for float32 NHWC inputs whose tfjs
 * geometry oneDNN can express ('same' or 'valid'); the maximum of the same elements is the same
 * float, so results equal tfjs's cpu kernel bit for bit (wasm's XNNPACK returns +0 for some windows
 * whose maximum is −0). bench/native-maxpool.ts, Conv-6's pools at batch 128, ms per call, wasm /
 * oneDNN 1 thread / 2 threads: forward [128,32,32,64] 4.41 / 4.18 / 1.33 (one thread gains nothing,
 * so it stays on wasm), [128,16,16,128] 1.44 / 1.47 / 0.41; gradient 15.8 / 7.4 / 6.1 and
 * 7.7 / 3.2 / 2.5 (memory-bound: four passes of 8 M elements).
 */
import * as tf from "@tensorflow/tfjs";
import { MAXPOOL_GRAD_KERNEL, MAXPOOL_STRIDED_GRAD_KERNEL, fitsWindows } from "../maxpool-grad";
import { replaceWasmKernel } from "../wasm-kernel";
import { DNNL } from "./dnnl";
import { eltwisePrimitive } from "./eltwise";
import { CachedPrimitive, execArgOperand, threadsFor, type NativeContext } from "./primitive-cache";
import { denseStrides, stridedCopy } from "./strided-copy";
import type { WasmBackendLike } from "./wasm-heap";

export const NATIVE_MAXPOOL_KERNELS = ["MaxPool"];
/** Kernels with no wasm original (unregistered on uninstall). */
export const NATIVE_MAXPOOL_NEW_KERNELS = [MAXPOOL_GRAD_KERNEL, MAXPOOL_STRIDED_GRAD_KERNEL];

/** Work per input element for the thread cap (memory-bound, like the elementwise ops). */
const WORK_PER_ELEMENT = 4;

const { computePool2DInfo } = tf.backend_util;

function pair(v: unknown): [number, number] | null {
  if (typeof v === "number") return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((d) => Number.isInteger(d) && d > 0)) return [v[0] as number, v[1] as number];
  return null;
}

interface PoolGeometry {
  k: [number, number];
  s: [number, number];
  padL: [number, number];
  padR: [number, number];
  out: [number, number, number, number];
}

/** tfjs's pooling geometry, or null where oneDNN cannot express it (then wasm's kernel runs). */
function geometry(x: tf.TensorInfo, attrs: tf.NamedAttrMap | undefined): PoolGeometry | null {
  const k = pair(attrs?.filterSize);
  const s = pair(attrs?.strides);
  // numeric and explicit paddings stay on wasm
  const pad = attrs?.pad === "same" ? "same" : attrs?.pad === "valid" ? "valid" : null;
  if (!k || !s || !pad || x.shape.length !== 4 || (attrs?.dimRoundingMode !== undefined && attrs?.dimRoundingMode !== null)) return null;
  const info = computePool2DInfo(x.shape as [number, number, number, number], k, s, 1, pad);
  const p = info.padInfo;
  const [N, H, W, C] = x.shape;
  // oneDNN checks out = (in + padL + padR − k) / s + 1 (floor) on each axis
  if (Math.floor((H + p.top + p.bottom - k[0]) / s[0]) + 1 !== info.outHeight) return null;
  if (Math.floor((W + p.left + p.right - k[1]) / s[1]) + 1 !== info.outWidth) return null;
  if (info.outHeight < 1 || info.outWidth < 1 || N * C === 0) return null;
  return { k, s, padL: [p.top, p.left], padR: [p.bottom, p.right], out: [N, info.outHeight, info.outWidth, C] };
}

function nhwc(ctx: NativeContext, shape: readonly number[]): Uint8Array {
  const md = new Uint8Array(DNNL.MD_BYTES);
  ctx.api.mdInitByTag(md, [shape[0], shape[3], shape[1], shape[2]], DNNL.nhwc);
  return md;
}

function poolForward(ctx: NativeContext, shape: readonly number[], g: PoolGeometry, work: number): CachedPrimitive | null {
  const key = `maxpool ${shape.join(",")} k${g.k} s${g.s} p${g.padL} ${g.padR}`;
  return ctx.cache.get(key, work, () => {
    const what = `max pool x [${shape.join(",")}] window ${g.k.join("×")} stride ${g.s.join("×")}`;
    const src = nhwc(ctx, shape);
    const dst = nhwc(ctx, g.out);
    const op = new Uint8Array(DNNL.OP_DESC_BYTES);
    const d = (v: readonly number[]): BigInt64Array => BigInt64Array.from(v, BigInt);
    ctx.api.poolingForwardInit(op, DNNL.poolingMax, src, dst, d(g.s), d(g.k), d([0, 0]), d(g.padL), d(g.padR), what);
    const pd = ctx.api.primitiveDesc(op, null, what);
    if (pd === null) return null;
    return new CachedPrimitive(ctx.api, pd, [execArgOperand(DNNL.ARG_SRC, src, false), execArgOperand(DNNL.ARG_DST, dst, true)], what, work);
  });
}

/** The reorder writing up(t): t [N,Ho,Wo,C] repeated over kh×kw windows into a dense [N,Ho·kh,Wo·kw,C]. */
function upsample(ctx: NativeContext, small: readonly number[], k: readonly [number, number]): CachedPrimitive | null {
  const [N, Ho, Wo, C] = small;
  const dims = [N, Ho, k[0], Wo, k[1], C];
  const [sN, sH, sW] = denseStrides(small);
  return stridedCopy(ctx, dims, [sN, sH, 0, sW, 0, 1], denseStrides(dims), `max pool gradient: upsampling [${small.join(",")}] by ${k.join("×")}`);
}

const sizeOf = (t: tf.TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);

/**
 * nn/maxpool-grad's `SnnMaxPoolGradStrided` (any window and stride): per window offset, the offset's
 * elements of xp gathered by a reorder from a strided view, ≥ y and × dy as binary primitives in one
 * scratch tensor, and the result added into dxp's strided view by a reorder with a sum post-op;
 * dxp starts at 0. The same float operations in the same order as the composite, so dx is the same
 * (up to the sign of zeros: the composite's first offset is its accumulator, here it is added to +0).
 */
function registerStridedGradKernel(ctx: NativeContext): void {
  tf.registerKernel({
    kernelName: MAXPOOL_STRIDED_GRAD_KERNEL,
    backendName: "wasm",
    kernelFunc: (args) => {
      const { xp, y, dy } = args.inputs;
      const k = pair(args.attrs?.filterSize);
      const s = pair(args.attrs?.strides);
      const what = `${MAXPOOL_STRIDED_GRAD_KERNEL} of xp [${xp?.shape.join(",")}], y [${y?.shape.join(",")}], dy [${dy?.shape.join(",")}]`;
      if (!xp || !y || !dy || !k || !s || xp.shape.length !== 4 || y.shape.length !== 4) throw new Error(`nn/native: ${what} needs 4-D xp, y, dy, a filterSize and strides`);
      if ([xp, y, dy].some((t) => t.dtype !== "float32")) throw new Error(`nn/native: ${what} needs float32 tensors`);
      const [N, Hp, Wp, C] = xp.shape;
      const [, oh, ow] = y.shape;
      const fits = y.shape[0] === N && y.shape[3] === C && dy.shape.every((d, i) => d === y.shape[i]);
      if (!fits || Hp < Math.max(s[0] * oh, (oh - 1) * s[0] + k[0]) || Wp < Math.max(s[1] * ow, (ow - 1) * s[1] + k[1])) {
        throw new Error(`nn/native: ${what}: y and dy must be the ${k.join("×")} stride ${s.join("×")} pooling of xp, and xp at least ${s[0] * oh}×${s[1] * ow} with whole windows`);
      }
      const backend = args.backend as unknown as WasmBackendLike;
      const dxp = backend.makeOutput(xp.shape, "float32");
      const n = sizeOf(y);
      const entry = backend.dataIdMap.get(dxp.dataId);
      if (!entry) throw new Error(`nn/native: ${what}: its output is not in the wasm heap`);
      backend.wasm.HEAPU8.fill(0, entry.memoryOffset, entry.memoryOffset + 4 * sizeOf(xp));
      if (n === 0) return dxp;
      const dense = denseStrides(y.shape);
      const view = [Hp * Wp * C, s[0] * Wp * C, s[1] * C, 1];
      const gather = stridedCopy(ctx, y.shape, view, dense, `${what}: gathering a window offset`);
      const scatter = stridedCopy(ctx, y.shape, dense, view, `${what}: adding a window offset`, true);
      const ge = eltwisePrimitive(ctx, "ge", n);
      const mul = eltwisePrimitive(ctx, "mul", n);
      if (!gather || !scatter || !ge || !mul) throw new Error(`nn/native: oneDNN has no reorder or binary primitive for ${what}`);
      const scratch = backend.makeOutput(y.shape, "float32");
      try {
        // addresses after both allocations (heap growth)
        const at = (t: tf.TensorInfo): bigint => ctx.heap.address(backend, t, what);
        for (let di = 0; di < k[0]; di++) {
          for (let dj = 0; dj < k[1]; dj++) {
            const offset = BigInt(4 * (di * Wp + dj) * C);
            gather.run([at(xp) + offset, at(scratch)]);
            ge.run([at(scratch), at(y), at(scratch)]);
            mul.run([at(scratch), at(dy), at(scratch)]);
            scatter.run([at(scratch), at(dxp) + offset]);
          }
        }
      } finally {
        backend.disposeData(scratch.dataId);
      }
      return dxp;
    },
  });
}

/** Registers MaxPool and the max-pool gradient kernels on the wasm backend. */
export function registerMaxPoolKernels(ctx: NativeContext): void {
  registerStridedGradKernel(ctx);
  replaceWasmKernel("MaxPool", (args, fallback) => {
    const { x } = args.inputs;
    if (!x || x.dtype !== "float32") return fallback(args);
    const work = WORK_PER_ELEMENT * sizeOf(x);
    if (threadsFor(ctx.api, work) < 2) return fallback(args);
    const g = geometry(x, args.attrs);
    const prim = g ? poolForward(ctx, x.shape, g, work) : null;
    if (!g || !prim) return fallback(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(g.out, "float32");
    // addresses after makeOutput: an allocation may have grown (and moved) the heap
    prim.run([x, out].map((t) => ctx.heap.address(backend, t, prim.what)));
    return out;
  });
  tf.registerKernel({
    kernelName: MAXPOOL_GRAD_KERNEL,
    backendName: "wasm",
    kernelFunc: (args) => {
      const { x, y, dy } = args.inputs;
      const k = pair(args.attrs?.filterSize);
      const what = `${MAXPOOL_GRAD_KERNEL} of x [${x?.shape.join(",")}], y [${y?.shape.join(",")}], dy [${dy?.shape.join(",")}]`;
      if (!x || !y || !dy || !k || x.shape.length !== 4) throw new Error(`nn/native: ${what} needs 4-D x, y, dy and a filterSize`);
      if ([x, y, dy].some((t) => t.dtype !== "float32")) throw new Error(`nn/native: ${what} needs float32 tensors`);
      if (!fitsWindows(x.shape, y.shape, dy.shape, k)) throw new Error(`nn/native: ${what}: x is not whole ${k.join("×")} windows of y and dy`);
      const small = y.shape;
      const backend = args.backend as unknown as WasmBackendLike;
      const n = sizeOf(x);
      const dx = backend.makeOutput(x.shape, "float32");
      if (n === 0) return dx;
      const up = upsample(ctx, small, k);
      const ge = eltwisePrimitive(ctx, "ge", n);
      const mul = eltwisePrimitive(ctx, "mul", n);
      if (!up || !ge || !mul) throw new Error(`nn/native: oneDNN has no reorder or binary primitive for ${what}`);
      // up(y), then up(dy), in one scratch tensor
      const scratch = backend.makeOutput(x.shape, "float32");
      try {
        const at = (t: tf.TensorInfo): bigint => ctx.heap.address(backend, t, what);
        up.run([at(y), at(scratch)]);
        ge.run([at(x), at(scratch), at(dx)]);
        up.run([at(dy), at(scratch)]);
        mul.run([at(dx), at(scratch), at(dx)]);
      } finally {
        backend.disposeData(scratch.dataId);
      }
      return dx;
    },
  });
}
