/**
 * Whole-MGE picture benchmark (not a test): drawMge at the official figure's size (6000×2000 px) on
 *   - resnet20-erk: the reference fixture resnet-20_erk_0.98 (1.27 M edges; target < 5 s),
 *   - conv6-0.6:    Conv-6 with a uniform random mask at sparsity 0.6, seed 0 (96.6 M edges, as
 *                   `snn-topology encode --arch conv6 --random-mask 0.6` builds it; target < 60 s and
 *                   < 2 GB beyond the graph).
 * Each case runs in its own child process. Reported: wall and CPU seconds of drawMge (and of the PNG
 * encoding), its phases, the RSS before drawing (the graph built) and the largest RSS sampled during
 * and after drawing (at every progress update, i.e. per source partition); "beyond the graph" is their
 * difference.
 *
 *   node --import tsx bench/draw.ts                  both cases
 *   node --import tsx bench/draw.ts conv6-0.6        one case
 *   node --import tsx bench/draw.ts resnet20-erk --png /tmp/mge.png --highlight sinks,sources
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { buildArchitecture, randomSparseNetwork } from "../src/nn/index";
import { encodeMge, type CsrGraph } from "../src/encoding/index";
import { loadReferenceFixture } from "../src/metrics/index";
import { drawMge, encodePng, parseHighlights } from "../src/notebook/index";

const CASES = ["resnet20-erk", "conv6-0.6"];

function graphOf(c: string): CsrGraph {
  if (c === "resnet20-erk") return loadReferenceFixture("resnet-20_erk_0.98").graph;
  if (c === "conv6-0.6") {
    const spec = buildArchitecture("conv6");
    const { weights, masks } = randomSparseNetwork(spec, 0.6, 0);
    return encodeMge(spec, masks, { weights });
  }
  throw new Error(`bench/draw: unknown case '${c}' (${CASES.join(", ")})`);
}

function runCase(c: string, png: string | undefined, highlight: string): void {
  let g: CsrGraph | null = graphOf(c);
  const graphBytes = g.offsets.byteLength + g.targets.byteLength + g.weights.byteLength;
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sample = () => {
    const r = process.memoryUsage().rss;
    if (r > rssPeak) rssPeak = r;
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const pic = drawMge(g, { width: 6000, height: 2000, highlight: parseHighlights(highlight), progress: { update: sample, finish: sample } });
  sample();
  const t1 = performance.now();
  const cpu1 = process.cpuUsage(cpu0);
  const bytes = encodePng(pic);
  const t2 = performance.now();
  sample();
  if (png) writeFileSync(png, bytes);
  const edges = g.numEdges;
  g = null;
  process.stdout.write(JSON.stringify({
    case: c,
    edges,
    graphMiB: graphBytes / 2 ** 20,
    drawSeconds: (t1 - t0) / 1000,
    drawCpuSeconds: (cpu1.user + cpu1.system) / 1e6,
    phases: pic.stats.seconds,
    binPairs: pic.stats.binPairs,
    pngSeconds: (t2 - t1) / 1000,
    pngMiB: bytes.length / 2 ** 20,
    rssBeforeMiB: rssBefore / 2 ** 20,
    rssPeakMiB: rssPeak / 2 ** 20,
    beyondGraphMiB: (rssPeak - rssBefore) / 2 ** 20,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }) + "\n");
}

function main(): void {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const png = flag("--png");
  const highlight = flag("--highlight") ?? "";
  const one = args.find((a, i) => !a.startsWith("--") && (i === 0 || !args[i - 1].startsWith("--")));
  if (one) {
    runCase(one, png, highlight);
    return;
  }
  for (const c of CASES) {
    const r = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=6000", "--import", "tsx", __filename, c], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`bench/draw: case ${c} failed: ${r.stderr}`);
    const j = JSON.parse(r.stdout.trim().split("\n").pop() as string);
    console.log(`${c.padEnd(14)} ${String(j.edges).padStart(10)} edges  draw ${j.drawSeconds.toFixed(2)} s wall / ${j.drawCpuSeconds.toFixed(2)} s CPU` +
      ` (bins ${j.phases.bins.toFixed(2)}, raster ${j.phases.raster.toFixed(2)}, tone ${j.phases.tone.toFixed(2)})  png ${j.pngSeconds.toFixed(2)} s` +
      `  RSS ${j.rssBeforeMiB.toFixed(0)} → ${j.rssPeakMiB.toFixed(0)} MiB (+${j.beyondGraphMiB.toFixed(0)} beyond the graph)`);
  }
}

main();
