/**
 * The real pipeline end to end on the `tiny` preset (1 dense + 1 sparse cell, 512 Fashion-MNIST
 * images, LeNet-300-100 at width 1/4): seconds per run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isVolatileColumn } from "../../src/experiment/columns";
import type { Row } from "../../src/experiment/executor";
import { parseGrid } from "../../src/experiment/grid";
import { PRESETS } from "../../src/experiment/presets";
import { readResultsCsv } from "../../src/experiment/results";
import { runGrid } from "../../src/experiment/runner";
import { loadNetwork } from "../../src/nn/network-file";
import { buildArchitecture } from "../../src/nn/architectures";
import { loadNetworkCsv } from "../../src/analysis/data";
import { featureColumn, featureColumns } from "../../src/analysis/features";

const FMNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

function stable(r: Row): Row {
  const s: Row = {};
  for (const [k, v] of Object.entries(r)) if (!isVolatileColumn(k)) s[k] = v;
  return s;
}

test("tiny real grid: prune → train → evaluate → MGE/BGE metrics, one row per cell, deterministic across processes", { skip: !existsSync(FMNIST) && "Fashion-MNIST not installed" }, async () => {
  const base = mkdtempSync(path.join(os.tmpdir(), "snn-pipeline-"));
  try {
    const grid = PRESETS.tiny();
    const a = path.join(base, "a");
    const s = await runGrid({ grid, resultsDir: a, workers: 0 });
    assert.equal(s.failed.length, 0, JSON.stringify(s.failed));
    assert.equal(s.done, 2);
    const rows = readResultsCsv(path.join(a, "results.csv")).rows;
    const dense = readResultsCsv(path.join(a, "dense.csv")).rows;
    assert.equal(rows.length, 1);
    assert.equal(dense.length, 1);
    const r = rows[0];
    const d = dense[0];
    // LeNet-300-100 at width 1/4 on 28×28: 784 + 75 + 25 + 10 nodes; an MLP's MGE has one edge per kept weight.
    assert.equal(r.nodes, 784 + 75 + 25 + 10);
    assert.equal(r.params, 784 * 75 + 75 * 25 + 25 * 10);
    assert.equal(r.edges, r.nnz);
    assert.ok(Math.abs((r.realised_sparsity as number) - 0.9) < 1e-3, `realised sparsity ${r.realised_sparsity}`);
    const N = r.nodes as number;
    const E = r.edges as number;
    // Paper normalisation (reference-notes §2.1): 1-hop/E with 1-hop = 1 + E/N; mean CC size/N = 1/#CC.
    assert.ok(Math.abs((r["1-hop_nei"] as number) * E - (1 + E / N)) < 1e-9);
    assert.ok(Math.abs((r.mean_connected_components as number) * (r.no_connected_components as number) - 1) < 1e-12);
    for (const c of ["accuracy", "dense_accuracy"]) assert.ok((r[c] as number) >= 0 && (r[c] as number) <= 1, c);
    assert.equal(r.dense_accuracy, d.accuracy);
    assert.ok(Math.abs((r.accuracy_drop as number) - ((d.accuracy as number) - (r.accuracy as number))) < 1e-12);
    assert.equal(r.pruning, "uniform");
    assert.equal(d.pruning, "dense");
    assert.equal(typeof r["rolled:bridges_mean"], "number");
    assert.equal(typeof r["rolled_channel:nei_one_hop_mean"], "number");
    assert.equal(typeof r["ramanujan:degree_bound_mean"], "number");
    assert.ok(Math.abs((r["ramanujan:global_density"] as number) - (1 - (r.realised_sparsity as number))) < 1e-12);
    // The saved network is the pruned one.
    const net = loadNetwork(path.join(a, String(r.model_file)), buildArchitecture("lenet300-100", { widthMultiplier: 0.25 }));
    let kept = 0;
    let total = 0;
    for (const m of net.masks.values()) {
      total += m.data.length;
      for (const v of m.data) kept += v;
    }
    assert.equal(kept, r.nnz);
    assert.equal(total, r.params);
    assert.equal(net.metadata.cell_key, r.cell_key);

    // The analysis reads our rows like the paper's: the drop from our column, every feature set present.
    const { table } = loadNetworkCsv(path.join(a, "results.csv"));
    assert.equal(table.n, 1);
    assert.equal(table.dropSource, "accuracy_drop column");
    assert.equal(table.accuracyDrop[0], r.accuracy_drop);
    for (const set of ["mge", "rolled", "rolled-channel", "ramanujan", "density"] as const) {
      const cols = featureColumns(table, set);
      assert.ok(cols.length > 0, set);
    }
    assert.equal(featureColumn(table, "sink_nodes")[0], r.sink_nodes);

    // Same cells in a worker process: identical rows (what makes shards mergeable).
    const b = path.join(base, "b");
    const s2 = await runGrid({ grid, resultsDir: b, workers: 1 });
    assert.equal(s2.failed.length, 0, JSON.stringify(s2.failed));
    assert.deepEqual(stable(readResultsCsv(path.join(b, "results.csv")).rows[0]), stable(r));
    assert.deepEqual(stable(readResultsCsv(path.join(b, "dense.csv")).rows[0]), stable(d));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("grids whose dataset files are missing fail before work, naming the path", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "snn-pipeline-"));
  try {
    const grid = parseGrid({ ...PRESETS.tiny(), dataDirs: { "fashion-mnist": dir } });
    await assert.rejects(runGrid({ grid, resultsDir: path.join(dir, "out"), workers: 0 }), new RegExp(`missing file '${dir}/train-images-idx3-ubyte.gz'`));
    assert.ok(!existsSync(path.join(dir, "out")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("paper-style cell on CIFAR-10 binary files (synthetic, 120 images): Conv-6 at width 1/16, PaI and DST pruners", async () => {
  const base = mkdtempSync(path.join(os.tmpdir(), "snn-pipeline-"));
  try {
    const cifar = path.join(base, "cifar-10-batches-bin");
    mkdirSync(cifar);
    let k = 0;
    const batch = (n: number): Buffer => {
      const b = Buffer.alloc(n * 3073);
      for (let i = 0; i < n; i++) {
        const label = k++ % 10;
        b[i * 3073] = label;
        // Class-dependent brightness, so the task is learnable at all.
        for (let p = 1; p < 3073; p++) b[i * 3073 + p] = (label * 23 + ((p * 7 + i) % 31)) & 255;
      }
      return b;
    };
    for (let i = 1; i <= 5; i++) writeFileSync(path.join(cifar, `data_batch_${i}.bin`), batch(20));
    writeFileSync(path.join(cifar, "test_batch.bin"), batch(20));
    const grid = parseGrid({
      name: "cifar-mini", architectures: ["conv6"], datasets: ["cifar10"], pruners: ["snip", "rigl"], sparsities: [0.8], seeds: [3],
      training: { epochs: 1, batchSize: 20, widthMultiplier: 0.0625 },
      metrics: { motifs: "estimate", bge: true, ramanujan: true, saveModels: false },
      dataDirs: { cifar10: cifar },
    });
    const out = path.join(base, "out");
    const s = await runGrid({ grid, resultsDir: out, workers: 0 });
    assert.equal(s.failed.length, 0, JSON.stringify(s.failed));
    const rows = readResultsCsv(path.join(out, "results.csv")).rows;
    assert.equal(rows.length, 2);
    for (const r of rows) {
      assert.equal(r.model, "CONV-6");
      assert.equal(r.dataset, "CIFAR-10");
      assert.equal(r.train_steps, 5);
      assert.ok(Math.abs((r.realised_sparsity as number) - 0.8) < 0.01, `${r.pruning}: realised sparsity ${r.realised_sparsity}`);
      assert.ok((r.edges as number) > 0 && (r.nodes as number) > 32 * 32 * 3);
      assert.equal(r.model_file, null);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
