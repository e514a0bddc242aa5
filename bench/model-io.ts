/**
 * Model-file reading benchmark (not a test): readOnnx, readTorchStateDict (+ mergePruneLayout when
 * the state dict holds `_orig`/`_mask` pairs) on the files given, each in its own child process so
 * that peak RSS (process.resourceUsage().maxRSS) belongs to that file alone. Prints one JSON line
 * per file: wall and CPU seconds, tensors, megabytes, peak RSS.
 *
 *   node --import tsx bench/model-io.ts FILE.onnx[.gz] FILE.pt …
 *
 * ResNet-50 files with random weights (Debian's python3-torch/torchvision, no download):
 *   /usr/bin/python3 -c "import torch, torchvision as tv, torch.nn.utils.prune as P
 *   m = tv.models.resnet50().eval(); torch.save(m.state_dict(), '/tmp/r50.pt')
 *   torch.onnx.export(m, torch.randn(1, 3, 224, 224), '/tmp/r50.onnx', opset_version=13)
 *   P.global_unstructured([(x, 'weight') for x in m.modules() if isinstance(x, (torch.nn.Conv2d, torch.nn.Linear))],
 *                         pruning_method=P.L1Unstructured, amount=0.95); torch.save(m.state_dict(), '/tmp/r50-pruned.pt')"
 */
import { spawnSync } from "node:child_process";
import { readOnnx } from "../src/io/onnx/read";
import { readTorchStateDict } from "../src/io/torch/state-dict";
import { mergePruneLayout } from "../src/io/prune-layout";
import type { DecodedTensor } from "../src/io/tensor";

function runCase(file: string): void {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let tensors: Iterable<DecodedTensor>;
  let masks = 0;
  if (/\.onnx(\.gz)?$/.test(file)) tensors = readOnnx(file).graph.initializers.values();
  else {
    const sd = readTorchStateDict(file);
    const merged = mergePruneLayout(sd, file);
    masks = merged.masks.size;
    tensors = merged.tensors.values();
  }
  const cpu = process.cpuUsage(cpu0);
  let n = 0;
  let bytes = 0;
  for (const t of tensors) {
    n++;
    bytes += t.data.byteLength;
  }
  console.log(
    JSON.stringify({
      file,
      wallS: Number(process.hrtime.bigint() - t0) / 1e9,
      cpuS: (cpu.user + cpu.system) / 1e6,
      tensors: n,
      masks,
      megabytes: bytes / 2 ** 20,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === "--child") runCase(rest[0]);
else {
  const files = [mode, ...rest].filter((f) => f !== undefined);
  if (files.length === 0) {
    console.error("usage: node --import tsx bench/model-io.ts FILE.onnx[.gz] FILE.pt …");
    process.exit(2);
  }
  for (const f of files) {
    const r = spawnSync(process.execPath, ["--import", "tsx", __filename, "--child", f], { stdio: "inherit" });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
