/**
 * Evaluation throughput (the forward pass in evaluation mode that `evaluate` runs after every
 * epoch): ResNet-20 and Conv-6 on synthetic 32×32×3 images at the evaluation batch (500), 1 and 2
 * native threads, median wall ms of 5 passes after 2 warm-up passes, with tf.profile's top kernels.
 *
 *   flock /tmp/snn-heavy.lock node --import tsx bench/evaluate.ts [--only resnet20|conv6] [--wasm]
 *
 * 2026-12-06, 2-core VM, before and after in back-to-back runs, ms per pass (1 thread / 2 threads):
 *   before (BatchNorm from tfjs's broadcasting Sub, Multiply, Add on single-threaded wasm, then Relu):
 *     ResNet-20 520 / 426 (BatchNorm's three ops ≈235 of them on either thread count), Conv-6 941 / 605;
 *   after (`SnnBatchNormInfer`: one oneDNN pass with the ReLU fused):
 *     ResNet-20 325 / 211 (1.6× / 2.0×), Conv-6 806 / 441 (1.17× / 1.37×).
 *   A 10,000-image test set on 2 threads: ResNet-20 8.5 → 4.2 s, Conv-6 12.1 → 8.8 s.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, describeBackend } from "../src/nn/backend";
import { buildArchitecture } from "../src/nn/architectures";
import { buildModel } from "../src/nn/model";
import { setNativeThreads, uninstallNativeKernels } from "../src/nn/native";

async function main(): Promise<void> {
  const info = await initBackend();
  const wasm = process.argv.includes("--wasm");
  if (wasm) uninstallNativeKernels();
  console.log(`backend: ${describeBackend(info)}${wasm ? " (native kernels uninstalled: --wasm)" : ""}`);
  const only = process.argv.indexOf("--only");
  const nets = ["resnet20", "conv6"].filter((n) => only < 0 || n === process.argv[only + 1]);
  const batch = 500;
  for (const arch of nets) {
    const model = buildModel(buildArchitecture(arch, { inputSize: 32, inputChannels: 3, classes: 10 }), { seed: 0 });
    const x = tf.randomNormal([batch, 32, 32, 3]) as tf.Tensor4D;
    const pass = (): void => {
      const y = tf.tidy(() => model.forward(x, { training: false }));
      y.dataSync();
      y.dispose();
    };
    for (const threads of wasm ? [1] : [1, 2]) {
      setNativeThreads(threads);
      pass();
      pass();
      const ts: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        pass();
        ts.push(performance.now() - t0);
      }
      ts.sort((a, b) => a - b);
      const p = await tf.profile(() => tf.tidy(() => model.forward(x, { training: false })));
      const by = new Map<string, { n: number; ms: number }>();
      for (const k of p.kernels) {
        const e = by.get(k.name) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += Number(k.kernelTimeMs);
        by.set(k.name, e);
      }
      const top = [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
      console.log(`${arch} batch ${batch}, ${threads} thread(s): ${ts[2].toFixed(1)} ms per pass (a 10,000-image test set: ${((ts[2] * 10000) / batch / 1000).toFixed(1)} s); kernels: ${top.map(([n, e]) => `${n} ${e.n}× ${e.ms.toFixed(1)}`).join(", ")}`);
    }
    x.dispose();
    model.dispose();
  }
}

void main();
