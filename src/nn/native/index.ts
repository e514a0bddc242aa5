/**
 * Native kernels behind the tfjs wasm backend: convolutions (and their gradients), matrix
 * products and training BatchNorm on oneDNN, threaded, with tensors left in the wasm heap. Models,
 * pruners, training and checkpoints are unchanged above the kernels.
 *
 * `installNativeKernels` is called by nn/backend when the wasm backend is chosen. Where oneDNN is
 * missing or fails to load, it prints one message saying what is lost and everything runs on the
 * wasm kernels. `SNN_NATIVE=0` turns the native kernels off (no message).
 *
 * @example
 *   await initBackend();               // installs the native kernels when oneDNN loads
 *   setNativeThreads(2);               // OpenMP threads for the next kernels
 *   nativeInfo();                      // { active: true, library: "oneDNN 2.6.3 (...)", threads: 2 }
 */
import os from "node:os";
import * as tf from "@tensorflow/tfjs";
import { DNNL_INSTALL_HINT, loadDnnl, type DnnlApi } from "./dnnl";
import { registerConvKernels, NATIVE_CONV_KERNELS } from "./conv-kernels";
import { registerNativeConvGradients } from "./conv-gradients";
import { registerMatMulKernel, registerNativeMatMulGradient, NATIVE_MATMUL_KERNELS } from "./matmul";
import { registerBatchNormKernels, NATIVE_BATCHNORM_KERNELS } from "./batchnorm";
import { registerSliceKernel, NATIVE_SLICE_KERNELS } from "./slice";
import { registerPadKernel, NATIVE_PAD_KERNELS } from "./pad";
import { registerEltwiseKernels, NATIVE_ELTWISE_KERNELS, NATIVE_ELTWISE_NEW_KERNELS } from "./eltwise";
import { registerMaxPoolKernels, NATIVE_MAXPOOL_KERNELS, NATIVE_MAXPOOL_NEW_KERNELS } from "./maxpool";
import { registerReluGradient } from "../relu-grad";
import { registerAddReluGradient } from "../add-relu";
import { registerMaxPoolGradGradient } from "../maxpool-grad";
import { PrimitiveCache } from "./primitive-cache";

export { nativeRunCount, nativeRunSeconds } from "./primitive-cache";
import { WasmHeap } from "./wasm-heap";

export interface NativeInfo {
  /** Whether the native kernels are registered now. */
  readonly active: boolean;
  /** "oneDNN 2.6.3 (/usr/lib/..., avx512_core_bf16)" when loaded: version, file, the instruction set its kernels use. */
  readonly library?: string;
  readonly threads: number;
  /** Why they are not active (missing library, SNN_NATIVE=0, not on wasm). */
  readonly reason?: string;
}

interface Installed {
  api: DnnlApi;
  kernels: tf.KernelConfig[];
  gradients: tf.GradConfig[];
}

let installed: Installed | null = null;
let api: DnnlApi | null = null;
let loadError: string | null = null;
let warned = false;
let threads = defaultThreads();

