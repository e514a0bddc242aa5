/**
 * Training throughput on Fashion-MNIST (28×28×1, batch 128): LeNet-5, LeNet-300-100 and Conv-6 at
 * width 1/8 on this project's tfjs backend (wasm + nn/gradients), side by side with the same
 * networks in PyTorch on CPU with one thread (bench/train-torch.py, Debian python3-torch).
 * Times are process CPU seconds per step (forward + backward + masked momentum SGD), the median of
 * `--steps` steps after 2 warm-up steps: on a shared machine CPU time is what a free core would take.
 *
 *   flock /tmp/snn-heavy.lock node --import tsx bench/train.ts [--steps 20] [--batch 128] [--no-torch] [--only NET]
 *
 * Measured on the shared 2-core dev machine (Node 20, tfjs-backend-wasm 4.22 SIMD, Debian torch 1.13,
 * two runs; torch's figure moves most with machine load):
 *   lenet5        ours 0.029 s/step (≈4,400 img/s)   torch 0.012–0.014   ratio 2.1–2.5×
 *   lenet300-100  ours 0.009 s/step (≈13,800 img/s)  torch 0.0027–0.0030 ratio 3.1–3.5×
 *   conv6-w8      ours 0.23–0.27 s/step (≈500 img/s) torch 0.075–0.097   ratio 2.8–3.1×
 * The dense GEMMs of LeNet-300-100 run at ~15 GMAC/s in wasm-SIMD (XNNPACK) against oneDNN's
 * AVX-512 path, so ~3× is close to the floor there; Conv-6 is dominated by the filter-gradient convs.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { initBackend, describeBackend } from "../src/nn/backend";
import { buildArchitecture } from "../src/nn/architectures";
import { buildModel } from "../src/nn/model";
import { loadFashionMnist } from "../src/io/idx";
import { channelStats, makeBatch } from "../src/io/augment";
import { MaskedSgd } from "../src/train/sgd";
import { trainStep } from "../src/train/train";

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
  const info = await initBackend();
  console.log(`backend: ${describeBackend(info)}`);
  const data = loadFashionMnist("train");
  const norm = channelStats(data);
  const all: [string, string, number][] = [["lenet5", "lenet5", 1], ["lenet300-100", "lenet300-100", 1], ["conv6-w8", "conv6", 0.125]];
  const only = process.argv.indexOf("--only");
  const nets = only >= 0 ? all.filter((n) => n[0] === process.argv[only + 1]) : all;
  const ours: Record<string, { cpu: number; wall: number; params: number }> = {};
  for (const [label, arch, width] of nets) {
    const spec = buildArchitecture(arch, { inputSize: 28, inputChannels: 1, classes: 10, widthMultiplier: width });
    const model = buildModel(spec, { seed: 0 });
    const opt = new MaskedSgd({ momentum: 0.9, weightDecay: 1e-4 });
    const cpu: number[] = [];
    const wall: number[] = [];
    for (let s = 0; s < steps + 2; s++) {
      const start = (s * batch) % (data.count - batch);
      const idx = Int32Array.from({ length: batch }, (_, i) => start + i);
      const b = makeBatch(data, idx, norm);
      const c0 = process.cpuUsage();
      const w0 = process.hrtime.bigint();
      const { grads } = trainStep(model, opt, b, 0.02);
      for (const g of grads.values()) g.dispose();
      const c = process.cpuUsage(c0);
      const w = Number(process.hrtime.bigint() - w0) / 1e9;
      if (s >= 2) {
        cpu.push((c.user + c.system) / 1e6);
        wall.push(w);
      }
    }
    let params = 0;
    for (const p of model.params.values()) params += p.size;
    ours[label] = { cpu: median(cpu), wall: median(wall), params };
    opt.dispose();
    model.dispose();
  }
  let torch: Record<string, { step_cpu_s: number; params: number }> | null = null;
  if (!process.argv.includes("--no-torch")) {
    const r = spawnSync("/usr/bin/python3", [path.join(__dirname, "train-torch.py"), "--batch", String(batch), "--steps", String(steps)], { encoding: "utf8" });
    if (r.status === 0) torch = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as Record<string, { step_cpu_s: number; params: number }>;
    else console.log(`PyTorch run failed (${r.status}): ${r.stderr.slice(0, 400)}`);
  }
  console.log(`\nbatch ${batch}, median of ${steps} steps, CPU seconds per training step (1 core)`);
  console.log("net            params   ours s/step  ours img/s  (wall s/step)  torch s/step  torch img/s  ours/torch");
  for (const [label] of nets) {
    const o = ours[label];
    const t = torch?.[label];
    const ratio = t ? (o.cpu / t.step_cpu_s).toFixed(2) + "×" : "–";
    console.log(
      `${label.padEnd(14)} ${String(o.params).padStart(7)}  ${o.cpu.toFixed(4).padStart(11)}  ${(batch / o.cpu).toFixed(0).padStart(10)}  ${o.wall.toFixed(4).padStart(13)}  ${t ? t.step_cpu_s.toFixed(4).padStart(12) : "–".padStart(12)}  ${t ? (batch / t.step_cpu_s).toFixed(0).padStart(11) : "–".padStart(11)}  ${ratio.padStart(10)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
