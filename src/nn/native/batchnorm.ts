/**
 * Training-mode BatchNorm on oneDNN's batch_normalization primitive, registered as the wasm
 * backend's BatchNorm kernels that nn/batchnorm-ops' `batchNormTrain` looks for
 * (`BATCHNORM_KERNELS`; contract there). One threaded pass each way replaces ~20 small
 * single-threaded wasm kernels (reductions, channel broadcasts, elementwise ops), and tensors stay in
 * the wasm heap.
 *
 * Forward: oneDNN's forward-training pass, which computes the batch mean and the biased variance
 * (two-pass: centred, like the composite) and normalises by 1/√(σ² + ε) with scale γ and shift β.
 *
 * Backward: oneDNN's backward pass (dx, dγ, dβ from the saved mean and variance).
 *
 * Fused with the ReLU that follows (`BATCHNORM_RELU_KERNELS`, oneDNN's fuse_norm_relu): the forward
 * writes max(y, 0) and a 1-bit-per-element mask (oneDNN's workspace, kept as a tfjs bool tensor),
 * the backward applies the mask to dy inside its pass. That saves ReLU's two passes over the
 * activation (forward, and the gradient's read of x and dy) and two kernel dispatches per layer.
 *
 * Layout: tfjs's channels-last tensors as oneDNN's channels-last tags ([N,H,W,C] → nhwc,
 * [N,D,H,W,C] → ndhwc, other ranks as 4-D nhwc views), worked on channel-blocked where C is off the
 * jit kernels' vector width (`workingLayout`); statistics over every axis but C as in the composite; oneDNN normalises by 1/√(σ² + ε) with the biased variance σ², as
 * the composite does.
 */
import * as tf from "@tensorflow/tfjs";
import { BATCHNORM_INFER_KERNEL, BATCHNORM_KERNELS, BATCHNORM_RELU_KERNELS } from "../batchnorm-ops";
import { DNNL, type DnnlApi, type Handle } from "./dnnl";
import { CachedPrimitive, execArgOperand, type NativeContext } from "./primitive-cache";
import type { WasmBackendLike } from "./wasm-heap";

export const NATIVE_BATCHNORM_KERNELS: string[] = [
  BATCHNORM_KERNELS.forward,
  BATCHNORM_KERNELS.backward,
  BATCHNORM_RELU_KERNELS.forward,
  BATCHNORM_RELU_KERNELS.backward,
  BATCHNORM_INFER_KERNEL,
];

/**
 * Work per element for the thread cap (CachedPrimitive's MACS_PER_THREAD): training passes get a
 * second thread from 1 M elements, as the elementwise kernels do. Below that the second thread's
 * wake-up and the phases' joins cost more than it saves: ResNet-20's [128,8,8,64] inside the 2-thread
 * step (ONEDNN_VERBOSE, two runs, ms per call, 1 thread / 2 threads) forward 0.31 / 0.41, backward
 * 0.42 / 0.43; from 1 M elements two pay: [128,16,16,32] forward 0.64 / 0.47, backward 0.88 / 0.53.
 */
const TRAIN_WORK_PER_ELEMENT = 4;
/** Inference: one read and one write per element; 2 threads from 512 K elements (not re-measured). */
const INFER_WORK_PER_ELEMENT = 8;

const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const FLAGS = DNNL.bnUseScale | DNNL.bnUseShift;

/**
 * oneDNN's implementation, by name prefix (its first choice where this one is missing). oneDNN 2.6
 * picks `bnorm_jit` for channels-last data, whose threads meet at spin barriers between the
 * statistics and the normalisation: on 2 threads a pass stalls for milliseconds whenever one
 * thread is descheduled (1 call in ~20 inside an idle machine's training step; with two other busy
 * processes a 128×32×32×16 forward took 17.5 ms instead of 2.0 on 1 thread). `bnorm_tbb_jit` (the
 * same AVX-512 kernels, written for runtimes without barriers: each phase its own parallel loop)
 * does not stall: see README "Training BatchNorm" for the figures. `SNN_BN_IMPL` overrides it (a
 * bench knob: `bnorm_jit`, `nspc_bnorm`, …).
 */
