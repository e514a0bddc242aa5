/**
 * Replacing one of the tfjs wasm backend's kernels by a faster one that handles part of its inputs
 * and hands the rest back to wasm's own kernel (nn/native's oneDNN kernels, nn/gradients' shared
 * Identity). Gradients are keyed by kernel name, so a replacement keeps the original's gradient.
 */
import * as tf from "@tensorflow/tfjs";

type KernelArgs = Parameters<tf.KernelFunc>[0];
type KernelResult = ReturnType<tf.KernelFunc>;

/** Runs wasm's own kernel; `what` names the inputs in the error thrown when wasm has none. */
export type WasmFallback = (args: KernelArgs, what?: string) => KernelResult;

/**
 * Registers `kernel` as the wasm backend's `name`, replacing wasm's own (which `kernel` receives as
 * its fallback). Where wasm has no such kernel, the fallback throws, naming the kernel and `what`.
 *
 * @example
 *   replaceWasmKernel("Slice", (args, fallback) => (canTake(args) ? nativeSlice(args) : fallback(args)));
 */
export function replaceWasmKernel(name: string, kernel: (args: KernelArgs, fallback: WasmFallback) => KernelResult): void {
  const original = tf.getKernel(name, "wasm");
  if (original) tf.unregisterKernel(name, "wasm");
  const fallback: WasmFallback = (args, what) => {
    if (original) return original.kernelFunc(args);
    throw new Error(`nn: ${name} has no wasm kernel and its replacement cannot take ${what ?? "these inputs"}`);
  };
  tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: (args) => kernel(args, fallback) });
}
