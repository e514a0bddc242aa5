import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { command } from "../../src/cli/train";
import { readModelFile } from "../../src/train/checkpoint";
import { saveNetwork } from "../../src/io/network-file";
import { Rng } from "../../src/util/rng";
import { idxBytes } from "./tiny-fixtures";

const idx = idxBytes;

test("train CLI: trains on MNIST-format files, keeps the masks of --weights fixed, writes weights + masks", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "snn-cli-train-"));
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const werr = process.stderr.write.bind(process.stderr);
  try {
    const rng = new Rng(1);
    for (const [split, n] of [["train", 64], ["t10k", 32]] as const) {
      const labels = new Uint8Array(n).map(() => rng.int(10));
      const images = new Uint8Array(n * 28 * 28);
      for (let i = 0; i < n; i++) for (let p = 0; p < 28; p++) images[i * 784 + labels[i] * 28 + p] = 200; // row = class
      writeFileSync(path.join(dir, `${split}-images-idx3-ubyte`), idx([n, 28, 28], images));
      writeFileSync(path.join(dir, `${split}-labels-idx1-ubyte`), idx([n], labels));
    }
    // a "pruned" LeNet-300-100 at width 0.05 (fc1 784→15, fc2 15→5, fc3 5→10): prune half of fc1
    const weights = new Map<string, { shape: number[]; data: Float32Array }>();
    const masks = new Map<string, { shape: number[]; data: Uint8Array }>();
    for (const [name, shape] of [["fc1.weight", [15, 784]], ["fc2.weight", [5, 15]], ["fc3.weight", [10, 5]]] as const) {
      const n = shape[0] * shape[1];
      const data = new Float32Array(n).map(() => rng.normal() * 0.1);
      const m = new Uint8Array(n).map((_, i) => (name === "fc1.weight" ? i % 2 : 1));
      for (let i = 0; i < n; i++) if (!m[i]) data[i] = 0;
      weights.set(name, { shape: [...shape], data });
      masks.set(name, { shape: [...shape], data: m });
    }
    const pruned = path.join(dir, "pruned.safetensors");
    saveNetwork(pruned, weights, masks, { arch: "lenet300-100" });
    const trained = path.join(dir, "trained.safetensors");
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    const rc = await command.run(["--arch", "lenet300-100", "--width", "0.05", "--dataset", "mnist", "--data-dir", dir, "--weights", pruned, "--epochs", "2", "--batch-size", "16", "--out", trained]);
    process.stdout.write = write;
    process.stderr.write = werr;
    assert.equal(rc, 0);
    assert.match(out.join(""), /test top-1 \d+\.\d\d % after 2 epoch\(s\)/);
    const f = readModelFile(trained);
    assert.equal(f.metadata.arch, "lenet300-100");
    const w = f.weights.get("fc1.weight")!.data;
    const m = f.masks.get("fc1.weight")!.data;
    assert.deepEqual(m, masks.get("fc1.weight")!.data);
    let moved = 0;
    for (let i = 0; i < w.length; i++) {
      if (m[i] === 0) assert.ok(w[i] === 0, `fc1.weight[${i}] = ${w[i]}`);
      else if (w[i] !== weights.get("fc1.weight")!.data[i]) moved++;
    }
    assert.ok(moved > 0, "kept weights were trained");
    assert.ok(f.weights.get("fc1.bias")!.data.every((v) => v === 0), "biases stay frozen at 0");
    await assert.rejects(command.run(["--arch", "lenet5", "--dataset", "mnist", "--data-dir", dir, "--weights", pruned, "--out", trained]), /holds a 'lenet300-100' network, the model is 'lenet5'/);
  } finally {
    process.stdout.write = write;
    process.stderr.write = werr;
    rmSync(dir, { recursive: true, force: true });
  }
});