/** The machine's cores. */
export function machineCores(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/**
 * What `threads` defaults to everywhere: `SNN_THREADS` when set (the grid sets it for its worker
 * processes so that workers × threads stays within the cores), else the machine's cores.
 * @throws when SNN_THREADS is not a positive integer.
 */
export function defaultThreads(): number {
  const env = process.env.SNN_THREADS;
  if (env === undefined || env === "") return machineCores();
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw new Error(`nn/native: SNN_THREADS must be a positive integer, got '${env}'`);
  return n;
}

function loadOnce(): DnnlApi | null {
  if (api || loadError) return api;
  try {
    api = loadDnnl();
    api.budget = threads;
  } catch (err) {
    loadError = (err as Error).message;
  }
  return api;
}

/** The wasm kernels the native ones replace (restored by uninstall). */
const REPLACED = [...NATIVE_CONV_KERNELS, ...NATIVE_MATMUL_KERNELS, ...NATIVE_SLICE_KERNELS, ...NATIVE_PAD_KERNELS, ...NATIVE_ELTWISE_KERNELS, ...NATIVE_MAXPOOL_KERNELS];

const GRADIENTS = ["Relu", "Relu6", "BatchMatMul", "Conv2D", "Conv2DBackpropFilter", "DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter"];

/**
 * Registers the native kernels on the wasm backend (idempotent). Returns what happened; never
 * throws for a missing library (the wasm kernels stay), only prints the one message about it.
 */
export function installNativeKernels(): NativeInfo {
  if (installed) return nativeInfo();
  if (process.env.SNN_NATIVE === "0") return nativeInfo();
  const a = loadOnce();
  if (!a) {
    if (!warned) {
      warned = true;
      console.warn(
        `${loadError}. Training and data-driven pruning run on the single-threaded wasm kernels instead ` +
          `(3–6× slower per step on convolutional nets, one core only); ${DNNL_INSTALL_HINT}.`,
      );
    }
    return nativeInfo();
  }
  const kernels = REPLACED.map((n) => tf.getKernel(n, "wasm")).filter((k): k is tf.KernelConfig => k !== undefined);
  const gradients = GRADIENTS.map((n) => tf.getGradient(n)).filter((g): g is tf.GradConfig => g !== undefined);
  const ctx = { api: a, heap: new WasmHeap(a.koffi), cache: new PrimitiveCache(a) };
  registerConvKernels(ctx);
  registerMatMulKernel(ctx);
  registerBatchNormKernels(ctx);
  registerSliceKernel(ctx);
  registerPadKernel(ctx);
  registerEltwiseKernels(ctx);
  registerMaxPoolKernels(ctx);
  registerNativeConvGradients();
  registerMaxPoolGradGradient();
  registerReluGradient();
  registerAddReluGradient();
  registerNativeMatMulGradient();
  installed = { api: a, kernels, gradients };
  return nativeInfo();
}

/**
 * Restores the wasm kernels and the gradients that were registered before `installNativeKernels`
 * (for before/after comparisons in one process).
 */
export function uninstallNativeKernels(): void {
  if (!installed) return;
  // the BatchNorm and ReLU-gradient kernels have no wasm original: unregistering them sends
  // batchNormTrain and reluBackward back to their composites
  for (const n of [...REPLACED, ...NATIVE_BATCHNORM_KERNELS, ...NATIVE_ELTWISE_NEW_KERNELS, ...NATIVE_MAXPOOL_NEW_KERNELS]) {
    if (tf.getKernel(n, "wasm")) tf.unregisterKernel(n, "wasm");
  }
  for (const k of installed.kernels) tf.registerKernel(k);
  for (const g of installed.gradients) tf.registerGradient(g);
  installed = null;
}

/**
 * Sets the number of threads the native kernels use (OpenMP); the default is the machine's cores.
 * @throws when `n` is not a positive integer.
 */
export function setNativeThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`nn/native: threads must be a positive integer, got ${n}`);
  threads = n;
  if (api) api.budget = n;
}

/**
 * Runs `fn` with the native kernels on `n` threads, then restores the previous count; `undefined`
 * keeps the current count.
 */
export function withNativeThreads<T>(n: number | undefined, fn: () => T): T {
  if (n === undefined) return fn();
  const before = threads;
  setNativeThreads(n);
  try {
    return fn();
  } finally {
    setNativeThreads(before);
  }
}

/** Threads the native kernels use. */
export function nativeThreads(): number {
  return threads;
}

/** Whether the native kernels are active, which library, how many threads, or why not. */
export function nativeInfo(): NativeInfo {
  if (installed) return { active: true, library: `oneDNN ${installed.api.version} (${installed.api.libPath}, ${installed.api.isa.name})`, threads };
  const reason = process.env.SNN_NATIVE === "0" ? "SNN_NATIVE=0" : (loadError ?? "not installed (the wasm backend is not in use)");
  return { active: false, threads, reason };
}