const IMPLEMENTATION = process.env.SNN_BN_IMPL || "bnorm_tbb_jit";

/**
 * oneDNN dims and tag of a channels-last tensor (C second in oneDNN's logical order), always 4-D or
 * 5-D: [N,L,C] as [N,C,1,L] and [M,C] (or rank 6+, flattened) as [M,C,1,1] in nhwc, the same bytes
 * and the same statistics, so that every rank can use the channel-blocked jit kernels, which
 * oneDNN 2.6 has for 4-D and 5-D data only.
 */
function dataLayout(shape: readonly number[]): { dims: number[]; tag: number } {
  const C = shape[shape.length - 1];
  if (shape.length === 5) return { dims: [shape[0], C, shape[1], shape[2], shape[3]], tag: DNNL.ndhwc };
  if (shape.length === 4) return { dims: [shape[0], C, shape[1], shape[2]], tag: DNNL.nhwc };
  if (shape.length === 3) return { dims: [shape[0], C, 1, shape[1]], tag: DNNL.nhwc };
  return { dims: [shape.reduce((a, b) => a * b, 1) / C, C, 1, 1], tag: DNNL.nhwc };
}

function mdOf(api: DnnlApi, dims: number[], tag: number): Uint8Array {
  const md = new Uint8Array(DNNL.MD_BYTES);
  api.mdInitByTag(md, dims, tag);
  return md;
}

/** Channel-blocked tags by oneDNN rank (4, 5): blocks of 16 (AVX-512's kernels) and of 8 (AVX2's, which AVX-512 machines run too). */
const BLOCKED_TAGS: ReadonlyArray<{ block: number; tags: Readonly<Record<number, number>> }> = [
  { block: 16, tags: { 4: DNNL.nChw16c, 5: DNNL.nCdhw16c } },
  { block: 8, tags: { 4: DNNL.nChw8c, 5: DNNL.nCdhw8c } },
];

/** The blocked layouts to try for C channels, least padding first (16 on a tie: the wider kernels). */
function blockedTagsFor(C: number): Array<Readonly<Record<number, number>>> {
  const padded = (b: number): number => Math.ceil(C / b) * b;
  return [...BLOCKED_TAGS].sort((a, b) => padded(a.block) - padded(b.block)).map((t) => t.tags);
}

const isJit = (impl: string): boolean => impl.includes("jit");

/**
 * The layout the primitive works in, and its descriptor: tfjs's channels-last layout when oneDNN has
 * a jit kernel for it (C a multiple of the vector width), else channels blocked by 16 or 8 (the one
 * that pads C less), which the jit kernels take for any C, with reorders from and to the
 * channels-last tensors (CachedPrimitive adds them). oneDNN's channels-last fallback for other C,
 * `nspc_bnorm` (plain C++), was 3–5× slower than the wasm composite. Training pass and gradient,
 * 1 thread, ms, channels-last fallback / blocked / composite: [128,32,32,3] 13.2 / 2.7 / 4.7,
 * [128,32,32,12] 49 / 5.8 / 9.3, [128,16,16,20] 20.5 / 2.9 / 4.1 (bench/batchnorm-layout.ts).
 */
function workingLayout(api: DnnlApi, shape: readonly number[], pdFor: (data: Uint8Array) => Handle): { data: Uint8Array; pd: Handle } {
  const { dims, tag } = dataLayout(shape);
  const plain = mdOf(api, dims, tag);
  const pd = pdFor(plain);
  if (isJit(api.implInfo(pd))) return { data: plain, pd };
  for (const tags of blockedTagsFor(shape[shape.length - 1])) {
    const blocked = tags[dims.length];
    if (blocked === undefined) break;
    const data = mdOf(api, dims, blocked);
    let bpd: Handle;
    try {
      bpd = pdFor(data);
    } catch {
      continue; // no implementation in this layout: the next one, or channels-last
    }
    if (isJit(api.implInfo(bpd))) return { data, pd: bpd };
  }
  return { data: plain, pd };
}

