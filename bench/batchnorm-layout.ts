/**
 * Training BatchNorm + ReLU (forward pass and gradient) per channel count: oneDNN in the layout
 * nn/native/batchnorm picks (channels-last where its jit kernels take C, channel-blocked otherwise),
 * against the composite of wasm kernels (native kernels uninstalled). Kernel milliseconds per
 * pass and gradient (tf.profile, the loss's own Multiply and Sum left out), median of 5, and
 * oneDNN's implementation for the forward pass.
 *
 *   node --import tsx bench/batchnorm-layout.ts [--threads 1]
 *
 * Measured 2026-12-06 (2-core AMD EPYC VM, 1 thread), ms native / composite, before the blocked
 * layout the channels-last fallback `nspc_bnorm` took: [128,32,32,3] 2.8 / 4.7 (was 13.2),
 * [128,32,32,12] 5.8 / 9.3 (was 49), [128,16,16,20] 3.0 / 4.1 (was 20.5); C a multiple of 8 or
 * 16 is unchanged: [128,16,16,24] 1.4 / 4.6, [128,32,32,16] 3.9 / 12.4.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/nn/backend";
import { installNativeKernels, setNativeThreads, uninstallNativeKernels } from "../src/nn/native";
import { batchNormReluTrain } from "../src/nn/batchnorm-ops";
import { batchNormPrimitives } from "../src/nn/native/batchnorm";
import { loadDnnl } from "../src/nn/native/dnnl";
import { PrimitiveCache } from "../src/nn/native/primitive-cache";
import { WasmHeap } from "../src/nn/native/wasm-heap";

const SHAPES = [
  [128, 32, 32, 3],
  [128, 32, 32, 5],
  [128, 32, 32, 12],
  [128, 16, 16, 20],
  [128, 16, 16, 24],
  [128, 32, 32, 16],
  [128, 8, 8, 64],
];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function kernelMs(shape: number[]): Promise<number> {
  const C = shape[shape.length - 1];
  const x = tf.randomNormal(shape);
  const dy = tf.randomNormal(shape);
  const g = tf.ones([C]);
  const b = tf.zeros([C]);
  const f = (): Float32Array =>
    tf.tidy(() => {
      const [, dg] = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(batchNormReluTrain(xi, gi, bi, 1e-5), dy)))([x, g, b]);
      return dg.dataSync() as Float32Array;
    });
  for (let i = 0; i < 5; i++) f();
  const ts: number[] = [];
  for (let r = 0; r < 5; r++) {
    const p = await tf.profile(f);
    // nested customGrad scopes ("forward") would count their kernels twice; the loss is not BatchNorm
    ts.push(p.kernels.filter((k) => !["Multiply", "Sum", "forward"].includes(k.name)).reduce((s, k) => s + (k.kernelTimeMs as number), 0));
  }
  tf.dispose([x, dy, g, b]);
  return ts.sort((a, c) => a - c)[2];
}

async function main(): Promise<void> {
  await initBackend();
  const threads = arg("threads", 1);
  setNativeThreads(threads);
  const api = loadDnnl();
  api.budget = threads;
  const ctx = { api, heap: new WasmHeap(api.koffi), cache: new PrimitiveCache(api) };
  console.log(`training BatchNorm + ReLU, pass and gradient, kernel ms, median of 5; ${threads} thread(s)`);
  console.log("shape              native  composite  oneDNN implementation");
  for (const shape of SHAPES) {
    const native = await kernelMs(shape);
    uninstallNativeKernels();
    const composite = await kernelMs(shape);
    installNativeKernels();
    setNativeThreads(threads);
    const impl = batchNormPrimitives(ctx, shape, 1e-5, true).forward.impl;
    console.log(`${`[${shape.join(",")}]`.padEnd(18)} ${native.toFixed(2).padStart(6)}  ${composite.toFixed(2).padStart(9)}  ${impl}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
