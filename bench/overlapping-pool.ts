/**
 * The gradient of an overlapping max pool — torchvision ResNets' stem, 3×3 stride 2 with padding 1
 * ('same' at even sizes) — one window offset at a time (gather by a strided slice, compare with the
 * pooled output, add back), and one StridedSlice of it alone: wasm's kernels and nn/gradients'
 * composite (native kernels uninstalled) against nn/native (StridedSlice as a threaded oneDNN
 * reorder, the gradient as `SnnMaxPoolGradStrided`) at 1 and 2 threads. Wall ms per call, median of
 * 20 after 5 warm-up calls.
 *
 *   node --import tsx bench/overlapping-pool.ts [--step]
 *
 * `--step`: also a whole training step of torchvision's ResNet-18 (lifted from its DAG) at 64×64,
 * batch 64, 10 classes, 2 threads, median of 5 after 4 warm-up steps (the first builds oneDNN's primitives).
 *
 * Measured 2026-12-06, 2-core AMD EPYC VM (ms per call), gradient / one strided slice:
 *                    wasm           native StridedSlice only     + SnnMaxPoolGradStrided
 *                                   1 thread     2 threads       1 thread    2 threads
 *   [64,32,32,64]    1514 / 157     212 / 0.30   182 / 0.14      22.0        14.0
 *   [128,16,16,64]    781 /  57      85 / 0.10    78 / 0.10      11.1        11.2
 * --step, ResNet-18 at 64×64: 1170 ms (wasm StridedSlice) → 385 (native StridedSlice) → 280 ms.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/nn/backend";
import { timeKernel } from "./time-kernel";
import { installNativeKernels, setNativeThreads, uninstallNativeKernels } from "../src/nn/native";
import { torchvisionResnet } from "../src/nn/torchvision-resnet";
import { liftDagToArchSpec } from "../src/nn/dag-lift";
import { buildModel } from "../src/nn/model";
import { MaskedSgd } from "../src/train/sgd";
import { trainStep } from "../src/train/train";
import { Rng } from "../src/util/rng";

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
  if (process.argv.includes("--step")) {
    installNativeKernels();
    setNativeThreads(2);
    const model = buildModel(liftDagToArchSpec(torchvisionResnet("resnet18", { inputSize: 64, classes: 10 })), { seed: 0 });
    const opt = new MaskedSgd({ momentum: 0.9, weightDecay: 1e-4 });
    const rng = new Rng(0);
    const n = 64;
    const batch = { x: Float32Array.from({ length: n * 64 * 64 * 3 }, () => rng.normal()), y: Int32Array.from({ length: n }, () => rng.int(10)), n };
    const ms: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      const { grads } = trainStep(model, opt, batch, 0.01);
      for (const g of grads.values()) g.dispose();
      if (i >= 4) ms.push(performance.now() - t0);
    }
    console.log(`torchvision ResNet-18, 64×64, batch 64, 2 threads: ${ms.sort((a, b) => a - b)[2].toFixed(0)} ms per training step`);
    opt.dispose();
    model.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
