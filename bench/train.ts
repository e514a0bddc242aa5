/**
 * Training throughput on Fashion-MNIST (28×28×1, batch 128): LeNet-5, LeNet-300-100 and Conv-6 at
 * width 1/8 on this project's tfjs backend (wasm + nn/gradients), side by side with the same
 * networks in PyTorch on CPU with one thread (bench/train-torch.py, Debian python3-torch).
 * Times are process CPU seconds per step (forward + backward + masked momentum SGD), the median of
 * `--steps` steps after 2 warm-up steps: on a shared machine CPU time is what a free core would take.
 * `--profile` adds, per network, the time of the forward pass, forward + backward, the optimizer
 * step, and tf.profile's kernel count and kernel time by op (the top 8; SNN_PROFILE_TOP=N for more).
 *
 *   flock /tmp/snn-heavy.lock node --import tsx bench/train.ts [--steps 20] [--batch 128] [--no-torch] [--only NET] [--profile] [--cifar] [--threads N] [--scaling]
 *
 * `--cifar`: LeNet-5, LeNet-300-100, full-width Conv-6 and ResNet-20 on synthetic 32×32×3 images
 * (the reference's CIFAR input at its batch 128), for the cost of a CIFAR epoch (390 steps).
 *
 * Measured on the shared 2-core dev machine (Node 20, tfjs-backend-wasm 4.22 SIMD, 1 thread, Debian
 * torch 1.13, 1 thread), three runs, both frameworks in each run:
 *   lenet5        ours 0.020–0.021 s/step (≈6,100 img/s)   torch 0.011  ratio 1.81–1.90×
 *   lenet300-100  ours 0.0062–0.0065 (≈20,200 img/s)       torch 0.0026 ratio 2.36–2.42×
 *   conv6-w8      ours 0.126 (≈1,015 img/s)                torch 0.066–0.068 ratio 1.85–1.92×
 * (before the changes of issue #5: 2.1–2.5×, 2.75–3.5×, 2.8–3.4×.)
 * Re-measured 2026-12-05 on another host of this kind, after the 2 s warm-up (a 2-step warm-up had
 * left wasm tier-up inside the timed steps: 0.0093–0.0104 s for LeNet-300-100):
 *   lenet5 0.0198 vs torch 0.0127 (1.57×), lenet300-100 0.0070 vs 0.0026 (2.67×), conv6-w8 0.115 vs 0.119 (0.96×);
 *   torch's own figures moved by up to 1.8× between runs on this shared machine, so compare within one run.
 *   --cifar (batch 128, 32×32×3): conv6 5.06 s vs torch 2.68 s (1.89×), resnet20 2.08 s vs 0.336 s (6.2×):
 *   ResNet-20's 16–64-channel convolutions run at ~10 GMAC/s in single-threaded XNNPACK (Conv2D is
 *   1.6 s of a 2.6 s step, --profile), the wall feasibility-tfjs.md measured (7.3×); a CIFAR epoch is
 *   ~14 min on one core here, ~2.2 min in PyTorch.
 * With the native kernels (issue #14, src/nn/native: oneDNN convolutions and matmuls; `--wasm` for the old path),
 * 2026-12-05, load average 17–22 on the 2 cores, same run as torch, 1 thread each (CPU s/step):
 *   lenet5 0.0329 vs torch 0.0207 (1.59×), lenet300-100 0.0046 vs 0.0350 (torch's figure inflated by the load
 *   in that run; ours was 0.0070 before), conv6-w8 0.086 vs 0.10 (0.85×);
 *   --cifar: conv6 1.41 vs 1.82 (0.77×; was 5.06 s), resnet20 0.60 vs 0.39 (1.54×; was 2.08 s): a CIFAR epoch
 *   of ResNet-20 is ~3.9 min on one core (was ~14). ResNet-20's convolutions (all three passes) now take
 *   0.22 s, as in PyTorch (bench/native-kernels.ts); the rest is BatchNorm's elementwise arithmetic and
 *   the other elementwise ops, still single-threaded wasm.
 *   --threads 2: wall times were 9× the CPU times under that load (conv6 11.1 s wall, 1.26 CPU s; torch
 *   16.3 s wall), so no 2-thread speed-up can be read off this machine in this state.
 * With native training BatchNorm and Slice, and primitives built for the thread count they run on
 * (branch nativebn), 2026-12-05 20:04–20:07, load average 1.1–1.9, torch in the same run:
 *   1 thread (CPU s): conv6 0.760 vs torch 1.710 (0.44×), resnet20 0.276 vs 0.414 (0.67×; torch was 0.318
 *   in another run); before the branch 0.902 / 0.502 (0.414 in a run at load 4–7).
 *   2 threads (wall s): conv6 0.444 vs torch 1.190, resnet20 0.189 vs 0.222; before 0.650 / 0.343.
 *   2 threads over 1 (wall/wall): conv6 1.67×, resnet20 1.42× (before 1.36×, 1.40×; torch 1.44×, 1.87×).
 *   A CIFAR epoch of ResNet-20: 108 s on 1 thread, 74 s on 2. --profile, resnet20, 1 thread:
 *   forward+backward 264 ms and 570 kernels (was 390 ms, 2628): convolutions 208 ms, BatchNorm 46 ms.
 * With native ReLU and its gradient, large Add/Multiply, PadV2, one-thread weight reorders and the
 * transpose-free matmul gradient (2026-12-05 22:45, idle machine, --cifar, all four nets at 32×32×3):
 *   1 thread (CPU s) vs torch: lenet5 0.0116 vs 0.0192 (0.61×), lenet300-100 0.0043 vs 0.106 (torch uses
 *   Debian's reference BLAS: no yardstick), conv6 0.719 vs 1.242 (0.58×), resnet20 0.260 vs 0.318 (0.82×).
 *   2 threads (wall s): lenet5 0.0108 vs 0.0242, conv6 0.435 vs 1.298, resnet20 0.188 vs 0.242 (0.77×).
 *   --scaling --steps 40, six runs: lenet5 1.18–1.24×, lenet300-100 1.32–1.42×, conv6 1.63–1.80× (four ≥ 1.77),
 *   resnet20 1.45–1.69×, median 1.53 (2-thread step 0.160–0.186 s; the 1-thread step 0.257–0.304 s between runs).
 *   train-torch.py --scaling, same method: conv6 1.56–1.59×, resnet20 1.44–1.72×.
 * With native max pooling and the Fill-based Mean gradient (2026-12-06 00:35, idle machine, torch in the same run):
 *   1 thread (CPU s) vs torch: lenet5 0.0092 vs 0.0188 (0.49×), lenet300-100 0.0044 vs 0.105, conv6 0.702 vs 1.382 (0.51×),
 *   resnet20 0.259 vs 0.332 (0.78×). 2 threads (wall s): lenet5 0.0077 vs 0.0153, conv6 0.381 vs 0.840 (0.45×),
 *   resnet20 0.153 vs 0.197 (0.78×). --scaling --steps 40, three runs: lenet5 1.16–1.26×, lenet300-100 1.27–1.34×,
 *   conv6 1.82–1.88×, resnet20 1.67× (all three).
 * With oneDNN's barrier-free batch norm (bnorm_tbb_jit; SNN_BN_IMPL=bnorm_jit for the old one), 2026-12-06 00:40, a
 *   noisier phase of the VM, --only resnet20 --scaling --steps 40, six alternating pairs: tbb 1-thread 0.250–0.271
 *   (median 0.257), 2-thread 0.157–0.164 (0.161), 1.56–1.69×; jit 0.258–0.301 (0.268), 0.158–0.186 (0.167), 1.59–1.63×.
 * Where LeNet-300-100's 6.3 ms go (--profile): 5.2 ms in its 8 matMuls, about 0.8 ms of it XNNPACK
 * re-packing the updated 784×300 weight for the forward matMul (its operator cache is keyed by
 * tensor, and the weight changes every step); 0.37 ms optimizer (fused kernel); the rest is 57
 * small kernels (transposes for the gradients, ReLU masks, loss). Against oneDNN's AVX-512 GEMMs
 * (~27 GMAC/s vs ~17 here) ≈2× is the floor on this backend.
 * With BatchNorm + ReLU fused (oneDNN fuse_norm_relu) and PyTorch's padding passed to the convolutions
 *   (no PadV2; that alone: resnet20 2-thread step 0.150–0.154 → 0.145–0.148 s), 2026-12-06 02:20, --scaling --steps 40
 *   alternating with the code just before the fusion, two runs each:
 *   conv6 1.87 / 1.83× (before 1.83 / 1.80×), resnet20 1.71 / 1.68× (before 1.67 / 1.65×); steps 4–8 % shorter
 *   (conv6 2 threads 0.366 / 0.384 s vs 0.396 / 0.407, resnet20 0.148 / 0.144 vs 0.160 / 0.150). 02:35, a noisier
 *   phase (torch 1.3–1.4× its quiet figures): 1 thread conv6 0.742 vs torch 1.939 (0.38×), resnet20 0.291 vs 0.436
 *   (0.67×); 2 threads conv6 0.425 vs 1.084, resnet20 0.156 vs 0.267 (0.58×); --scaling: conv6 1.87–1.89×,
 *   resnet20 1.57–1.66×.
 * 2026-12-06 03:35–04:20, a noisy phase (the same 1-thread ResNet-20 step 0.24–0.32 s minutes apart), --scaling --steps 40:
 *   resnet20 1.44–1.72× over 13 runs (median 1.65); alternating with train-torch.py --scaling in the same minutes,
 *   ours conv6 1.76 / 1.88×, resnet20 1.72 / 1.66× against torch's own conv6 1.64 / 1.71×, resnet20 1.70 / 1.69×
 *   (2-thread steps: ours resnet20 0.173 / 0.154 s, torch 0.227 / 0.211 s). With every oneDNN call made a no-op
 *   (an experiment, not code) the 2-thread step takes 8–9 ms: what is left of it is oneDNN's own scaling.
 *   OpenMP spinning (GOMP_SPINCOUNT 1000 / 3000 / 30000 ≈ 21 / 63 / 630 µs of spinning here) against passive waiting,
 *   alternating runs: --scaling, resnet20: passive 1.44–1.71× (7 runs), 1000 1.53–1.61× (4), 3000 1.44–1.74× (7),
 *   30000 1.63–1.74× (3); the 2-thread step alone (5 rounds): passive 0.155–0.186 s, 3000 0.146–0.161 s (shorter in
 *   every round), 30000 0.144–0.186 s. Passive stays the default (see src/nn/native/README.md for the cost of
 *   spinning beside another process).
 * 2026-12-06 05:34–06:15, --scaling now also prints the part of the step inside oneDNN calls (nativeRunSeconds):
 *   resnet20 2 threads 0.123–0.162 s of a 0.138–0.191 s step, so 13–29 ms (median 18) outside oneDNN, single-threaded
 *   (the no-op experiment above found 8–9 ms: with no oneDNN work the remaining kernels find their data in cache);
 *   1 thread 28–49 ms outside (the ReLUs and Adds run on wasm there). The oneDNN part scales 1.39–1.75× run to run.
 *   27 runs: resnet20 1.52–1.78× (median 1.64, 7 at ≥ 1.70), conv6 1.69–1.90×; alternating with train-torch.py
 *   --scaling: ours resnet20 1.63 / 1.70×, conv6 1.69 / 1.90× against torch's 1.63 / 1.67× and 1.58 / 1.68×
 *   (1-thread steps: ours resnet20 0.263 / 0.235 s, torch 0.317 / 0.352 s). GOMP_SPINCOUNT=500 (≈ 10 µs), eight
 *   ABBA blocks: 2-thread step 3.5 % longer in the median block, speed-up 1.61× against passive's 1.62×.
 *   bench/onednn-concurrency.cpp shows the host's part: the same backward conv pairs scale 1.54–1.59× or 1.70–2.03×
 *   on 2 threads minutes apart.
 * 2026-12-06 09:41–09:47, with the fused add + ReLU (native README, eighth pass), --scaling --steps 40: resnet20
 *   1.56–1.69× over nine runs (median 1.64; a tenth, 1.04×, had its 2-thread step at 0.228 s: something else ran),
 *   conv6 1.83 / 1.85×, lenet5 1.11 / 1.24×, lenet300-100 1.31 / 1.37×; train-torch.py --scaling alternating:
 *   torch resnet20 1.73 / 1.78× (1-thread 0.369 / 0.359 s, 2-thread 0.214 / 0.202 s; libgomp's default spinning
 *   wait), conv6 1.48 / 1.62×, against ours 1.56 / 1.65× (1-thread 0.247 / 0.236 s, 2-thread 0.158 / 0.143 s).
 *   GOMP_SPINCOUNT=300000 (libgomp's default when OMP_WAIT_POLICY is unset, as in torch) against passive, four
 *   alternating pairs in a noisier phase: resnet20 1.54–1.70× against 1.49–1.67×.
 * 2026-12-06 10:40–10:55, quiet host (load 0.2–1.6), same code, --scaling --steps 40, resnet20: passive 1.43–1.69×
 *   (median 1.63, eleven runs), GOMP_SPINCOUNT=10000 alternating 1.65–1.72× (median 1.67, five); train-torch.py
 *   alternating with ours: torch 1.70 / 1.70 / 1.78× against 1.60 / 1.43 / 1.64× (native README, ninth pass).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { initBackend, describeBackend } from "../src/nn/backend";
import { buildArchitecture } from "../src/nn/architectures";
import { buildModel } from "../src/nn/model";
import { loadFashionMnist } from "../src/io/idx";
import * as tf from "@tensorflow/tfjs";
import { channelStats, makeBatch, type Batch, type ImageDataset } from "../src/io/augment";
import { Rng } from "../src/util/rng";
import { crossEntropy } from "../src/nn/loss";
import type { TfSparseModel } from "../src/nn/model";
import { MaskedSgd } from "../src/train/sgd";
import { trainStep } from "../src/train/train";
import { nativeRunSeconds, setNativeThreads, uninstallNativeKernels } from "../src/nn/native";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const steps = arg("steps", 20);
  const batch = arg("batch", 128);
  const threads = arg("threads", 1);
  const info = await initBackend();
  // --wasm: the kernels before issue #14 (XNNPACK + nn/gradients' rewrites), for before/after
  if (process.argv.includes("--wasm")) uninstallNativeKernels();
  else setNativeThreads(threads);
  console.log(`backend: ${describeBackend(info)}${process.argv.includes("--wasm") ? " (native kernels uninstalled: --wasm)" : ""}; ${threads} thread(s)`);
  const cifar = process.argv.includes("--cifar");
  const data = cifar ? syntheticCifar(2048) : loadFashionMnist("train");
  const norm = channelStats(data);
  const all: [string, string, number][] = cifar
    ? [["lenet5", "lenet5", 1], ["lenet300-100", "lenet300-100", 1], ["conv6", "conv6", 1], ["resnet20", "resnet20", 1]]
    : [["lenet5", "lenet5", 1], ["lenet300-100", "lenet300-100", 1], ["conv6-w8", "conv6", 0.125]];
  const shape = cifar ? { inputSize: 32, inputChannels: 3 } : { inputSize: 28, inputChannels: 1 };
  const only = process.argv.indexOf("--only");
  const nets = only >= 0 ? all.filter((n) => n[0] === process.argv[only + 1]) : all;
  const ours: Record<string, { cpu: number; wall: number; params: number }> = {};
  // --scaling: the timed steps alternate between 1 thread and --threads in one process, so drift in
  // the machine's speed (seen here: the same 1-thread step 0.27 s in one run, 0.34 s minutes later)
  // hits both alike; the ratio of the two medians is the thread speed-up.
  const scaling = process.argv.includes("--scaling") && threads > 1;
  const scalingWall: Record<string, { one: number[]; many: number[]; nativeOne: number[]; nativeMany: number[] }> = {};
  for (const [label, arch, width] of nets) {
    const spec = buildArchitecture(arch, { ...shape, classes: 10, widthMultiplier: width });
    const model = buildModel(spec, { seed: 0 });
    const opt = new MaskedSgd({ momentum: 0.9, weightDecay: 1e-4 });
    const cpu: number[] = [];
    const wall: number[] = [];
    // Warm-up: at least 2 steps and 2 s. V8 tiers the wasm module and the JIT up on background
    // threads for a while after start; a 2-step warm-up left that work inside the timed steps
    // (LeNet-300-100 measured 0.0093–0.0104 CPU s/step after 2 steps, 0.0071 after it settled).
    const warmStart = Date.now();
    let warm = 0;
    while (warm < 2 || Date.now() - warmStart < 2000) {
      const start = (warm * batch) % (data.count - batch);
      const { grads } = trainStep(model, opt, makeBatch(data, Int32Array.from({ length: batch }, (_, i) => start + i), norm), 0.02);
      for (const g of grads.values()) g.dispose();
      warm++;
    }
    const one: number[] = [];
    const many: number[] = [];
    const nativeOne: number[] = [];
    const nativeMany: number[] = [];
    for (let s = 2; s < steps + 2; s++) {
      if (scaling) setNativeThreads(s % 2 === 0 ? 1 : threads);
      const start = (s * batch) % (data.count - batch);
      const idx = Int32Array.from({ length: batch }, (_, i) => start + i);
      const b = makeBatch(data, idx, norm);
      const c0 = process.cpuUsage();
      const n0 = nativeRunSeconds();
      const w0 = process.hrtime.bigint();
      const { grads } = trainStep(model, opt, b, 0.02);
      for (const g of grads.values()) g.dispose();
      const c = process.cpuUsage(c0);
      const w = Number(process.hrtime.bigint() - w0) / 1e9;
      cpu.push((c.user + c.system) / 1e6);
      wall.push(w);
      if (scaling) (s % 2 === 0 ? one : many).push(w);
      if (scaling) (s % 2 === 0 ? nativeOne : nativeMany).push(nativeRunSeconds() - n0);
    }
    if (scaling) {
      scalingWall[label] = { one, many, nativeOne, nativeMany };
      setNativeThreads(threads);
    }
    if (process.argv.includes("--profile")) await profileNet(label, model, opt, makeBatch(data, Int32Array.from({ length: batch }, (_, i) => i), norm));
    let params = 0;
    for (const p of model.params.values()) params += p.size;
    ours[label] = { cpu: median(cpu), wall: median(wall), params };
    opt.dispose();
    model.dispose();
  }
  if (scaling) {
    console.log(`\nbatch ${batch}, ${steps} timed steps alternating 1 and ${threads} threads in one process, median wall seconds per step`);
    console.log(`(in oneDNN: the part of the step inside native primitive calls; the rest is single-threaded JS and wasm)`);
    console.log("net            1 thread  " + `${threads} threads`.padStart(9) + "  speed-up   in oneDNN: 1 thread  " + `${threads} threads`.padStart(9) + "  speed-up");
    for (const [label] of nets) {
      const { one, many, nativeOne, nativeMany } = scalingWall[label];
      const ratio = (a: number[], b: number[]): string => (median(b) > 0 ? `${(median(a) / median(b)).toFixed(2)}×` : "–").padStart(8);
      console.log(
        `${label.padEnd(14)} ${median(one).toFixed(4).padStart(8)}  ${median(many).toFixed(4).padStart(9)}  ${ratio(one, many)}` +
          `              ${median(nativeOne).toFixed(4).padStart(8)}  ${median(nativeMany).toFixed(4).padStart(9)}  ${ratio(nativeOne, nativeMany)}`,
      );
    }
    return;
  }
  let torch: Record<string, { step_cpu_s: number; step_wall_s: number; params: number }> | null = null;
  if (!process.argv.includes("--no-torch")) {
    const r = spawnSync(
      "/usr/bin/python3",
      [path.join(__dirname, "train-torch.py"), "--batch", String(batch), "--steps", String(steps), "--threads", String(threads), ...(cifar ? ["--cifar"] : [])],
      { encoding: "utf8" },
    );
    if (r.status === 0) torch = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as Record<string, { step_cpu_s: number; step_wall_s: number; params: number }>;
    else console.log(`PyTorch run failed (${r.status}): ${r.stderr.slice(0, 400)}`);
  }
  // one thread: CPU time (what a free core would take); more: wall time (contention shows there)
  const unit = threads === 1 ? "CPU" : "wall";
  console.log(`\nbatch ${batch}, median of ${steps} steps, ${unit} seconds per training step (${threads} thread(s))${cifar ? "; 32×32×3, a CIFAR epoch is 390 steps" : ""}`);
  console.log("net            params   ours s/step  ours img/s  (other s/step)  torch s/step  torch img/s  ours/torch");
  for (const [label] of nets) {
    const o = ours[label];
    const t = torch?.[label];
    const mine = threads === 1 ? o.cpu : o.wall;
    const other = threads === 1 ? o.wall : o.cpu;
    const theirs = t ? (threads === 1 ? t.step_cpu_s : t.step_wall_s) : undefined;
    const ratio = theirs ? (mine / theirs).toFixed(2) + "×" : "–";
    console.log(
      `${label.padEnd(14)} ${String(o.params).padStart(7)}  ${mine.toFixed(4).padStart(11)}  ${(batch / mine).toFixed(0).padStart(10)}  ${other.toFixed(4).padStart(14)}  ${theirs ? theirs.toFixed(4).padStart(12) : "–".padStart(12)}  ${theirs ? (batch / theirs).toFixed(0).padStart(11) : "–".padStart(11)}  ${ratio.padStart(10)}`,
    );
  }
}

/** Random 32×32×3 images: a training step's time does not depend on the pixel values. */
function syntheticCifar(count: number): ImageDataset {
  const rng = new Rng(0);
  const images = new Uint8Array(count * 32 * 32 * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = Int32Array.from({ length: count }, () => rng.int(10));
  return { name: "synthetic 32×32×3", count, height: 32, width: 32, channels: 3, classes: 10, images, labels };
}

function cpuMs(f: () => void, n = 20): number {
  for (let i = 0; i < 3; i++) f();
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    t.push((c.user + c.system) / 1e3);
  }
  return median(t);
}

