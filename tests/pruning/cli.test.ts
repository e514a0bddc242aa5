import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { command } from "../../src/cli/prune";
import { readSafetensors, toFloat32 } from "../../src/io/safetensors";
import { tempDir } from "../temp";

test("prune CLI writes masked weights, masks and metadata; bad arguments are named errors", async () => {
  const dir = tempDir("snn-prune-");
  const out = path.join(dir, "erk.safetensors");
  // a child process: the CLI prints to stdout, which node:test uses for its own protocol
  const cli = (args: string[]) => spawnSync(process.execPath, [path.join(__dirname, "..", "..", "bin", "snn-topology.js"), "prune", ...args], { encoding: "utf8" });
  let r = cli(["--arch", "lenet300-100", "--pruner", "erk", "--sparsity", "0.95", "--seed", "2", "--dataset", "fashion-mnist", "--out", out, "--json"]);
  if (r.status !== 0) {
    // without Debian's Fashion-MNIST the dataset cannot be loaded; the data-free path must still work
    assert.match(r.stderr, /Fashion-MNIST/);
    r = cli(["--arch", "conv6", "--width", "0.125", "--pruner", "erk", "--sparsity", "0.95", "--seed", "2", "--out", out, "--json"]);
  }
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { realised_density: string; pruner: string };
  assert.equal(report.pruner, "erk");
  const f = readSafetensors(out);
  const meta = f.metadata;
  assert.equal(meta.pruner, "erk");
  assert.equal(meta.sparsity, "0.95");
  let ones = 0;
  let total = 0;
  for (const [name, t] of f.tensors) {
    if (!name.endsWith("_mask")) continue;
    const w = f.tensors.get(name.slice(0, -5))!;
    const wd = toFloat32(w);
    const md = t.bytes;
    for (let i = 0; i < md.length; i++) {
      ones += md[i];
      if (md[i] === 0) assert.ok(wd[i] === 0, `${name}: masked weight ${i} is ${wd[i]}`);
    }
    total += md.length;
  }
  assert.ok(Math.abs(1 - ones / total - 0.95) < 1e-3);
  assert.equal(Number(meta.realised_density), ones / total);
  await assert.rejects(command.run(["--arch", "lenet5", "--pruner", "magic", "--sparsity", "0.9", "--out", out]), /prune: unknown --pruner 'magic'/);
  await assert.rejects(command.run(["--arch", "lenet5", "--pruner", "erk", "--sparsity", "1.5", "--out", out]), /--sparsity must be a number in \(0, 1\)/);
  await assert.rejects(command.run(["--arch", "conv6", "--pruner", "snip", "--sparsity", "0.5", "--out", out]), /needs training data/);
  fs.rmSync(dir, { recursive: true, force: true });
});
