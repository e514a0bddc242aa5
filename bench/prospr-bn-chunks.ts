// How much chunking changes ProsPr on a BatchNorm network (each chunk normalises with its own
// batch statistics, see src/pruning/prospr.ts): mask overlap and score cosine of chunked runs
// against the one-chunk run, on a narrow Conv-6 at 16×16×3 (cpu backend, synthetic data).
// Run: node --import tsx bench/prospr-bn-chunks.ts
import { initBackend } from "../src/nn/backend";
import { conv6 } from "../src/nn/architectures";
import { buildModel } from "../src/nn/model";
import type { ImageDataset } from "../src/io/augment";
import { datasetPruneData, pruneProspr, type PruneResult } from "../src/pruning/index";
import { Rng } from "../src/util/rng";

function synthetic(n: number, size: number): ImageDataset {
  const rng = new Rng(1);
  const per = size * size * 3;
  const images = new Uint8Array(n * per);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  // class-dependent brightness per channel, so the gradients carry signal
  for (let i = 0; i < n; i++) for (let p = 0; p < per; p++) images[i * per + p] = Math.min(255, rng.int(200) + (p % 3 === labels[i] % 3 ? 55 : 0));
  return { name: "synthetic", count: n, height: size, width: size, channels: 3, classes: 10, images, labels };
}

function overlap(a: PruneResult, b: PruneResult): number {
  let both = 0;
  let kept = 0;
  for (const [k, m] of a.masks) {
    const o = b.masks.get(k)!;
    for (let i = 0; i < m.data.length; i++) {
      kept += m.data[i];
      both += m.data[i] * o.data[i];
    }
  }
  return both / kept;
}

async function main(): Promise<void> {
  await initBackend("cpu");
  const spec = conv6({ inputSize: 16, widthMultiplier: 0.125 });
  const data = datasetPruneData(synthetic(1024, 16));
  const batchSize = 128;
  const run = (chunkSize?: number): PruneResult => pruneProspr(buildModel(spec, { seed: 0 }), 0.9, { seed: 0, data, batchSize, chunkSize });
  const whole = run();
  console.log(`conv6 ×0.125 at 16×16×3 (BatchNorm), ProsPr batch ${batchSize}, sparsity 0.9; kept-mask overlap with the one-chunk run:`);
  for (const c of [64, 32, 16, 8]) {
    const r = run(c);
    console.log(`  chunks of ${String(c).padStart(3)}: overlap ${overlap(whole, r).toFixed(4)}`);
  }
  // the same seed with a different model seed gives the scale of run-to-run variation
  const other = pruneProspr(buildModel(spec, { seed: 0 }), 0.9, { seed: 1, data, batchSize });
  console.log(`  (different batches, no chunking: overlap ${overlap(whole, other).toFixed(4)})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
