/**
 * ResNet-50 (torchvision layout, src/nn/torchvision-resnet.ts) on a 224×224×3 input at sparsity
 * 0.95: the general MGE (`exact`) and all 16 topometrics with exact motif totals, with wall time
 * and peak RSS per stage. Not a test (minutes, GBs).
 *
 *   node --max-old-space-size=7000 --import tsx bench/resnet50.ts [--pruner uniform|erk] [--input 224] [--count-only | --encode-only] [--metrics a,b]
 *
 * Masks: `uniform` (default) is layer-wise uniform (randomSparseNetwork: exactly round(0.05·n) weights
 * per layer, Kaiming-normal values), `erk` the ERK distribution (pruneErk) with the same values.
 * CPU seconds per stage (process.cpuUsage: all threads, the sampler's share is negligible) are
 * printed beside wall seconds: on a shared machine the wall time mostly measures the queue.
 * Peak RSS per stage: a worker thread samples the process RSS every 20 ms and attributes the maximum
 * to the stage the main thread announced last (through a SharedArrayBuffer); the process-wide
 * high-water mark (resourceUsage().maxRSS) is printed at the end. The metrics' own stages come from
 * their progress callbacks.
 */
import { Worker } from "node:worker_threads";
import { loadavg } from "node:os";
import { torchvisionResnet, randomSparseNetwork } from "../src/nn";
import { countDagMge, encodeDagMge, type MgeGraph } from "../src/encoding";
import { computeTopometrics, parseMetricName, type MetricName } from "../src/metrics";
import { prunableLayers, pruneErk } from "../src/pruning";
import type { MaskMap } from "../src/nn/tensors";
import type { Progress } from "../src/util/progress";

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 ? args[i + 1] : d;
};
const pruner = opt("pruner", "uniform");
const input = Number(opt("input", "224"));
const sparsity = Number(opt("sparsity", "0.95"));
const countOnly = args.includes("--count-only");
const encodeOnly = args.includes("--encode-only");
const metricList: MetricName[] | undefined = args.includes("--metrics") ? opt("metrics", "").split(",").map(parseMetricName) : undefined;

const MAX_STAGES = 64;
const shared = new Int32Array(new SharedArrayBuffer(4 * (2 + MAX_STAGES)));
const stageNames: string[] = [];
const sampler = new Worker(
  `const { workerData } = require("node:worker_threads");
   const a = new Int32Array(workerData);
   setInterval(() => {
     const s = Atomics.load(a, 0);
     const mib = Math.round(process.memoryUsage.rss() / 1048576);
     if (mib > a[2 + s]) a[2 + s] = mib;
     if (Atomics.load(a, 1) === 1) process.exit(0);
   }, 20);`,
  { eval: true, workerData: shared.buffer },
);
sampler.unref();

const rows: { stage: string; seconds: number; cpuSeconds: number }[] = [];
let t = process.hrtime.bigint();
let cpu = process.cpuUsage();
function stage(name: string): void {
  const now = process.hrtime.bigint();
  const c = process.cpuUsage();
  if (stageNames.length > 0) {
    const row = { stage: stageNames[stageNames.length - 1], seconds: Number(now - t) / 1e9, cpuSeconds: (c.user - cpu.user + c.system - cpu.system) / 1e6 };
    rows.push(row);
    // Each finished stage at once, so a run cut short still reports what it measured.
    process.stderr.write(`  done: ${row.stage}: ${row.seconds.toFixed(1)} s wall, ${row.cpuSeconds.toFixed(1)} s CPU, peak RSS ${shared[2 + stageNames.length - 1]} MiB\n`);
  }
  t = now;
  cpu = c;
  stageNames.push(name);
  Atomics.store(shared, 0, stageNames.length - 1);
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${name}\n`);
}
const metricProgress: Progress = {
  update(_done: number, _total: number, label?: string) {
    if (label && label !== stageNames[stageNames.length - 1]) stage(`metrics: ${label}`);
  },
  finish() {},
};

stage("build DAG");
const dag = torchvisionResnet("resnet50", { inputSize: input });
stage(`masks (${pruner} ${sparsity})`);
let { weights, masks } = randomSparseNetwork(dag, pruner === "uniform" ? sparsity : 0, 0);
if (pruner === "erk") {
  const r = pruneErk(prunableLayers(dag), sparsity, { seed: 0 });
  masks = r.masks as MaskMap;
  for (const [name, w] of weights) {
    const m = (masks.get(name) as { data: Uint8Array }).data;
    weights.set(name, { shape: w.shape, data: w.data.map((x, i) => (m[i] ? x : 0)) });
  }
} else if (pruner !== "uniform") throw new Error(`bench/resnet50: --pruner uniform|erk, got ${pruner}`);
stage("count MGE");
const counts = countDagMge(dag, masks, { alignment: "exact" });
process.stderr.write(`  ${counts.nodes} nodes, ${counts.edges} edges\n`);
let result: Record<string, unknown> = {};
let lastGraph: MgeGraph | null = null;
if (!countOnly) {
  stage("encode MGE");
  const g = encodeDagMge(dag, masks, { weights, alignment: "exact" });
  lastGraph = g;
  weights = new Map();
  masks = new Map();
  if (encodeOnly) result = { csrBytes: g.offsets.byteLength + g.targets.byteLength + g.weights.byteLength };
}
if (!countOnly && !encodeOnly) {
  const g = lastGraph as MgeGraph;
  stage("metrics");
  const r = computeTopometrics(g, { motifs: "exact", seed: 0, normalize: "raw", metrics: metricList, progress: metricProgress });
  result = { metrics: r.metrics, metricSeconds: r.seconds };
}
stage("done");
Atomics.store(shared, 1, 1);
const peaks = stageNames.map((_, i) => shared[2 + i]);
const out = {
  model: "resnet50",
  input: `${input}x${input}x3`,
  pruner,
  sparsity,
  nodes: counts.nodes,
  edges: counts.edges,
  stages: rows.map((r, i) => ({ ...r, peakRssMiB: peaks[i] })),
  totalSeconds: rows.reduce((a, r) => a + r.seconds, 0),
  totalCpuSeconds: rows.reduce((a, r) => a + r.cpuSeconds, 0),
  loadAverage: loadavg(),
  processPeakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  ...result,
};
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
