/**
 * Convolution on oneDNN: forward, input gradient and filter gradient of tfjs's Conv2D and
 * DepthwiseConv2dNative (a grouped convolution with one input channel per group), on NHWC
 * activations and HWIO / HW·C·mult filters held in the wasm heap.
 *
 * Geometry (output size, the asymmetric 'same' padding, dilation) comes from tfjs's own
 * `computeConv2DInfo`, so the native kernels agree with the wasm/cpu ones by construction; oneDNN
 * takes the same pad values (its padding_r check uses floor division, as tfjs's 'valid' does).
 * Cost: the direct convolution's N·oh·ow·kh·kw·Ci·Co/groups MACs per pass, on oneDNN's AVX-512 JIT
 * kernels where the shape allows (its reference kernels otherwise).
 */
import * as tf from "@tensorflow/tfjs";
import { DNNL, type DnnlApi } from "./dnnl";
import { CachedPrimitive, type NativeContext } from "./primitive-cache";
import type { WasmBackendLike } from "./wasm-heap";

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
export type ConvPass = "forward" | "backwardData" | "backwardWeights";

type Pad = "same" | "valid" | number | tf.backend_util.ExplicitPadding;
type Sh4 = [number, number, number, number];


function descriptors(api: DnnlApi, c: Conv2DInfo, depthwise: boolean, anyWeights: boolean) {
  const md = (): Uint8Array => new Uint8Array(DNNL.MD_BYTES);
  const src = md();
  const dst = md();
  const wUser = md();
  const wOp = md();
  api.mdInitByTag(src, [c.batchSize, c.inChannels, c.inHeight, c.inWidth], DNNL.nhwc);
  api.mdInitByTag(dst, [c.batchSize, c.outChannels, c.outHeight, c.outWidth], DNNL.nhwc);
  if (depthwise) {
    // tfjs [kh, kw, C, mult] is oneDNN's goihw (g = C, o = mult, i = 1) in hwigo order.
    const dims = [c.inChannels, c.outChannels / c.inChannels, 1, c.filterHeight, c.filterWidth];
    api.mdInitByTag(wUser, dims, DNNL.hwigo);
    api.mdInitByTag(wOp, dims, anyWeights ? DNNL.any : DNNL.hwigo);
  } else {
    const dims = [c.outChannels, c.inChannels, c.filterHeight, c.filterWidth];
    api.mdInitByTag(wUser, dims, DNNL.hwio);
    api.mdInitByTag(wOp, dims, anyWeights ? DNNL.any : DNNL.hwio);
  }
  const i64 = (a: number, b: number): BigInt64Array => BigInt64Array.from([BigInt(a), BigInt(b)]);
  const p = c.padInfo;
  return {
    src,
    dst,
    wUser,
    wOp,
    strides: i64(c.strideHeight, c.strideWidth),
    dil: i64(c.dilationHeight - 1, c.dilationWidth - 1),
    pl: i64(p.top, p.left),
    pr: i64(p.bottom, p.right),
  };
}

/**
 * anyWeights: whether weights go through oneDNN's preferred (blocked) layout with a reorder, or are
 * used in tfjs's HWIO directly (see README.md here for the measurements). Mutable for bench/native-kernels.
 */
export const CONV_LAYOUT = { anyWeights: true };

/** Multiply-adds of one pass (the three passes cost the same). */
function convMacs(c: Conv2DInfo, depthwise: boolean): number {
  const groups = depthwise ? c.inChannels : 1;
  return (c.batchSize * c.outHeight * c.outWidth * c.filterHeight * c.filterWidth * c.inChannels * c.outChannels) / groups;
}

/**
 * oneDNN 2.6.3's AVX2 1×1 kernel computes a strided 1×1 convolution's filter gradient through a
 * unit-stride copy of x that it overruns when x has fewer than 8 channels (one AVX2 vector): the
 * heap is corrupted (glibc aborts with "munmap_chunk(): invalid pointer" or "free(): invalid next
 * size", or a later call fails with invalid_arguments). Found with ONEDNN_MAX_CPU_ISA=AVX2 on this
 * machine: every x channel count 1–7 at stride 2 and 3 (filter gradients only; the forward and input
 * gradient, stride 1, 8+ channels, SSE4.1 and AVX-512 are fine). Such calls take the next
 * implementation oneDNN offers.
 */
function stridedNarrow1x1Avx2Bug(c: Conv2DInfo, impl: string): boolean {
  return impl.startsWith("jit_1x1:avx2") && (c.strideHeight > 1 || c.strideWidth > 1) && c.inChannels < 8;
}

