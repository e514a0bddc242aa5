/**
 * Elementwise kernels on oneDNN for the large activations of a training step: ReLU forward, ReLU's
 * and ReLU6's gradients (nn/relu-grad's `SnnReluGrad` and `SnnRelu6Grad`, one pass instead of
 * wasm's three and five), and
 * same-shape Add and Multiply (residual adds, gradient accumulation at branch points), and nn/add-relu's
 * fused max(a + b, 0) (`SnnAddRelu`: a binary add with a ReLU post-op). On wasm these
 * are single-threaded; here they run on the OpenMP threads, and a training step stops waiting on
 * one core between its threaded convolutions.
 *
 * ReLU, Add and Multiply go native only where the call gets more than one thread: on one thread
 * wasm's SIMD loops are as fast (measured), so small tensors, a budget of one thread, broadcasting and
 * other dtypes stay on wasm. The ReLU and ReLU6 gradients and the fused add + ReLU are always native
 * (one pass instead of several: bench/native-eltwise.ts, the fused op on 1 thread 0.096 ms at 512 K
 * elements and 0.62 at 2 M against 0.147 and 0.96 for wasm's Add then ReLU).
 * Results equal wasm's exactly: each output element is one float operation on the same inputs.
 */
import * as tf from "@tensorflow/tfjs";
import { ADD_RELU_KERNEL } from "../add-relu";
import { RELU6_GRAD_KERNEL, RELU_GRAD_KERNEL } from "../relu-grad";
import { sameShape } from "../tensors";
import { replaceWasmKernel } from "../wasm-kernel";
import { DNNL } from "./dnnl";
import { CachedPrimitive, execArgOperand, threadsFor, type NativeContext, type OperandSpec } from "./primitive-cache";
import type { WasmBackendLike } from "./wasm-heap";

export const NATIVE_ELTWISE_KERNELS = ["Relu", "Add", "Multiply"];
/** Kernels with no wasm original (unregistered on uninstall). */
export const NATIVE_ELTWISE_NEW_KERNELS = [RELU_GRAD_KERNEL, RELU6_GRAD_KERNEL, ADD_RELU_KERNEL];

/**
 * Work per element for the thread cap (`threadsFor`): two threads from 1 M elements. Waking the
 * second thread costs 50–70 µs here (passive OpenMP wait on a VM): bench/native-eltwise.ts, hot
 * caches, ms per call at 1 thread / 2 threads: 512 K elements ReLU 0.051 / 0.098, gradient 0.13 /
 * 0.25; 1 M ReLU 0.083 / 0.099, Add 0.140 / 0.121, gradient 0.38 / 0.26; 2 M ReLU 0.20 / 0.18,
 * Add 0.42 / 0.25, gradient 1.02 / 0.53. Inside a ResNet-20 step (colder caches) 1 M elements gain
 * too (Add 0.42 → 0.25 ms, gradient 0.65 → 0.35) and 512 K do not (gradient 0.31 → 0.30).
 */
const WORK_PER_ELEMENT = 4;

/** A flat [n] descriptor: every op here is elementwise over same-shape tensors. */
function flat(ctx: NativeContext, n: number): Uint8Array {
  const md = new Uint8Array(DNNL.MD_BYTES);
  ctx.api.mdInitByTag(md, [n], DNNL.a);
  return md;
}

/** The elementwise primitives over flat float32 buffers ("ge": 1 where a ≥ b, else 0; "add-relu": max(a + b, 0)). */
export type EltwiseKind = "relu" | "relu-grad" | "relu6-grad" | "add" | "mul" | "ge" | "add-relu";

function build(ctx: NativeContext, kind: EltwiseKind, n: number): CachedPrimitive | null {
  const md = flat(ctx, n);
  const what = `${kind} of ${n} elements`;
  const op = new Uint8Array(DNNL.OP_DESC_BYTES);
  let operands: OperandSpec[];
  let hint: ReturnType<typeof ctx.api.primitiveDesc> = null;
  if (kind === "relu") {
    ctx.api.eltwiseForwardInit(op, DNNL.eltwiseRelu, md, 0, 0, what);
    operands = [execArgOperand(DNNL.ARG_SRC, md, false), execArgOperand(DNNL.ARG_DST, md, true)];
  } else if (kind === "relu-grad" || kind === "relu6-grad") {
    // ReLU6 is clip(x, 0, 6), whose backward passes dy where 0 < x ≤ 6, tfjs's mask
    const [alg, upper] = kind === "relu-grad" ? [DNNL.eltwiseRelu, 0] : [DNNL.eltwiseClip, 6];
    // oneDNN wants the forward descriptor as a hint for a backward pass
    const fwd = new Uint8Array(DNNL.OP_DESC_BYTES);
    ctx.api.eltwiseForwardInit(fwd, alg, md, 0, upper, `${what} (forward hint)`);
    hint = ctx.api.primitiveDesc(fwd, null, `${what} (forward hint)`);
    if (hint === null) return null;
    ctx.api.eltwiseBackwardInit(op, alg, md, md, 0, upper, what);
    operands = [execArgOperand(DNNL.ARG_DIFF_DST, md, false), execArgOperand(DNNL.ARG_SRC, md, false), execArgOperand(DNNL.ARG_DIFF_SRC, md, true)];
  } else {
    ctx.api.binaryInit(op, { add: DNNL.binaryAdd, "add-relu": DNNL.binaryAdd, mul: DNNL.binaryMul, ge: DNNL.binaryGe }[kind], md, md, md, what);
    operands = [execArgOperand(DNNL.ARG_SRC, md, false), execArgOperand(DNNL.ARG_SRC_1, md, false), execArgOperand(DNNL.ARG_DST, md, true)];
  }
  const pd = ctx.api.primitiveDesc(op, hint, what, kind === "add-relu" ? { postOp: "relu" } : {});
  if (pd === null) return null;
  return new CachedPrimitive(ctx.api, pd, operands, what, WORK_PER_ELEMENT * n);
}