function forwardDesc(api: DnnlApi, data: Uint8Array, eps: number, flags: number, what: string, prop: number = DNNL.forwardTraining): Handle {
  const op = new Uint8Array(DNNL.OP_DESC_BYTES);
  api.batchNormForwardInit(op, data, eps, flags, what, prop);
  const pd = api.primitiveDesc(op, null, what, { prefer: IMPLEMENTATION });
  if (pd === null) throw new Error(`nn/native: oneDNN has no batch normalization for ${what}`);
  return pd;
}

/** The two primitives of one shape and ε (and, fused with ReLU, the mask's size). */
interface BatchNormPair {
  /** Forward with batch statistics: x, γ, β → y, mean, variance (and the ReLU mask when fused). */
  readonly forward: CachedPrimitive;
  /** Backward: x, γ, β (unread), dy, mean, variance (the mask when fused) → dx, dγ, dβ. */
  readonly backward: CachedPrimitive;
  /** Bytes of the ReLU mask (oneDNN's workspace: 1 bit per element); 0 unfused. */
  readonly maskBytes: number;
}

function build(api: DnnlApi, shape: readonly number[], eps: number, relu: boolean): BatchNormPair {
  const { dims, tag } = dataLayout(shape);
  const C = shape[shape.length - 1];
  const what = `batch norm${relu ? " + ReLU" : ""} x [${shape.join(",")}] eps ${eps}`;
  const flags = relu ? FLAGS | DNNL.bnFuseNormRelu : FLAGS;
  // operands are described in tfjs's layout (user); the primitives may work in a blocked one (data)
  const user = mdOf(api, dims, tag);
  const { data, pd: fwdPd } = workingLayout(api, shape, (md) => forwardDesc(api, md, eps, flags, `${what} (forward)`));
  const vec = mdOf(api, [C], DNNL.a);
  const work = TRAIN_WORK_PER_ELEMENT * elements(shape);
  // the mask in oneDNN's own layout, passed through untouched (a tfjs bool tensor of as many bytes)
  const mask = relu ? api.queryMd(fwdPd, DNNL.qWorkspaceMd, 0) : null;
  const maskBytes = mask === null ? 0 : api.mdBytes(mask);
  if (relu && maskBytes === 0) throw new Error(`nn/native: oneDNN gave no ReLU mask (workspace) for ${what}`);
  const maskOperand = (output: boolean) => (mask === null ? [] : [execArgOperand(DNNL.ARG_WORKSPACE, mask, output)]);
  const forward = new CachedPrimitive(
    api,
    fwdPd,
    [
      execArgOperand(DNNL.ARG_SRC, user, false),
      execArgOperand(DNNL.ARG_SCALE, vec, false),
      execArgOperand(DNNL.ARG_SHIFT, vec, false),
      execArgOperand(DNNL.ARG_DST, user, true),
      execArgOperand(DNNL.ARG_MEAN, vec, true),
      execArgOperand(DNNL.ARG_VARIANCE, vec, true),
      ...maskOperand(true),
    ],
    `${what} (forward)`,
    work,
  );
  const op = new Uint8Array(DNNL.OP_DESC_BYTES);
  api.batchNormBackwardInit(op, data, data, eps, flags, `${what} (backward)`);
  const pd = api.primitiveDesc(op, fwdPd, `${what} (backward)`, { prefer: IMPLEMENTATION });
  if (pd === null) throw new Error(`nn/native: oneDNN has no batch normalization backward for ${what}`);
  const backward = new CachedPrimitive(
    api,
    pd,
    [
      execArgOperand(DNNL.ARG_SRC, user, false),
      execArgOperand(DNNL.ARG_SCALE, vec, false),
      // oneDNN 2.6 counts the shift among the backward pass's inputs when dβ is asked for
      // (execute fails with invalid_arguments without it) but never reads it
      execArgOperand(DNNL.ARG_SHIFT, vec, false),
      execArgOperand(DNNL.ARG_DIFF_DST, user, false),
      execArgOperand(DNNL.ARG_MEAN, vec, false),
      execArgOperand(DNNL.ARG_VARIANCE, vec, false),
      ...maskOperand(false),
      execArgOperand(DNNL.ARG_DIFF_SRC, user, true),
      execArgOperand(DNNL.ARG_DIFF_SCALE, vec, true),
      execArgOperand(DNNL.ARG_DIFF_SHIFT, vec, true),
    ],
    `${what} (backward)`,
    work,
  );
  return { forward, backward, maskBytes };
}