function buildConv(api: DnnlApi, c: Conv2DInfo, depthwise: boolean, pass: ConvPass, what: string): CachedPrimitive | null {
  const d = descriptors(api, c, depthwise, CONV_LAYOUT.anyWeights);
  const macs = convMacs(c, depthwise);
  const fwd = new Uint8Array(DNNL.OP_DESC_BYTES);
  api.convForwardInit(fwd, d.src, d.wOp, d.dst, d.strides, d.dil, d.pl, d.pr, what);
  const fwdPd = api.primitiveDesc(fwd, null, what);
  if (fwdPd === null) return null;
  if (pass === "forward") {
    return new CachedPrimitive(
      api,
      fwdPd,
      [
        { arg: DNNL.ARG_SRC, user: d.src, query: DNNL.qSrcMd, output: false },
        { arg: DNNL.ARG_WEIGHTS, user: d.wUser, query: DNNL.qWeightsMd, output: false },
        { arg: DNNL.ARG_DST, user: d.dst, query: DNNL.qDstMd, output: true },
      ],
      what,
      macs,
    );
  }
  const op = new Uint8Array(DNNL.OP_DESC_BYTES);
  if (pass === "backwardData") {
    api.convBackwardDataInit(op, d.src, d.wOp, d.dst, d.strides, d.dil, d.pl, d.pr, what);
    const pd = api.primitiveDesc(op, fwdPd, what);
    if (pd === null) return null;
    return new CachedPrimitive(
      api,
      pd,
      [
        { arg: DNNL.ARG_DIFF_DST, user: d.dst, query: DNNL.qDiffDstMd, output: false },
        { arg: DNNL.ARG_WEIGHTS, user: d.wUser, query: DNNL.qWeightsMd, output: false },
        { arg: DNNL.ARG_DIFF_SRC, user: d.src, query: DNNL.qDiffSrcMd, output: true },
      ],
      what,
      macs,
    );
  }
  api.convBackwardWeightsInit(op, d.src, d.wOp, d.dst, d.strides, d.dil, d.pl, d.pr, what);
  const pd = api.primitiveDesc(op, fwdPd, what, { avoid: (impl) => stridedNarrow1x1Avx2Bug(c, impl) });
  if (pd === null) return null;
  return new CachedPrimitive(
    api,
    pd,
    [
      { arg: DNNL.ARG_SRC, user: d.src, query: DNNL.qSrcMd, output: false },
      { arg: DNNL.ARG_DIFF_DST, user: d.dst, query: DNNL.qDiffDstMd, output: false },
      { arg: DNNL.ARG_DIFF_WEIGHTS, user: d.wUser, query: DNNL.qDiffWeightsMd, output: true },
    ],
    what,
    macs,
  );
}

function convKey(c: Conv2DInfo, depthwise: boolean, pass: ConvPass): string {
  const p = c.padInfo;
  return [
    depthwise ? "dw" : "conv",
    CONV_LAYOUT.anyWeights ? "any" : "plain",
    pass,
    c.batchSize,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.outChannels,
    c.filterHeight,
    c.filterWidth,
    c.strideHeight,
    c.strideWidth,
    c.dilationHeight,
    c.dilationWidth,
    p.top,
    p.bottom,
    p.left,
    p.right,
  ].join(",");
}

function describe(c: Conv2DInfo, depthwise: boolean, pass: ConvPass): string {
  const kind = depthwise ? "depthwise conv" : "conv";
  return `${kind} ${pass} x [${c.batchSize},${c.inHeight},${c.inWidth},${c.inChannels}] filter ${c.filterHeight}×${c.filterWidth}→${c.outChannels} stride ${c.strideHeight},${c.strideWidth}`;
}

/** Conv geometry of a kernel call; null when it is not one the native path takes (dtype, layout, empty). */
export function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: { strides: number | [number, number]; pad: Pad; dilations?: number | [number, number]; dimRoundingMode?: "floor" | "round" | "ceil"; dataFormat?: string },
  depthwise: boolean,
): Conv2DInfo | null {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== "NHWC") return null;
  const c = tf.backend_util.computeConv2DInfo(
    xShape as Sh4,
    filterShape as Sh4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
  const sizes = [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outChannels, c.outHeight, c.outWidth];
  if (sizes.some((s) => s <= 0)) return null;
  // oneDNN requires out = ⌊(in + pads − effective kernel) / stride⌋ + 1; tfjs breaks it for a
  // numeric pad with unequal strides (its output width uses the height stride), so such calls keep
  // the wasm kernel and its semantics.
  const p = c.padInfo;
  const fits = (inp: number, out: number, lo: number, hi: number, k: number, s: number): boolean =>
    lo >= 0 && hi >= 0 && Math.floor((inp + lo + hi - k) / s) + 1 === out;
  if (!fits(c.inHeight, c.outHeight, p.top, p.bottom, c.effectiveFilterHeight, c.strideHeight)) return null;
  if (!fits(c.inWidth, c.outWidth, p.left, p.right, c.effectiveFilterWidth, c.strideWidth)) return null;
  return c;
}

/**
 * Runs one convolution pass; `a` and `b` are the pass's two inputs in tfjs's order (forward: x,
 * filter; backwardData: dy, filter; backwardWeights: x, dy). Null when oneDNN has no implementation
 * for this shape (the caller then uses the wasm kernel).
 */
export function runConv(
  ctx: NativeContext,
  backend: WasmBackendLike,
  c: Conv2DInfo,
  depthwise: boolean,
  pass: ConvPass,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): tf.TensorInfo | null {
  const key = convKey(c, depthwise, pass);
  const prim = ctx.cache.get(key, convMacs(c, depthwise), () => buildConv(ctx.api, c, depthwise, pass, describe(c, depthwise, pass)));
  if (prim === null) return null;
  const outShape =
    pass === "forward"
      ? [c.batchSize, c.outHeight, c.outWidth, c.outChannels]
      : pass === "backwardData"
        ? [c.batchSize, c.inHeight, c.inWidth, c.inChannels]
        : depthwise
          ? [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels / c.inChannels]
          : [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
  const out = backend.makeOutput(outShape, "float32");
  // addresses after makeOutput: the allocation may have grown (and moved) the heap
  prim.run([ctx.heap.address(backend, a, prim.what), ctx.heap.address(backend, b, prim.what), ctx.heap.address(backend, out, prim.what)]);
  return out;
}
