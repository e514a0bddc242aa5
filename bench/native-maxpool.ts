/**
 * Max pooling's forward and its window = stride gradient (nn/native/maxpool, nn/maxpool-grad) on
 * Conv-6's three 2×2 pools at batch 128, 32×32×3 input: the wasm backend's own (XNNPACK forward,
 * the six-pass composite gradient) against oneDNN at a budget of 1 and 2 threads (with 1, the
 * forward stays on wasm by design). Wall ms per call, median of 30 after 5 warm-up calls.
 *
 *   node --import tsx bench/native-maxpool.ts
 *
 * Measured 2026-12-06, idle 2-core AMD EPYC VM (ms per call):
 *   input              mode  forward  gradient
 *   [128,32,32,64]     wasm    4.410    15.833
 *   [128,32,32,64]     t1      4.180     7.352    (forward forced native for this row only)
 *   [128,32,32,64]     t2      1.325     6.078
 *   [128,16,16,128]    wasm    1.443     7.674
 *   [128,16,16,128]    t2      0.412     2.470
 *   [128,8,8,256]      wasm    0.488     2.830
 *   [128,8,8,256]      t2      0.170     0.934
 * Per Conv-6 training step: pools 6.3 → 1.9 ms, their gradients 26.3 → 9.5 ms on 2 threads.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/nn/backend";
import { timeKernel } from "./time-kernel";
import { installNativeKernels, setNativeThreads, uninstallNativeKernels } from "../src/nn/native";
import { maxPoolWindowsBackward } from "../src/nn/maxpool-grad";

async function main(): Promise<void> {
  await initBackend();
  console.log("input              mode  forward  gradient  (ms per call)");
  for (const shape of [[128, 32, 32, 64], [128, 16, 16, 128], [128, 8, 8, 256]] as const) {
    const x = tf.randomNormal([...shape]) as tf.Tensor4D;
    const y = tf.maxPool(x, 2, 2, "valid");
    const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
    for (const mode of ["wasm", "t1", "t2"] as const) {
      if (mode === "wasm") uninstallNativeKernels();
      else {
        installNativeKernels();
        setNativeThreads(mode === "t1" ? 1 : 2);
      }
      const fwd = timeKernel(() => tf.maxPool(x, 2, 2, "valid"), 30);
      const grad = timeKernel(() => tf.tidy(() => maxPoolWindowsBackward(x, y, dy, [2, 2])), 30);
      console.log(`${`[${shape.join(",")}]`.padEnd(18)} ${mode.padEnd(5)} ${fwd.toFixed(3).padStart(7)}  ${grad.toFixed(3).padStart(8)}`);
    }
    tf.dispose([x, y, dy]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
