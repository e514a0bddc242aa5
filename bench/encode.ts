/**
 * MGE construction benchmark (not a test). Each case runs in its own child process so that peak RSS
 * (process.resourceUsage().maxRSS) belongs to that case alone. Networks: uniform (layer-wise) random
 * masks with Kaiming-normal weights (randomSparseNetwork), CIFAR-10 input, reference alignment.
 *
 *   node --import tsx bench/encode.ts                 all cases
 *   node --import tsx bench/encode.ts conv6:0.6       one case
 *
 * Official builder timings for comparison (reference-notes §6, 2-core CPU): ResNet-20 0.9 34–38 s,
 * Conv-6 0.98 72 s, WRN-28-2 0.98 51 s. Targets here: Conv-6 0.6 < 60 s and < 4 GB RSS; ResNet-20 0.9 < 5 s.
 */
import { spawnSync } from "node:child_process";
import { buildArchitecture, randomSparseNetwork } from "../src/nn";
import { countMge, encodeMge } from "../src/encoding";

/** arch:sparsity; conv6:0 is the dense Conv-6 (241,388,032 edges, ~2 GB). */
const CASES = ["resnet20:0.9", "conv6:0.98", "wrn28-2:0.98", "mobilenetv2:0.9", "conv6:0.6", "conv6:0"];
const OFFICIAL_S: Record<string, [number, number] | undefined> = {
  "resnet20:0.9": [34, 38],
  "conv6:0.98": [72, 72],
  "wrn28-2:0.98": [51, 51],
};

function runCase(c: string): void {
  const [arch, s] = c.split(":");
  const spec = buildArchitecture(arch);
  const t0 = process.hrtime.bigint();
  const { weights, masks } = randomSparseNetwork(spec, Number(s), 0);
  const t1 = process.hrtime.bigint();
  const counts = countMge(spec, masks);
  const t2 = process.hrtime.bigint();
  const g = encodeMge(spec, masks, { weights });
  const t3 = process.hrtime.bigint();
  const sec = (a: bigint, b: bigint) => Number(b - a) / 1e9;
  const bytes = g.offsets.byteLength + g.targets.byteLength + g.weights.byteLength;
  const out = {
    case: c,
    nodes: g.numNodes,
    edges: g.numEdges,
    countEdges: counts.edges,
    maskSeconds: sec(t0, t1),
    countSeconds: sec(t1, t2),
    encodeSeconds: sec(t2, t3),
    edgesPerSecond: g.numEdges / sec(t2, t3),
    csrBytesPerEdge: bytes / g.numEdges,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

function main(): void {
  const arg = process.argv[2];
  if (arg) {
    runCase(arg);
    return;
  }
  console.log("case            nodes       edges   encode s   total s   Medges/s  B/edge  peak RSS MiB  vs official");
  for (const c of CASES) {
    const t = Date.now();
    const r = spawnSync(process.execPath, ["--max-old-space-size=6000", "--import", "tsx", __filename, c], { encoding: "utf8" });
    const wall = (Date.now() - t) / 1000;
    if (r.status !== 0) {
      console.log(`${c}: failed\n${r.stderr}`);
      continue;
    }
    const o = JSON.parse(r.stdout.trim().split("\n").pop() as string);
    const off = OFFICIAL_S[c];
    const ratio = off ? `${(off[0] / o.encodeSeconds).toFixed(0)}–${(off[1] / o.encodeSeconds).toFixed(0)}× faster` : "-";
    console.log(
      `${c.padEnd(14)} ${String(o.nodes).padStart(8)} ${String(o.edges).padStart(11)} ${o.encodeSeconds.toFixed(2).padStart(9)} ${wall.toFixed(1).padStart(9)} ${(o.edgesPerSecond / 1e6).toFixed(1).padStart(10)} ${o.csrBytesPerEdge.toFixed(2).padStart(7)} ${o.peakRssMiB.toFixed(0).padStart(13)}  ${ratio}`,
    );
  }
}

main();