/** Phase times and the kernels of one training step (where the time goes). */
async function profileNet(label: string, model: TfSparseModel, opt: MaskedSgd, b: Batch): Promise<void> {
  const { inputSize: S, inputChannels: C, classes } = model.spec;
  const names = model.trainableNames();
  const vars = names.map((n) => model.params.get(n) as tf.Variable);
  const x = tf.tensor4d(b.x, [b.n, S, S, C]);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(b.y, "int32"), classes), "float32") as tf.Tensor2D);
  const fwd = cpuMs(() => tf.tidy(() => void crossEntropy(model.forward(x, { training: true }), y).dataSync()));
  const fb = cpuMs(() =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(x, { training: true }), y), vars);
      value.dataSync();
      tf.dispose(grads);
    }),
  );
  const g = tf.tidy(() => tf.variableGrads(() => crossEntropy(model.forward(x, { training: true }), y), vars).grads);
  const gm = new Map(names.map((n, i) => [n, g[vars[i].name]]));
  const upd = cpuMs(() => opt.step(model, gm, 1e-6));
  tf.dispose(g);
  const prof = await tf.profile(() => {
    const { grads } = trainStep(model, opt, b, 1e-6);
    for (const t of grads.values()) t.dispose();
  });
  const byOp = new Map<string, { n: number; ms: number }>();
  for (const k of prof.kernels) {
    const a = byOp.get(k.name) ?? { n: 0, ms: 0 };
    a.n++;
    a.ms += Number(k.kernelTimeMs);
    byOp.set(k.name, a);
  }
  const top = [...byOp].sort((p, q) => q[1].ms - p[1].ms).slice(0, Number(process.env.SNN_PROFILE_TOP ?? 8)).map(([k, a]) => `${k} ${a.n}× ${a.ms.toFixed(2)}`);
  console.log(`${label}: forward ${fwd.toFixed(2)} ms, forward+backward ${fb.toFixed(2)} ms, optimizer ${upd.toFixed(2)} ms; ${prof.kernels.length} kernels/step; top ops (ms, nested custom ops counted twice): ${top.join(", ")}`);
  x.dispose();
  y.dispose();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
