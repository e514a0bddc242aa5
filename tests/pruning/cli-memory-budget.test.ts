import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { command } from "../../src/cli/prune";

// a child process: the CLI prints to stdout, which node:test uses for its own protocol
const cli = (args: string[]) => spawnSync(process.execPath, [path.join(__dirname, "..", "..", "bin", "snn-topology.js"), "prune", ...args], { encoding: "utf8" });

test("prune CLI --memory-budget: MiB reach the chunk plan; too small or invalid budgets are named errors", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snn-prune-mb-"));
  try {
    const out = path.join(dir, "snip.safetensors");
    const base = ["--arch", "lenet5", "--pruner", "snip", "--sparsity", "0.9", "--seed", "1", "--out", out, "--json"];
    const free = cli(base);
    if (free.status !== 0 && /Fashion-MNIST/.test(free.stderr)) {
      t.skip("Debian's dataset-fashion-mnist is not installed");
      return;
    }
    assert.equal(free.status, 0, free.stderr);
    const freeInfo = (JSON.parse(free.stdout) as { info: Record<string, unknown> }).info;
    assert.notEqual(freeInfo.memoryBudgetSource, "option");
    assert.equal(freeInfo.chunks, 1, "LeNet-5, batch 128 fits the default budget in one pass");

    // 100 MiB: a LeNet-5 grad pass on 128 examples does not fit, so the batch must be split
    const r = cli([...base, "--memory-budget", "100"]);
    assert.equal(r.status, 0, r.stderr);
    const info = (JSON.parse(r.stdout) as { info: Record<string, unknown> }).info;
    assert.equal(info.memoryBudgetSource, "option");
    assert.equal(info.memoryBudgetMiB, 100, "the option is MiB, passed on as bytes");
    const chunks = info.chunks as number;
    const chunkSize = info.chunkSize as number;
    assert.ok(chunks > 1, `split into ${chunks} chunk(s)`);
    assert.equal(chunks, Math.ceil(128 / chunkSize));
    assert.ok((info.memoryEstimateMiB as number) <= 100);

    const tiny = cli([...base, "--memory-budget", "1"]);
    assert.notEqual(tiny.status, 0);
    assert.match(tiny.stderr, /pruning\/snip: lenet5 .*even one example needs about .* more than the memory budget 1\.0 MiB \(option/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const out = path.join(os.tmpdir(), "never-written.safetensors");
  for (const bad of ["0", "-5", "abc", "", "Infinity"]) {
    await assert.rejects(command.run(["--arch", "lenet5", "--pruner", "snip", "--sparsity", "0.9", "--out", out, `--memory-budget=${bad}`]), /prune: --memory-budget must be a positive number of MiB/, bad);
  }
  await assert.rejects(command.run(["--arch", "lenet5", "--pruner", "erk", "--sparsity", "0.9", "--out", out, "--memory-budget", "100"]), /--memory-budget applies to snip, grasp, prospr only/);
});
