// The data-driven pruners at the reference's batch sizes on full Conv-6 at CIFAR-10 shapes
// (32×32×3, 10 classes; synthetic images), on the wasm backend with its 4 GiB heap: the memory plan
// (src/pruning/memory.ts) picks the chunking. Prints wall/CPU time, the chunking, the estimate and
// the wasm heap's high-water mark after each pruner.
// Run: flock /tmp/snn-heavy.lock node --import tsx bench/prune-conv6-wasm.ts [prospr|grasp|snip ...] [--chunk N]
// Measured (2 cores shared, wasm SIMD 1 thread, Conv-6 90 % sparsity):
//   snip   batch 128:                 1 chunk,          6.9 s, heap high-water 2,455 MiB
//   grasp  250 examples (halves 125): 4 chunks of 32,  48.0 s
//   prospr batch 512, 3 steps:        16 chunks of 32, 339.5 s (after snip and grasp in one process: heap 2,559 MiB)
//   prospr alone (fresh process):     15 chunks of 35, 304.7 s wall, 305.5 s CPU, heap high-water 2,963 MiB
//                                     (estimate of one pass 3,108 MiB, × safety 1.3 against the 4,096 MiB cap)
import { describeBackend, initBackend, wasmHeapSize } from "../src/nn/backend";
import { conv6 } from "../src/nn/architectures";
import { buildModel } from "../src/nn/model";
import type { ImageDataset } from "../src/io/augment";
import { datasetPruneData, prune } from "../src/pruning/index";
import { terminalProgress } from "../src/util/progress";
import { Rng } from "../src/util/rng";

function synthetic(n: number): ImageDataset {
  const rng = new Rng(1);
  const per = 32 * 32 * 3;
  const images = new Uint8Array(n * per);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  return { name: "synthetic-cifar", count: n, height: 32, width: 32, channels: 3, classes: 10, images, labels };
}

async function main(): Promise<void> {
  const info = await initBackend("wasm");
  console.log(`backend: ${describeBackend(info)}`);
  const args = process.argv.slice(2);
  const ci = args.indexOf("--chunk");
  const chunkSize = ci >= 0 ? Number(args[ci + 1]) : undefined;
  if (ci >= 0) args.splice(ci, 2);
  const which = args.length > 0 ? args : ["prospr"];
  const data = datasetPruneData(synthetic(2048));
  const spec = conv6();
  for (const name of which) {
    const model = buildModel(spec, { seed: 0 });
    const c0 = process.cpuUsage();
    const t0 = Date.now();
    const r = prune(name, model, 0.9, { seed: 0, data, batchSize: name === "prospr" ? 512 : 128, chunkSize, progress: terminalProgress(name) });
    const c = process.cpuUsage(c0);
    const heap = wasmHeapSize();
    console.log(
      `conv6 32×32×3 ${name}: wall ${((Date.now() - t0) / 1000).toFixed(1)} s, cpu ${((c.user + c.system) / 1e6).toFixed(1)} s, ` +
        `sparsity ${(1 - r.density.global).toFixed(5)}, info ${JSON.stringify(r.info)}, wasm heap high-water ${heap === null ? "n/a" : `${(heap / 1024 ** 2).toFixed(0)} MiB`}`,
    );
    model.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
