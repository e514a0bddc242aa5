/**
 * Non-contiguous float32 Slice and StridedSlice as a oneDNN reorder from a strided view of the input
 * to a dense output. The wasm backend's Slice copies the whole input out of the heap (readSync) and
 * then copies row by row in JS: 27 ms for the gradient of ResNet-20's channel-padding shortcut (a
 * [128,16,16,32] slice of [128,16,16,64]), 15% of a training step. Its StridedSlice copies element
 * by element through generic index arithmetic: 88 ms for one window offset of a 3×3 stride-2 max
 * pool's gradient ([64,16,16,64] out of [64,34,34,64]), nine of which made up two thirds of a
 * torchvision ResNet-18 training step at 64×64 (nn/gradients' general max-pool gradient).
 * Contiguous slices (one block copy), small ones, other dtypes, negative strides, new or elided
 * axes and ranks above 6 stay on wasm, except strided slices that shrink axes, which wasm's kernel
 * gets wrong (below).
 */
import * as tf from "@tensorflow/tfjs";
import { replaceWasmKernel } from "../wasm-kernel";
import type { NativeContext } from "./primitive-cache";
import { denseStrides, stridedCopy } from "./strided-copy";
import type { WasmBackendLike } from "./wasm-heap";

export const NATIVE_SLICE_KERNELS = ["Slice", "StridedSlice"];

/** Smallest output (elements) that goes native: below it the FFI calls cost more than the JS copy. */
const MIN_ELEMENTS = 4096;

/** Registers the native Slice and StridedSlice on the wasm backend, falling back to wasm's for what they do not take. */
export function registerSliceKernel(ctx: NativeContext): void {
  replaceWasmKernel("Slice", (args, fallback) => {
    const { x } = args.inputs;
    const attrs = args.attrs ?? {};
    if (!x || x.dtype !== "float32" || x.shape.length < 2 || x.shape.length > 6) return fallback(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin as number[], attrs.size as number[]);
    const n = size.reduce((a, b) => a * b, 1);
    if (n < MIN_ELEMENTS || tf.slice_util.isSliceContinous(x.shape, begin, size)) return fallback(args);
    const strides = denseStrides(x.shape);
    const what = `slice [${size.join(",")}] at [${begin.join(",")}] of [${x.shape.join(",")}]`;
    const prim = stridedCopy(ctx, size, strides, denseStrides(size), what);
    if (!prim) return fallback(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(size, "float32");
    // the view starts at the first sliced element; addresses after makeOutput (heap growth)
    const offset = begin.reduce((acc, b, i) => acc + b * strides[i], 0);
    prim.run([ctx.heap.address(backend, x, what) + BigInt(4 * offset), ctx.heap.address(backend, out, what)]);
    return out;
  });
  replaceWasmKernel("StridedSlice", (args, fallback) => {
    const { x } = args.inputs;
    const a = (args.attrs ?? {}) as Record<string, unknown>;
    if (!x || x.dtype !== "float32" || x.shape.length < 2 || x.shape.length > 6 || a.ellipsisMask !== 0 || a.newAxisMask !== 0) return fallback(args);
    const info = tf.slice_util.sliceInfo(
      [...x.shape],
      a.begin as number[],
      a.end as number[],
      a.strides as number[],
      a.beginMask as number,
      a.endMask as number,
      0,
      0,
      a.shrinkAxisMask as number,
    );
    // every input axis, shrunk ones with size 1 (finalShapeSparse leaves those out)
    const dims = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
    const n = dims.reduce((p, d) => p * d, 1);
    // wasm's own kernel is a reshape or one block copy for these; with shrunk axes it returns wrong
    // elements (tfjs 4.22: x[1, 0:12, 1:10] of [11,12,12,125] started at x[1,0,0,1]), so those stay here
    const shrinks = a.shrinkAxisMask !== 0;
    if (!shrinks && (info.isIdentity || info.sliceDim0 || info.isSimpleSlice || n < MIN_ELEMENTS)) return fallback(args);
    if (n === 0 || dims.length !== x.shape.length || info.strides.some((st) => !(st > 0))) return fallback(args);
    const dense = denseStrides(x.shape);
    const view = dense.map((d, i) => d * info.strides[i]);
    // oneDNN takes a strided view only where each axis's stride spans the whole of the next axis
    // (stride × count): a step that overshoots the end (10 elements by 3: 4 × 3 > 10) breaks that
    if (view.some((st, i) => i + 1 < view.length && st < view[i + 1] * dims[i + 1])) return fallback(args);
    const what = `strided slice [${dims.join(",")}] at [${info.begin.join(",")}] step [${info.strides.join(",")}] of [${x.shape.join(",")}]`;
    const prim = stridedCopy(ctx, dims, view, denseStrides(dims), what);
    if (!prim) return fallback(args);
    const backend = args.backend as unknown as WasmBackendLike;
    // the dense copy is already laid out as the final shape (shrunk axes have size 1)
    const out = backend.makeOutput(info.finalShape, "float32");
    const offset = info.begin.reduce((acc, b, i) => acc + b * dense[i], 0);
    prim.run([ctx.heap.address(backend, x, what) + BigInt(4 * offset), ctx.heap.address(backend, out, what)]);
    return out;
  });
}
