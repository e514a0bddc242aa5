/** Timing one tfjs call for the kernel benches (native-eltwise, native-maxpool). */
import type * as tf from "@tensorflow/tfjs";

/** Median wall ms of `runs` calls of `f` after 5 warm-up calls; each call's output is disposed. */
export function timeKernel(f: () => tf.Tensor, runs = 40): number {
  for (let i = 0; i < 5; i++) f().dispose();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const out = f();
    ts.push(performance.now() - t0);
    out.dispose();
  }
  return ts.sort((a, b) => a - b)[runs >> 1];
}
