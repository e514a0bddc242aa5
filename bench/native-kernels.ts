/**
 * The routes for convolution, per layer shape of Conv-6 and ResNet-20 at 32×32×3, batch 128:
 * oneDNN through koffi on pointers into the wasm heap (weights in tfjs's HWIO layout, or in
 * oneDNN's preferred blocked layout with a reorder), against XNNPACK on wasm (forward) and
 * nn/gradients' rewrites of dx and dW as forward XNNPACK convs, plus what a copy of the operands
 * between the wasm heap and host memory would cost. PyTorch's figures for the same shapes come from
 * bench/native-kernels-torch.py. Seconds per pass, median of `--reps` (CPU time at 1 thread; wall
 * time at more, so contention shows there).
 *
 *   node --import tsx bench/native-kernels.ts [--reps 5] [--threads 1] [--only conv6|resnet20] [--no-wasm]
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, describeBackend } from "../src/nn/backend";
import { conv2dInputGrad, conv2dFilterGrad } from "../src/nn/gradients";
import { setNativeThreads, uninstallNativeKernels, installNativeKernels, nativeInfo } from "../src/nn/native";
import { CONV_LAYOUT } from "../src/nn/native/conv";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);
const only = (() => {
  const i = process.argv.indexOf("--only");
  return i >= 0 ? process.argv[i + 1] : null;
})();

interface Shape {
  net: string;
  name: string;
  hw: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  /** 'same' for the 3×3 convs (PyTorch padding 1), 'valid' for the 1×1 shortcuts, as nn/model builds them */
  p: "same" | "valid";
  /** how many layers of the network have this shape */
  count: number;
}

const SHAPES: Shape[] = [
  { net: "conv6", name: "conv1 3→64 @32", hw: 32, ci: 3, co: 64, k: 3, s: 1, p: "same", count: 1 },
  { net: "conv6", name: "conv2 64→64 @32", hw: 32, ci: 64, co: 64, k: 3, s: 1, p: "same", count: 1 },
  { net: "conv6", name: "conv3 64→128 @16", hw: 16, ci: 64, co: 128, k: 3, s: 1, p: "same", count: 1 },
  { net: "conv6", name: "conv4 128→128 @16", hw: 16, ci: 128, co: 128, k: 3, s: 1, p: "same", count: 1 },
  { net: "conv6", name: "conv5 128→256 @8", hw: 8, ci: 128, co: 256, k: 3, s: 1, p: "same", count: 1 },
  { net: "conv6", name: "conv6 256→256 @8", hw: 8, ci: 256, co: 256, k: 3, s: 1, p: "same", count: 1 },
  { net: "resnet20", name: "conv1 3→16 @32", hw: 32, ci: 3, co: 16, k: 3, s: 1, p: "same", count: 1 },
  { net: "resnet20", name: "16→16 @32", hw: 32, ci: 16, co: 16, k: 3, s: 1, p: "same", count: 6 },
  { net: "resnet20", name: "16→32 s2 @32", hw: 32, ci: 16, co: 32, k: 3, s: 2, p: "same", count: 1 },
  { net: "resnet20", name: "sc 16→32 1×1 s2", hw: 32, ci: 16, co: 32, k: 1, s: 2, p: "valid", count: 1 },
  { net: "resnet20", name: "32→32 @16", hw: 16, ci: 32, co: 32, k: 3, s: 1, p: "same", count: 5 },
  { net: "resnet20", name: "32→64 s2 @16", hw: 16, ci: 32, co: 64, k: 3, s: 2, p: "same", count: 1 },
  { net: "resnet20", name: "sc 32→64 1×1 s2", hw: 16, ci: 32, co: 64, k: 1, s: 2, p: "valid", count: 1 },
  { net: "resnet20", name: "64→64 @8", hw: 8, ci: 64, co: 64, k: 3, s: 1, p: "same", count: 5 },
];

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

function time(reps: number, threads: number, fn: () => tf.Tensor): number {
  tf.dispose(fn()); // warm-up: primitive creation / JIT, XNNPACK operator packing
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    // wasm kernels (and the native ones behind them) are synchronous: no dataSync, whose 33 MB copy
    // out of the heap would dwarf the smaller layers
    const t = fn();
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    out.push(threads === 1 ? (c.user + c.system) / 1e6 : wall);
    t.dispose();
  }
  return median(out);
}

