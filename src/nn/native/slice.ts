/**
 * Non-contiguous float32 Slice as a oneDNN reorder from a strided view of the input to a dense
 * output. The wasm backend's Slice copies the whole input out of the heap (readSync) and then
 * copies row by row in JS: 27 ms for the gradient of ResNet-20's channel-padding shortcut (a
 * [128,16,16,32] slice of [128,16,16,64]), 15% of a training step. Contiguous slices (one block
 * copy), small ones, other dtypes and ranks above 6 stay on wasm.
 */
import * as tf from "@tensorflow/tfjs";
import { replaceWasmKernel } from "../wasm-kernel";
import type { NativeContext } from "./primitive-cache";
import { denseStrides, stridedCopy } from "./strided-copy";
import type { WasmBackendLike } from "./wasm-heap";

export const NATIVE_SLICE_KERNELS = ["Slice"];

/** Smallest output (elements) that goes native: below it the FFI calls cost more than the JS copy. */
const MIN_ELEMENTS = 4096;

/** Registers the native Slice on the wasm backend, falling back to wasm's for what it does not take. */
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
}
