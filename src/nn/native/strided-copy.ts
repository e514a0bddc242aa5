/**
 * A box of float32 elements copied between two strided views by a oneDNN reorder (threaded):
 * Slice reads a strided window of its input into a dense output, PadV2 writes a dense input into a
 * strided window of its output, the general max-pool gradient adds into one. Cached per dims and strides.
 */
import * as tf from "@tensorflow/tfjs";
import { DNNL } from "./dnnl";
import { CachedPrimitive, execArgOperand, type NativeContext } from "./primitive-cache";

/** Work per element for the thread cap (a memory-bound copy, like BatchNorm's passes). */
const WORK_PER_ELEMENT = 16;

/** Row-major strides (in elements) of a dense tensor of rank ≥ 1, the last one included (tfjs's omit it). */
export function denseStrides(shape: readonly number[]): number[] {
  return [...tf.util.computeStrides([...shape]), 1];
}

/**
 * The reorder copying `dims` elements from a view with `fromStrides` to one with `toStrides` (adding
 * them to what is there when `accumulate`); run it with the two views' first-element addresses.
 * Null where oneDNN has no reorder for it.
 */
export function stridedCopy(ctx: NativeContext, dims: readonly number[], fromStrides: readonly number[], toStrides: readonly number[], what: string, accumulate = false): CachedPrimitive | null {
  const work = WORK_PER_ELEMENT * dims.reduce((a, b) => a * b, 1);
  return ctx.cache.get(`copy [${dims.join(",")}] [${fromStrides.join(",")}] ${accumulate ? "+=" : "→"} [${toStrides.join(",")}]`, work, () => {
    const from = new Uint8Array(DNNL.MD_BYTES);
    const to = new Uint8Array(DNNL.MD_BYTES);
    ctx.api.mdInitByStrides(from, dims, fromStrides);
    ctx.api.mdInitByStrides(to, dims, toStrides);
    const pd = ctx.api.reorderDesc(from, to, what, accumulate);
    return new CachedPrimitive(
      ctx.api,
      pd,
      [
        execArgOperand(DNNL.ARG_FROM, from, false),
        execArgOperand(DNNL.ARG_TO, to, true),
      ],
      what,
      work,
    );
  });
}
