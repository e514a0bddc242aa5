import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { command } from "../../src/cli/train";
import { readModelFile } from "../../src/train/checkpoint";
import { buildArchitecture } from "../../src/nn/architectures";
import { setDst } from "../../src/pruning/set";
import { prunableLayers } from "../../src/pruning/layers";
import { Rng } from "../../src/util/rng";
import { idxBytes } from "./tiny-fixtures";

const idx = idxBytes;

function writeMnist(dir: string): void {
  const rng = new Rng(1);
  for (const [split, n] of [["train", 64], ["t10k", 32]] as const) {
    const labels = new Uint8Array(n).map(() => rng.int(10));
    const images = new Uint8Array(n * 28 * 28);
    for (let i = 0; i < n; i++) for (let p = 0; p < 28; p++) images[i * 784 + labels[i] * 28 + p] = 200;
    writeFileSync(path.join(dir, `${split}-images-idx3-ubyte`), idx([n, 28, 28], images));
    writeFileSync(path.join(dir, `${split}-labels-idx1-ubyte`), idx([n], labels));
  }
}

async function runQuiet(argv: string[]): Promise<{ rc: number; out: string }> {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const werr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    const rc = await command.run(argv);
    return { rc, out: out.join("") };
  } finally {
    process.stdout.write = write;
    process.stderr.write = werr;
  }
}

test("train CLI --dst set: masks move, nonzeros per layer stay, resume from an epoch-1 checkpoint is bit-identical", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "snn-cli-train-dst-"));
  try {
    writeMnist(dir);
    // LeNet-300-100 at width 0.05: fc1 784→15, fc2 15→5, fc3 5→10; 64 images / batch 16 = 4 steps per epoch
    const base = ["--arch", "lenet300-100", "--width", "0.05", "--dataset", "mnist", "--data-dir", dir, "--epochs", "2", "--batch-size", "16", "--seed", "3"];
    const dst = ["--dst", "set", "--sparsity", "0.8", "--update-every", "2", "--prune-rate", "0.3"];
    const full = path.join(dir, "full.safetensors");
    const r1 = await runQuiet([...base, ...dst, "--out", full]);
    assert.equal(r1.rc, 0);
    // updates after steps 2, 4, 6 (step 8 = the last step is excluded: done < total·stopFraction)
    assert.match(r1.out, /epoch 1: .* dst 2 update\(s\)/);
    assert.match(r1.out, /epoch 2: .* dst 1 update\(s\)/);
    assert.match(r1.out, /dst set: 3 update\(s\); realised density/);

    // the initial masks, built independently of the CLI from the same method, sparsity and seed
    const spec = buildArchitecture("lenet300-100", { widthMultiplier: 0.05, inputSize: 28, inputChannels: 1, classes: 10 });
    const init = setDst(prunableLayers(spec), 0.8, { seed: 3, updateEvery: 2, pruneRate: 0.3 }).result.masks;
    const f = readModelFile(full);
    let changed = 0;
    let total = 0;
    let kept = 0;
    for (const [name, m0] of init) {
      const m = f.masks.get(name);
      assert.ok(m, `mask of ${name} in the output`);
      assert.deepEqual(m.shape, m0.shape);
      let nz0 = 0;
      let nz = 0;
      const w = f.weights.get(name)!.data;
      for (let i = 0; i < m.data.length; i++) {
        nz0 += m0.data[i];
        nz += m.data[i];
        if (m.data[i] !== m0.data[i]) changed++;
        if (m.data[i] === 0) assert.ok(w[i] === 0, `${name}[${i}] = ${w[i]} masked but nonzero`);
      }
      assert.equal(nz, nz0, `${name}: nonzero count kept by SET (no redistribution)`);
      total += m.data.length;
      kept += nz;
    }
    assert.ok(changed > 0, "DST moved some connections");
    assert.ok(Math.abs(kept / total - 0.2) < 0.01, `density ${kept / total} ≈ 0.2`);
    assert.equal(f.metadata.dst, "set");

    // interrupted after epoch 1, then resumed with the same options
    const ck = path.join(dir, "ck.safetensors");
    const part = path.join(dir, "part.safetensors");
    const r2 = await runQuiet([...base, ...dst, "--checkpoint", ck, "--stop-after-epochs", "1", "--out", part]);
    assert.equal(r2.rc, 0);
    assert.ok(existsSync(ck));
    // a different DST configuration refuses the checkpoint
    await assert.rejects(
      runQuiet([...base, "--dst", "set", "--sparsity", "0.8", "--update-every", "3", "--prune-rate", "0.3", "--checkpoint", ck, "--out", path.join(dir, "x.safetensors")]),
      /different configuration: updateEvery 2 \(this hook: 3\)/,
    );
    await assert.rejects(runQuiet([...base, "--checkpoint", ck, "--out", path.join(dir, "x.safetensors")]), /pruning\/dst:set/);
    const resumed = path.join(dir, "resumed.safetensors");
    const r3 = await runQuiet([...base, ...dst, "--checkpoint", ck, "--out", resumed]);
    assert.equal(r3.rc, 0);
    assert.ok(readFileSync(resumed).equals(readFileSync(full)), "resumed output file is byte-identical to the uninterrupted run's");

    await assert.rejects(command.run([...base, "--dst", "bogus", "--sparsity", "0.8", "--out", full]), /--dst must be one of snfs, rigl, dsr, itop, set/);
    await assert.rejects(command.run([...base, "--dst", "set", "--out", full]), /needs --sparsity/);
    await assert.rejects(command.run([...base, "--sparsity", "0.5", "--out", full]), /only apply with --dst/);
    await assert.rejects(command.run([...base, ...dst.slice(0, 4), "--update-every", "0", "--out", full]), /--update-every must be a positive integer/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
