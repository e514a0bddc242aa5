/**
 * The elementwise kernels of nn/native/eltwise (ReLU, ReLU's gradient, same-shape Add and Multiply)
 * on oneDNN at 1 and 2 threads against the wasm backend's own (XNNPACK/SIMD loops; the ReLU gradient
 * as tfjs's dy·cast(step(x)) composite), per tensor size, as a training step gets them: with a
 * budget of 1 thread ("t1") ReLU, Add and Multiply stay on wasm by design and only the gradient is
 * oneDNN's; with 2 ("t2") the sizes from 1 M elements go to oneDNN on 2 threads. Wall ms per call,
 * median of 40 after 5 warm-up calls.
 *
 *   node --import tsx bench/native-eltwise.ts
 *
 * "relu(add)" is tfjs's two ops, "add-relu" nn/add-relu's fused op (on wasm, where nothing native is
 * installed, the same two ops).
 *
 * Measured 2026-12-05, idle 2-core AMD EPYC VM: see eltwise.ts's WORK_PER_ELEMENT. One thread
 * never beats wasm's ReLU/Add/Multiply; two pay from about 1 M elements (a first version that
 * sent 256 K elements to oneDNN on 2 threads was 2× slower there: 0.053 vs 0.026 ms for ReLU).
 * 2026-12-06, the fused add + ReLU against the two ops, ms: 128 K 0.026 vs 0.040 (1 thread), 512 K
 * 0.096 vs 0.147, 1 M 0.20 vs 0.33 (2 threads 0.17 vs 0.28), 2 M 0.62 vs 0.96 (2 threads 0.27 vs 0.49).
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/nn/backend";
import { timeKernel } from "./time-kernel";
import { installNativeKernels, setNativeThreads, uninstallNativeKernels } from "../src/nn/native";
import { RELU_GRAD_KERNEL } from "../src/nn/relu-grad";
import { addRelu } from "../src/nn/add-relu";

async function main(): Promise<void> {
  await initBackend();
  const sizes = [1 << 15, 1 << 17, 1 << 18, 1 << 19, 1 << 20, 1 << 21];
  console.log("elements  mode   relu     relu-grad  add      mul   relu(add)  add-relu (ms per call)");
  for (const n of sizes) {
    const x = tf.randomNormal([n]);
    const y = tf.randomNormal([n]);
    for (const mode of ["wasm", "t1", "t2"] as const) {
      if (mode === "wasm") uninstallNativeKernels();
      else {
        installNativeKernels();
        setNativeThreads(mode === "t1" ? 1 : 2);
      }
      const grad = (): tf.Tensor =>
        mode === "wasm" ? tf.tidy(() => tf.mul(y, tf.cast(tf.step(x), "float32"))) : (tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: y, x }) as tf.Tensor);
      const r = [timeKernel(() => tf.relu(x)), timeKernel(grad), timeKernel(() => tf.add(x, y)), timeKernel(() => tf.mul(x, y)), timeKernel(() => tf.tidy(() => tf.relu(tf.add(x, y)))), timeKernel(() => tf.tidy(() => addRelu(x, y)))];
      console.log(`${String(n).padStart(8)}  ${mode.padEnd(5)} ${r.map((v) => v.toFixed(4).padStart(8)).join(" ")}`);
    }
    tf.dispose([x, y]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