async function main(): Promise<void> {
  const reps = arg("reps", 5);
  const threads = arg("threads", 1);
  const batch = arg("batch", 128);
  const info = await initBackend("wasm");
  console.log(`backend: ${describeBackend(info)}; native: ${JSON.stringify(nativeInfo())}`);
  setNativeThreads(threads);
  const rows: string[] = [];
  const totals: Record<string, number[]> = {};
  const pad = (v: number): string => v.toFixed(4).padStart(8);
  console.log(`batch ${batch}, ${threads} thread(s), seconds per pass (${threads === 1 ? "CPU" : "wall"} time, median of ${reps})`);
  console.log("net       layer                fwd:any  plain   wasm | bwdD:any plain   wasm | bwdW:any plain   wasm | copy x+y");
  for (const sh of SHAPES) {
    if (only && sh.net !== only) continue;
    const x = tf.randomNormal([batch, sh.hw, sh.hw, sh.ci], 0, 1, "float32", 1) as tf.Tensor4D;
    const w = tf.randomNormal([sh.k, sh.k, sh.ci, sh.co], 0, 0.1, "float32", 2) as tf.Tensor4D;
    const y = tf.conv2d(x, w, sh.s, sh.p);
    const dy = tf.randomNormal(y.shape, 0, 1, "float32", 3) as tf.Tensor4D;
    const attrs = { strides: sh.s, pad: sh.p, dataFormat: "NHWC", dimRoundingMode: undefined };
    const fwd = (): tf.Tensor => tf.conv2d(x, w, sh.s, sh.p);
    const bwdD = (): tf.Tensor =>
      tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, { ...attrs, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const bwdW = (): tf.Tensor =>
      tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, { ...attrs, filterShape: w.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const r: number[] = [];
    for (const any of [true, false]) {
      CONV_LAYOUT.anyWeights = any;
      r.push(time(reps, threads, fwd), time(reps, threads, bwdD), time(reps, threads, bwdW));
    }
    CONV_LAYOUT.anyWeights = true;
    let wasm = [NaN, NaN, NaN];
    if (!flag("no-wasm")) {
      uninstallNativeKernels();
      wasm = [
        time(Math.min(reps, 3), 1, fwd),
        time(Math.min(reps, 3), 1, () => conv2dInputGrad(x.shape, dy, w, [sh.s, sh.s], sh.p)),
        time(Math.min(reps, 3), 1, () => conv2dFilterGrad(x, dy, w.shape, [sh.s, sh.s], sh.p)),
      ];
      installNativeKernels();
    }
    // a copy out of the wasm heap and back (what a host-memory route would add per pass)
    const hostX = new Float32Array(x.size);
    const hostY = new Float32Array(y.size);
    const heapX = x.dataSync() as Float32Array;
    const heapY = y.dataSync() as Float32Array;
    const copies: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = process.hrtime.bigint();
      hostX.set(heapX);
      hostY.set(heapY);
      copies.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    const copy = median(copies);
    rows.push(
      `${sh.net.padEnd(9)} ${sh.name.padEnd(18)} ${pad(r[0])}${pad(r[3])}${pad(wasm[0])} |${pad(r[1])}${pad(r[4])}${pad(wasm[1])} |${pad(r[2])}${pad(r[5])}${pad(wasm[2])} |${pad(copy)}`,
    );
    console.log(rows[rows.length - 1]);
    const tot = (totals[sh.net] ??= [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const all = [r[0], r[1], r[2], r[3], r[4], r[5], wasm[0], wasm[1], wasm[2], copy];
    for (let i = 0; i < all.length; i++) tot[i] += sh.count * all[i];
    tf.dispose([x, w, y, dy]);
  }
  for (const [net, t] of Object.entries(totals)) {
    console.log(
      `${net} total (all layers, fwd+bwdD+bwdW): oneDNN any ${(t[0] + t[1] + t[2]).toFixed(3)} s, plain ${(t[3] + t[4] + t[5]).toFixed(3)} s, wasm ${(t[6] + t[7] + t[8]).toFixed(3)} s; copies ${t[9].toFixed(4)} s per pass`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
