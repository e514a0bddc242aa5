/**
 * BatchMatMul on oneDNN's matmul primitive (its AVX-512 sgemm): C[b] = op(A[b])·op(B[b]) for
 * rank-2 or equal-batch rank-3 float32 operands, transposes expressed as strides (no copy), so the
 * dense layers and nn/gradients' reductions as `matMul(ones, X)` run threaded. Cost: B·M·N·K MACs.
 * Products under MIN_MACS stay on wasm (the FFI call and the primitive look-up, ~5 µs, would
 * dominate), as do broadcast batches and other dtypes.
 */
import * as tf from "@tensorflow/tfjs";
import { replaceWasmKernel } from "../wasm-kernel";
import { DNNL } from "./dnnl";
import { CachedPrimitive, type NativeContext } from "./primitive-cache";
import type { WasmBackendLike } from "./wasm-heap";

export const NATIVE_MATMUL_KERNELS = ["BatchMatMul"];

/** Smallest product (B·M·N·K multiply-adds) that goes native. */
export const MIN_MACS = 1 << 15;

function build(ctx: NativeContext, B: number, M: number, N: number, K: number, tA: boolean, tB: boolean, what: string): CachedPrimitive | null {
  const { api } = ctx;
  const md = (): Uint8Array => new Uint8Array(DNNL.MD_BYTES);
  const a = md();
  const b = md();
  const c = md();
  // A is stored [B, M, K] (or [B, K, M] when transposed); oneDNN sees logical [B, M, K] with strides.
  api.mdInitByStrides(a, [B, M, K], tA ? [M * K, 1, M] : [M * K, K, 1]);
  api.mdInitByStrides(b, [B, K, N], tB ? [K * N, 1, K] : [K * N, N, 1]);
  api.mdInitByStrides(c, [B, M, N], [M * N, N, 1]);
  const op = new Uint8Array(DNNL.OP_DESC_BYTES);
  api.matmulInit(op, a, b, c, what);
  const pd = api.primitiveDesc(op, null, what);
  if (pd === null) return null;
  return new CachedPrimitive(
    api,
    pd,
    [
      { arg: DNNL.ARG_SRC, user: a, query: DNNL.qSrcMd, output: false },
      { arg: DNNL.ARG_WEIGHTS, user: b, query: DNNL.qWeightsMd, output: false },
      { arg: DNNL.ARG_DST, user: c, query: DNNL.qDstMd, output: true },
    ],
    what,
    B * M * N * K,
  );
}

/** Registers the native BatchMatMul on the wasm backend, falling back to wasm's for what it does not take. */
export function registerMatMulKernel(ctx: NativeContext): void {
  replaceWasmKernel("BatchMatMul", (args, fallback) => {
    const { a, b } = args.inputs;
    const tA = Boolean(args.attrs?.transposeA);
    const tB = Boolean(args.attrs?.transposeB);
    if (!a || !b || a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length !== b.shape.length || a.shape.length < 2 || a.shape.length > 3) {
      return fallback(args);
    }
    const r = a.shape.length;
    const B = r === 3 ? a.shape[0] : 1;
    if (r === 3 && b.shape[0] !== B) return fallback(args);
    const M = tA ? a.shape[r - 1] : a.shape[r - 2];
    const K = tA ? a.shape[r - 2] : a.shape[r - 1];
    const K2 = tB ? b.shape[r - 1] : b.shape[r - 2];
    const N = tB ? b.shape[r - 2] : b.shape[r - 1];
    if (K !== K2 || B * M * N * K < MIN_MACS || M * N * K === 0) return fallback(args);
    const key = `${B},${M},${N},${K},${tA},${tB}`;
    const prim = ctx.cache.get(`matmul ${key}`, B * M * N * K, () => build(ctx, B, M, N, K, tA, tB, `matmul [${B}×${M}×${K}]·[${K}×${N}]${tA ? " Aᵀ" : ""}${tB ? " Bᵀ" : ""}`));
    if (prim === null) return fallback(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(r === 3 ? [B, M, N] : [M, N], "float32");
    prim.run([ctx.heap.address(backend, a, prim.what), ctx.heap.address(backend, b, prim.what), ctx.heap.address(backend, out, prim.what)]);
    return out;
  });
}

/**
 * BatchMatMul's gradient with transpose flags instead of nn/gradients' explicit transposes, which
 * suit XNNPACK (it takes no flags) but here only copy: Conv-6's first dense layer paid 9.5 ms per
 * step transposing its [4096,256] weight on wasm, single-threaded, where the native kernel reads
 * the transpose as strides. Rank 2 only (what the models use); other ranks keep the previous
 * gradient. The products are again BatchMatMuls, so second order goes through this gradient too.
 */
export function registerNativeMatMulGradient(): void {
  const previous = tf.getGradient("BatchMatMul");
  tf.registerGradient({
    kernelName: "BatchMatMul",
    inputsToSave: ["a", "b"],
    gradFunc: (dyIn, saved, attrs) => {
      const [a, b] = saved as tf.Tensor2D[];
      if (a.rank !== 2 || b.rank !== 2) return previous.gradFunc(dyIn, saved, attrs);
      const dy = dyIn as tf.Tensor2D;
      const tA = Boolean(attrs.transposeA);
      const tB = Boolean(attrs.transposeB);
      // C = op(A)·op(B): dA = dC·op(B)ᵀ (transposed back when A was), dB likewise
      if (!tA && !tB) return { a: () => tf.matMul(dy, b, false, true), b: () => tf.matMul(a, dy, true, false) };
      if (tA && !tB) return { a: () => tf.matMul(b, dy, false, true), b: () => tf.matMul(a, dy, false, false) };
      if (!tA && tB) return { a: () => tf.matMul(dy, b, false, false), b: () => tf.matMul(dy, a, true, false) };
      return { a: () => tf.matMul(b, dy, true, true), b: () => tf.matMul(dy, a, true, true) };
    },
  });
}