/** The cached primitive of `kind` over `n` elements (operands: the inputs in order, then the output); null where oneDNN has none. */
export function eltwisePrimitive(ctx: NativeContext, kind: EltwiseKind, n: number): CachedPrimitive | null {
  return ctx.cache.get(`${kind} ${n}`, WORK_PER_ELEMENT * n, () => build(ctx, kind, n));
}

function run(ctx: NativeContext, prim: CachedPrimitive, backend: WasmBackendLike, inputs: tf.TensorInfo[]): tf.TensorInfo {
  const out = backend.makeOutput(inputs[0].shape, "float32");
  // addresses after makeOutput: an allocation may have grown (and moved) the heap
  prim.run([...inputs, out].map((t) => ctx.heap.address(backend, t, prim.what)));
  return out;
}

const sizeOf = (t: tf.TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);
/** Whether a ReLU/Add/Multiply of this size is worth taking from wasm: only when it gets 2+ threads. */
const threaded = (ctx: NativeContext, n: number): boolean => threadsFor(ctx.api, WORK_PER_ELEMENT * n) > 1;

/** Registers ReLU, its gradient kernel, Add and Multiply on the wasm backend. */
export function registerEltwiseKernels(ctx: NativeContext): void {
  replaceWasmKernel("Relu", (args, fallback) => {
    const { x } = args.inputs;
    if (!x || x.dtype !== "float32" || !threaded(ctx, sizeOf(x))) return fallback(args);
    const prim = eltwisePrimitive(ctx, "relu", sizeOf(x));
    return prim ? run(ctx, prim, args.backend as unknown as WasmBackendLike, [x]) : fallback(args);
  });
  for (const [name, kind] of [
    ["Add", "add"],
    ["Multiply", "mul"],
  ] as const) {
    replaceWasmKernel(name, (args, fallback) => {
      const { a, b } = args.inputs;
      if (!a || !b || a.dtype !== "float32" || b.dtype !== "float32" || !sameShape(a.shape, b.shape) || !threaded(ctx, sizeOf(a))) return fallback(args);
      const prim = eltwisePrimitive(ctx, kind, sizeOf(a));
      return prim ? run(ctx, prim, args.backend as unknown as WasmBackendLike, [a, b]) : fallback(args);
    });
  }
  // kernels with no wasm original, native at every size (one pass instead of wasm's two to five):
  // nn/add-relu's fused max(a + b, 0) and nn/relu-grad's ReLU and ReLU6 gradients
  for (const [kernelName, kind, [first, second], what] of [
    [ADD_RELU_KERNEL, "add-relu", ["a", "b"], "binary add with a ReLU post-op"],
    [RELU_GRAD_KERNEL, "relu-grad", ["dy", "x"], "ReLU backward"],
    [RELU6_GRAD_KERNEL, "relu6-grad", ["dy", "x"], "ReLU6 (clip) backward"],
  ] as const) {
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      kernelFunc: (args) => {
        const p = args.inputs[first];
        const q = args.inputs[second];
        if (!p || !q || p.dtype !== "float32" || q.dtype !== "float32" || !sameShape(p.shape, q.shape)) {
          throw new Error(
            `nn/native: ${kernelName} needs float32 ${first} and ${second} of one shape, got ${first} ${p?.dtype} [${p?.shape.join(",")}], ${second} ${q?.dtype} [${q?.shape.join(",")}]`,
          );
        }
        const backend = args.backend as unknown as WasmBackendLike;
        const n = sizeOf(p);
        if (n === 0) return backend.makeOutput(p.shape, "float32");
        const prim = eltwisePrimitive(ctx, kind, n);
        if (!prim) throw new Error(`nn/native: oneDNN has no ${what} for ${n} elements`);
        return run(ctx, prim, backend, [p, q]);
      },
    });
  }
}
