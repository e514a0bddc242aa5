/**
 * The grid prunes with exactly the data the `prune` CLI uses: on a CIFAR-shaped data set whose three
 * channels have very different statistics (where one scalar mean/std over channels, the grid's old
 * normalisation, gives other inputs), a grid cell's SNIP masks equal `snn-topology prune`'s for the
 * same architecture, dataset and seed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { pruneCell } from "../../src/experiment/pipeline";
import { loadCifar10 } from "../../src/io/cifar";
import { readSafetensors } from "../../src/io/safetensors";
import { buildArchitecture } from "../../src/nn/architectures";
import { initBackend } from "../../src/nn/backend";
import { buildModel, modelToHost } from "../../src/nn/model";
import { applyMasks } from "../../src/pruning/index";
import { Rng } from "../../src/util/rng";

/** CIFAR-10 binary batches of `per` images each; channel c's pixels live in [64c, 64c + 64·(c+1)). */
function writeFakeCifar10(dir: string, per: number, rng: Rng): void {
  const batch = (): Buffer => {
    const rec = Buffer.alloc(per * 3073);
    for (let i = 0; i < per; i++) {
      rec[i * 3073] = rng.int(10);
      for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) rec[i * 3073 + 1 + c * 1024 + p] = 40 * c + rng.int(40 + 60 * c);
    }
    return rec;
  };
  for (let b = 1; b <= 5; b++) writeFileSync(path.join(dir, `data_batch_${b}.bin`), batch());
  writeFileSync(path.join(dir, "test_batch.bin"), batch());
}

test("grid cell pruning = prune CLI pruning (per-channel normalisation, same batches, same SNIP masks)", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "snn-prune-data-"));
  try {
    writeFakeCifar10(dir, 40, new Rng(5));
    const out = path.join(dir, "snip.safetensors");
    const args = ["prune", "--arch", "lenet300-100", "--width", "0.25", "--pruner", "snip", "--sparsity", "0.9", "--seed", "3", "--dataset", "cifar10", "--out", out];
    const r = spawnSync(process.execPath, [path.join(__dirname, "..", "..", "bin", "snn-topology.js"), ...args], { encoding: "utf8", env: { ...process.env, SNN_CIFAR10: dir } });
    assert.equal(r.status, 0, r.stderr);
    const cli = readSafetensors(out);

    await initBackend();
    const train = loadCifar10("train", dir);
    const spec = buildArchitecture("lenet300-100", { inputSize: 32, inputChannels: 3, classes: 10, widthMultiplier: 0.25 });
    const model = buildModel(spec, { seed: 3 });
    try {
      const outcome = pruneCell({ pruner: "snip", sparsity: 0.9, seed: 3 }, model, train);
      applyMasks(model, outcome.masks);
      const host = modelToHost(model);
      let compared = 0;
      for (const [name, m] of host.masks) {
        const t = cli.tensors.get(`${name}_mask`);
        assert.ok(t, `CLI file lacks ${name}_mask`);
        assert.equal(t.bytes.length, m.data.length, name);
        let differ = 0;
        for (let i = 0; i < m.data.length; i++) if (t.bytes[i] !== m.data[i]) differ++;
        assert.equal(differ, 0, `${name}: ${differ} of ${m.data.length} mask entries differ between the grid and the CLI`);
        compared++;
      }
      assert.equal(compared, 3);
    } finally {
      model.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
