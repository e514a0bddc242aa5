// Cost of every pruner on the paper's architectures (CIFAR-10 shapes, synthetic data) and on
// LeNet-5 (28×28): CPU seconds per pruner, realised sparsity. Run: node --import tsx bench/pruning.ts [arch ...]
// [--pruners snip,grasp,prospr] [--prospr-batch N] [--threads N] (wrap in `flock /tmp/snn-heavy.lock`
// on the shared machine). SNN_NATIVE=0 measures the wasm kernels without the native ones (before/after).
import { initBackend, describeBackend } from "../src/nn/backend";
import { buildArchitecture } from "../src/nn/architectures";
import { buildModel } from "../src/nn/model";
import type { ImageDataset } from "../src/io/augment";
import { datasetPruneData, prune, INIT_PRUNERS } from "../src/pruning/index";
import { Rng } from "../src/util/rng";
import { setNativeThreads } from "../src/nn/native";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function synthetic(n: number, size: number, channels: number, classes: number): ImageDataset {
  const rng = new Rng(1);
  const per = size * size * channels;
  const images = new Uint8Array(n * per);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  return { name: "synthetic", count: n, height: size, width: size, channels, classes, images, labels };
}

async function main(): Promise<void> {
  const info = await initBackend();
  const threads = option("threads");
  if (threads !== undefined) setNativeThreads(Number(threads));
  console.log(`backend: ${describeBackend(info)}`);
  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && !(i > 0 && all[i - 1].startsWith("--")));
  const archs = positional.length > 0 ? positional : ["lenet5", "conv6", "resnet20"];
  const pruners = option("pruners")?.split(",") ?? INIT_PRUNERS;
  const prosprBatch = Number(option("prospr-batch") ?? 512);
  for (const arch of archs) {
    const mnist = arch.startsWith("lenet");
    const spec = buildArchitecture(arch, mnist ? {} : { inputSize: 32, inputChannels: 3, classes: 10 });
    const ds = synthetic(1024, spec.inputSize, spec.inputChannels, spec.classes);
    const data = datasetPruneData(ds);
    for (const name of pruners) {
      const model = buildModel(spec, { seed: 0 });
      const c0 = process.cpuUsage();
      const t0 = Date.now();
      // the reference's batch sizes (reference-notes §3: SNIP 128, ProsPr 512); src/pruning/memory
      // splits a batch into chunks that fit the memory budget (4 GiB on wasm), so nothing is forced here
      const batchSize = name === "prospr" ? prosprBatch : 128;
      try {
        const r = prune(name, model, 0.9, { seed: 0, data, batchSize });
        const c = process.cpuUsage(c0);
        const plan = r.info.chunks !== undefined ? `  ${r.info.chunks} chunk(s) of ≤ ${r.info.chunkSize} (estimate ${r.info.memoryEstimateMiB} MiB, budget ${r.info.memoryBudgetMiB} MiB)` : "";
        console.log(`${arch.padEnd(10)} ${name.padEnd(8)} cpu ${((c.user + c.system) / 1e6).toFixed(2).padStart(7)} s  wall ${((Date.now() - t0) / 1000).toFixed(2).padStart(7)} s  sparsity ${(1 - r.density.global).toFixed(5)}${plan}`);
      } catch (e) {
        console.log(`${arch.padEnd(10)} ${name.padEnd(8)} FAILED: ${(e as Error).message.split("\n")[0]}`);
      }
      model.dispose();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
