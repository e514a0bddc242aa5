/**
 * Constant padding (PadV2) of a float32 tensor: the border is written in JS, the interior is a
 * oneDNN reorder from the input into a strided view of the output (threaded). For the input of
 * ResNet-20's first strided convolution ([128,32,32,16] → [128,34,34,16]) the wasm backend's PadV2
 * took 2.24 ms, single-threaded; this one 0.55 ms on 1 thread, 0.46 on 2 (same run). Its gradient
 * is a Slice (./slice.ts).
 * Small outputs, other dtypes and ranks above 6 stay on wasm.
 */
import type * as tf from "@tensorflow/tfjs";
import { replaceWasmKernel } from "../wasm-kernel";
import type { NativeContext } from "./primitive-cache";
import { denseStrides, stridedCopy } from "./strided-copy";
import type { WasmBackendLike } from "./wasm-heap";

export const NATIVE_PAD_KERNELS = ["PadV2"];

/** Smallest output (elements) that goes native, as for Slice. */
const MIN_ELEMENTS = 4096;

/**
 * Writes `value` into every element of `out` (shape `outShape`) outside the interior box that
 * starts at `before` and has `inner`'s size: along each axis the slabs before and after the box
 * are contiguous ranges; inside it, the next axis decides.
 */
function fillBorder(out: Float32Array, outShape: readonly number[], inner: readonly number[], before: readonly number[], value: number): void {
  const strides = denseStrides(outShape);
  // trailing axes without padding are one contiguous block per interior index of the axis before
  let last = outShape.length - 1;
  while (last > 0 && outShape[last] === inner[last]) last--;
  // TypedArray.fill for long runs (a slab of rows); a loop for short ones (a row's edge), where
  // the call costs more than it saves
  const fill = (from: number, to: number): void => {
    if (to - from > 64) out.fill(value, from, to);
    else for (let i = from; i < to; i++) out[i] = value;
  };
  const walk = (axis: number, base: number): void => {
    const s = strides[axis];
    const lo = before[axis];
    const hi = lo + inner[axis];
    fill(base, base + lo * s);
    fill(base + hi * s, base + outShape[axis] * s);
    if (axis === last) return;
    for (let i = lo; i < hi; i++) walk(axis + 1, base + i * s);
  };
  walk(0, 0);
}

/** Registers the native PadV2 on the wasm backend, falling back to wasm's for what it does not take. */
export function registerPadKernel(ctx: NativeContext): void {
  replaceWasmKernel("PadV2", (args, fallback) => {
    const { x } = args.inputs;
    const paddings = args.attrs?.paddings as Array<[number, number]> | undefined;
    const value = Number(args.attrs?.constantValue ?? 0);
    if (!x || !paddings || x.dtype !== "float32" || x.shape.length < 1 || x.shape.length > 6 || paddings.length !== x.shape.length) return fallback(args);
    if (paddings.some(([a, b]) => !(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0))) return fallback(args);
    const inShape = x.shape;
    const outShape = inShape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
    const n = outShape.reduce((a, b) => a * b, 1);
    const m = inShape.reduce((a, b) => a * b, 1);
    if (n < MIN_ELEMENTS || m === 0) return fallback(args);
    const outStrides = denseStrides(outShape);
    const what = `pad [${inShape.join(",")}] to [${outShape.join(",")}]`;
    const prim = stridedCopy(ctx, inShape, denseStrides(inShape), outStrides, what);
    if (!prim) return fallback(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const out: tf.TensorInfo = backend.makeOutput(outShape, "float32");
    // the heap view and addresses after makeOutput (an allocation may grow and move the heap)
    const offset = backend.dataIdMap.get(out.dataId)?.memoryOffset;
    if (offset === undefined) throw new Error(`nn/native: ${what}: output not in the wasm heap`);
    fillBorder(new Float32Array(backend.wasm.HEAPU8.buffer, offset, n), outShape, inShape, paddings.map((p) => p[0]), value);
    const interior = paddings.reduce((acc, p, i) => acc + p[0] * outStrides[i], 0);
    prim.run([ctx.heap.address(backend, x, what), ctx.heap.address(backend, out, what) + BigInt(4 * interior)]);
    return out;
  });
}
