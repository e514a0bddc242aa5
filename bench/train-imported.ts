/**
 * Training steps of networks imported from ONNX (tests/fixtures/onnx: torchvision's ResNet-18 and
 * MobileNetV2 exported at 32×32, random weights), lifted to this project's layers, on the native
 * kernels: wall ms per step (median of 5 after 4 warm-up steps; the first builds oneDNN's
 * primitives) and tf.profile's kernels by time for one more step. Where a network leaves the
 * paper's chain + residual shape (GoogLeNet's ceil-mode pools, DenseNet's concatenations) the lift
 * refuses it, and so does this bench.
 *
 *   node --import tsx bench/train-imported.ts [--batch 128] [--threads 2] [--only mobilenet_v2]
 *
 * Measured 2026-12-06 (2-core AMD EPYC VM, batch 128, 2 threads): mobilenet_v2 220 → 147–159 ms per
 * step with nn/relu-grad's native ReLU6 gradient (tfjs's composite had LessEqual alone at 57 ms a
 * step); resnet18 193 ms (its 3×3 stride-2 pool's gradient: 6 ms, see bench/overlapping-pool.ts).
 */
import * as tf from "@tensorflow/tfjs";
import path from "node:path";
import { initBackend } from "../src/nn/backend";
import { setNativeThreads } from "../src/nn/native";
import { loadModel } from "../src/nn/load-model";
import { liftDagToArchSpec } from "../src/nn/dag-lift";
import { isDagSpec } from "../src/nn/dag";
import { buildModel } from "../src/nn/model";
import type { ArchSpec } from "../src/nn/spec";
import { MaskedSgd } from "../src/train/sgd";
import { trainStep } from "../src/train/train";
import { Rng } from "../src/util/rng";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  await initBackend();
  setNativeThreads(Number(arg("threads", "2")));
  const n = Number(arg("batch", "128"));
  for (const name of arg("only", "resnet18,mobilenet_v2").split(",")) {
    const loaded = loadModel(path.join(__dirname, "..", "tests", "fixtures", "onnx", `${name}.onnx.gz`));
    const arch: ArchSpec = isDagSpec(loaded.architecture) ? liftDagToArchSpec(loaded.architecture) : (loaded.architecture as ArchSpec);
    const model = buildModel(arch, { seed: 0 });
    const opt = new MaskedSgd({ momentum: 0.9, weightDecay: 1e-4 });
    const rng = new Rng(0);
    const size = arch.inputSize;
    const batch = {
      x: Float32Array.from({ length: n * size * size * arch.inputChannels }, () => rng.normal()),
      y: Int32Array.from({ length: n }, () => rng.int(arch.classes)),
      n,
    };
    const step = (): void => {
      const { grads } = trainStep(model, opt, batch, 0.01);
      for (const g of grads.values()) g.dispose();
    };
    const ms: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      step();
      if (i >= 4) ms.push(performance.now() - t0);
    }
    const p = await tf.profile(step);
    const byKernel = new Map<string, [number, number]>();
    for (const k of p.kernels) {
      const a = byKernel.get(k.name) ?? [0, 0];
      a[0] += k.kernelTimeMs as number;
      a[1]++;
      byKernel.set(k.name, a);
    }
    const top = [...byKernel].sort((a, b) => b[1][0] - a[1][0]).slice(0, 8).map(([k, [t, c]]) => `${k} ${c}× ${t.toFixed(1)}`);
    console.log(`${name} ${size}×${size} batch ${n}: ${ms.sort((a, b) => a - b)[2].toFixed(0)} ms per step; kernels (ms, nested custom ops twice): ${top.join(", ")}`);
    opt.dispose();
    model.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
