import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readResultsCsv } from "../../src/experiment/results";

const BIN = path.resolve(__dirname, "..", "..", "bin", "snn-topology.js");
const FAKE = path.join(__dirname, "fake-executor.ts");

function cli(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const fake = {
  name: "fakecli", architectures: ["mlp"], datasets: ["toy"], pruners: ["snip", "erk"], sparsities: [0.5, 0.8, 0.9], seeds: [0, 1],
  executor: FAKE, codeVersion: "test",
};

test("run (sharded, 2 workers) + merge via the CLI equals the unsharded run", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "snn-cli-"));
  try {
    const grid = path.join(dir, "grid.json");
    writeFileSync(grid, JSON.stringify(fake));
    const all = cli(["run", "--grid", grid, "--results", path.join(dir, "all"), "--workers", "0", "--quiet"]);
    assert.equal(all.code, 0, all.err);
    for (const i of [0, 1]) {
      const r = cli(["run", "--grid", grid, "--results", path.join(dir, `s${i}`), "--workers", "2", "--shard", `${i}/2`, "--quiet"]);
      assert.equal(r.code, 0, r.err);
    }
    const m = cli(["merge", path.join(dir, "s0"), path.join(dir, "s1"), "--out", path.join(dir, "merged")]);
    assert.equal(m.code, 0, m.err);
    assert.match(m.out, /12 rows/);
    const key = (f: string) => readResultsCsv(f).rows.map((r) => `${r.cell_key}|${r.accuracy}|${r.edges}|${r.dense_accuracy}`).sort();
    assert.deepEqual(key(path.join(dir, "merged", "results.csv")), key(path.join(dir, "all", "results.csv")));
    // Files mode.
    const f = cli(["merge", path.join(dir, "s0", "results.csv"), path.join(dir, "s1", "results.csv"), "--out", path.join(dir, "m.csv")]);
    assert.equal(f.code, 0, f.err);
    assert.deepEqual(key(path.join(dir, "m.csv")), key(path.join(dir, "all", "results.csv")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a bad grid file fails before any work with a message naming the problem", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "snn-cli-"));
  try {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...fake, executor: undefined, architectures: ["lenet5"], datasets: ["fashion-mnist"], pruners: ["snip", "magic"] }, /unknown pruner 'magic'/],
      [{ ...fake, sparsities: [0.5, 1.5] }, /sparsity 1.5 is outside \(0, 1\)/],
      [{ ...fake, executor: undefined, architectures: ["lenet5"], datasets: ["cifar10"], dataDirs: { cifar10: path.join(dir, "no-cifar") } }, /dataset 'cifar10': folder '.*no-cifar' does not exist/],
    ];
    for (const [g, re] of cases) {
      const file = path.join(dir, "bad.json");
      writeFileSync(file, JSON.stringify(g));
      const out = path.join(dir, "out");
      const r = cli(["run", "--grid", file, "--results", out, "--quiet"]);
      assert.equal(r.code, 1);
      assert.match(r.err, re);
      assert.ok(!existsSync(out), "nothing may be written for a bad grid");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the example grid file in data/presets parses and validates", () => {
  const r = cli(["run", "--grid", path.resolve(__dirname, "..", "..", "data", "presets", "example.json"), "--dry-run"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /6 dense baselines \+ 48 sparse cells/);
});