/** The primitives for this shape and ε; `relu`: fused with the ReLU that follows. */
export function batchNormPrimitives(ctx: NativeContext, shape: readonly number[], eps: number, relu = false): BatchNormPair {
  const p = ctx.cache.get(`batch norm${relu ? " relu" : ""} ${shape.join(",")} ${eps}`, TRAIN_WORK_PER_ELEMENT * elements(shape), () => build(ctx.api, shape, eps, relu));
  if (!p) throw new Error(`nn/native: no batch normalization primitives for x [${shape.join(",")}]`);
  return p;
}

/** Inference with given statistics (running mean and variance), optionally followed by ReLU: x, γ, β, mean, variance → y. */
export function batchNormInferPrimitive(ctx: NativeContext, shape: readonly number[], eps: number, relu: boolean): CachedPrimitive {
  const work = INFER_WORK_PER_ELEMENT * elements(shape);
  const key = `batch norm inference${relu ? " relu" : ""} ${shape.join(",")} ${eps}`;
  const p = ctx.cache.get(key, work, () => {
    const api = ctx.api;
    const { dims, tag } = dataLayout(shape);
    const what = `batch norm inference${relu ? " + ReLU" : ""} x [${shape.join(",")}] eps ${eps}`;
    const user = mdOf(api, dims, tag);
    const vec = mdOf(api, [shape[shape.length - 1]], DNNL.a);
    const flags = FLAGS | DNNL.bnUseGlobalStats | (relu ? DNNL.bnFuseNormRelu : 0);
    const { pd } = workingLayout(api, shape, (md) => forwardDesc(api, md, eps, flags, what, DNNL.forwardInference));
    const operands = [
      execArgOperand(DNNL.ARG_SRC, user, false),
      execArgOperand(DNNL.ARG_SCALE, vec, false),
      execArgOperand(DNNL.ARG_SHIFT, vec, false),
      execArgOperand(DNNL.ARG_MEAN, vec, false),
      execArgOperand(DNNL.ARG_VARIANCE, vec, false),
      execArgOperand(DNNL.ARG_DST, user, true),
    ];
    return new CachedPrimitive(api, pd, operands, what, work);
  });
  if (!p) throw new Error(`nn/native: no batch normalization inference primitive for x [${shape.join(",")}]`);
  return p;
}

