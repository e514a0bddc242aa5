/**
 * The gradient of an overlapping max pool — torchvision ResNets' stem, 3×3 stride 2 with padding 1
 * ('same' at even sizes) — which nn/gradients computes one window offset at a time (strided slice,
 * compare with the pooled output, spread back), and one StridedSlice of it alone: wasm's kernels
 * (native ones uninstalled) against nn/native (StridedSlice as a threaded oneDNN reorder) at 1 and
 * 2 threads. Wall ms per call, median of 20 after 5 warm-up calls.
 *
 *   node --import tsx bench/overlapping-pool.ts
 *
 * Measured 2026-12-06, 2-core AMD EPYC VM (ms per call), gradient / one strided slice:
 *   [64,32,32,64]    wasm 1514 / 156.7   native 1 thread 212 / 0.30   2 threads 182 / 0.14
 *   [128,16,16,64]   wasm  781 /  57.4   native 1 thread  85 / 0.10   2 threads  78 / 0.10
 * What is left of the gradient is the rest of the composite on wasm: Pack (the zero insertion),
 * Equal, Slice, PadV2 and Add, nine offsets each.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/nn/backend";
import { timeKernel } from "./time-kernel";
import { installNativeKernels, setNativeThreads, uninstallNativeKernels } from "../src/nn/native";

async function main(): Promise<void> {
  await initBackend();
  console.log("input              mode  gradient  strided slice  (ms per call)");
  for (const shape of [[64, 32, 32, 64], [128, 16, 16, 64]] as const) {
    const x = tf.randomNormal([...shape]) as tf.Tensor4D;
    const [N, H, W, C] = shape;
    const xp = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const grad = tf.grad((xi: tf.Tensor) => tf.maxPool(xi as tf.Tensor4D, 3, 2, "same"));
    for (const mode of ["wasm", "t1", "t2"] as const) {
      if (mode === "wasm") uninstallNativeKernels();
      else {
        installNativeKernels();
        setNativeThreads(mode === "t1" ? 1 : 2);
      }
      const g = timeKernel(() => grad(x), 20);
      const s = timeKernel(() => tf.stridedSlice(xp, [0, 1, 2, 0], [N, H, W + 1, C], [1, 2, 2, 1]), 20);
      console.log(`${`[${shape.join(",")}]`.padEnd(18)} ${mode.padEnd(5)} ${g.toFixed(2).padStart(8)}  ${s.toFixed(2).padStart(13)}`);
    }
    tf.dispose([x, xp]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