/** Float32 inputs by name, sized as x (x, dy, y) or as its channels (the rest); refuses anything else. */
function checkInputs(kernel: string, inputs: Record<string, tf.TensorInfo | undefined>, names: readonly string[]): tf.TensorInfo[] {
  const ts = names.map((n) => inputs[n]);
  const x = ts[0];
  if (!x || x.shape.length < 2) throw new Error(`nn/native: ${kernel} needs x of rank ≥ 2, got [${x?.shape.join(",")}]`);
  const C = x.shape[x.shape.length - 1];
  ts.forEach((t, i) => {
    if (!t || t.dtype !== "float32") throw new Error(`nn/native: ${kernel} input ${names[i]} must be a float32 tensor, got ${t?.dtype}`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    const want = names[i] === "x" || names[i] === "dy" || names[i] === "y" ? x.shape.reduce((a, b) => a * b, 1) : C;
    if (size !== want) throw new Error(`nn/native: ${kernel} input ${names[i]} [${t.shape.join(",")}] does not fit x [${x.shape.join(",")}]`);
  });
  return ts as tf.TensorInfo[];
}

/** The fused backward's mask: a bool tensor of the size the forward made for this x. */
function checkMask(kernel: string, mask: tf.TensorInfo | undefined, bytes: number, x: tf.TensorInfo): tf.TensorInfo {
  if (!mask || mask.dtype !== "bool" || mask.shape.reduce((a, b) => a * b, 1) !== bytes) {
    throw new Error(`nn/native: ${kernel} input mask must be the bool tensor [${bytes}] its forward kernel made for x [${x.shape.join(",")}], got ${mask?.dtype} [${mask?.shape.join(",")}]`);
  }
  return mask;
}

/** Registers the training BatchNorm kernels on the wasm backend: plain, or fused with the ReLU after it. */
function registerTrainingKernels(ctx: NativeContext, relu: boolean): void {
  const K = relu ? BATCHNORM_RELU_KERNELS : BATCHNORM_KERNELS;
  tf.registerKernel({
    kernelName: K.forward,
    backendName: "wasm",
    kernelFunc: (args) => {
      const [x, gamma, beta] = checkInputs(K.forward, args.inputs, ["x", "gamma", "beta"]);
      const eps = epsilonOf(K.forward, args.attrs);
      const backend = args.backend as unknown as WasmBackendLike;
      const C = x.shape[x.shape.length - 1];
      const pair = batchNormPrimitives(ctx, x.shape, eps, relu);
      const prim = pair.forward;
      const outs = [backend.makeOutput(x.shape, "float32"), backend.makeOutput([C], "float32"), backend.makeOutput([C], "float32")];
      if (relu) outs.push(backend.makeOutput([pair.maskBytes], "bool"));
      // operands in `build`'s order (x, γ, β, y, mean, variance[, mask]); addresses after every
      // makeOutput, since an allocation may have grown (and moved) the heap
      prim.run([x, gamma, beta, ...outs].map((t) => ctx.heap.address(backend, t, prim.what)));
      return outs;
    },
  });
  tf.registerKernel({
    kernelName: K.backward,
    backendName: "wasm",
    kernelFunc: (args) => {
      const names = ["x", "gamma", "dy", "mean", "variance", ...(relu ? ["y"] : [])];
      const [x, gamma, dy, mean, variance] = checkInputs(K.backward, args.inputs, names);
      const eps = epsilonOf(K.backward, args.attrs);
      const backend = args.backend as unknown as WasmBackendLike;
      const pair = batchNormPrimitives(ctx, x.shape, eps, relu);
      const mask = relu ? [checkMask(K.backward, args.inputs.mask, pair.maskBytes, x)] : [];
      const prim = pair.backward;
      const outs = [backend.makeOutput(x.shape, "float32"), backend.makeOutput(gamma.shape, "float32"), backend.makeOutput(gamma.shape, "float32")];
      // operands in `build`'s order, γ again as the unread shift; addresses after makeOutput
      prim.run([x, gamma, gamma, dy, mean, variance, ...mask, ...outs].map((t) => ctx.heap.address(backend, t, prim.what)));
      return outs;
    },
  });
}

/** Registers every BatchNorm kernel on the wasm backend: training, training + ReLU, evaluation. */
export function registerBatchNormKernels(ctx: NativeContext): void {
  registerTrainingKernels(ctx, false);
  registerTrainingKernels(ctx, true);
  registerBatchNormInferKernel(ctx);
}

/** Registers the evaluation BatchNorm kernel (running statistics; ReLU fused when asked) on the wasm backend. */
function registerBatchNormInferKernel(ctx: NativeContext): void {
  tf.registerKernel({
    kernelName: BATCHNORM_INFER_KERNEL,
    backendName: "wasm",
    kernelFunc: (args) => {
      const [x, gamma, beta, mean, variance] = checkInputs(BATCHNORM_INFER_KERNEL, args.inputs, ["x", "gamma", "beta", "mean", "variance"]);
      const eps = epsilonOf(BATCHNORM_INFER_KERNEL, args.attrs);
      const relu = args.attrs?.relu;
      if (typeof relu !== "boolean") throw new Error(`nn/native: ${BATCHNORM_INFER_KERNEL} needs a boolean relu attribute, got ${String(relu)}`);
      const backend = args.backend as unknown as WasmBackendLike;
      const prim = batchNormInferPrimitive(ctx, x.shape, eps, relu);
      const y = backend.makeOutput(x.shape, "float32");
      prim.run([x, gamma, beta, mean, variance, y].map((t) => ctx.heap.address(backend, t, prim.what)));
      return y;
    },
  });
}

function epsilonOf(kernel: string, attrs: tf.NamedAttrMap | undefined): number {
  const eps = Number(attrs?.epsilon);
  if (!(eps >= 0)) throw new Error(`nn/native: ${kernel} needs a non-negative epsilon attribute, got ${String(attrs?.epsilon)}`);
  return eps;
}
