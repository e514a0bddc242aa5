/**
 * The dataset catalogue: names, aliases and the paper's spellings (checked against the released
 * unrolled.csv's `dataset` column when the paper data is present), the required-files check, and
 * loadDataset against the format readers on a small CIFAR-10-shaped folder.
 */
import { test } from "node:test";
import { paperDataSkip } from "../paper-data";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DATASETS, GRID_DATASETS, datasetDisplayName, findDataset, loadDataset, missingDatasetFiles, parseDatasetName } from "../../src/io/datasets";
import { loadCifar10 } from "../../src/io/cifar";
import { paperDataDir } from "../../src/io/paths";
import { readCsv, stringColumn } from "../../src/io/csv";

test("names: ids, aliases and paper spellings resolve; unknown names are named errors", () => {
  assert.equal(findDataset("CIFAR-10"), "cifar10");
  assert.equal(findDataset("cifar_100"), "cifar100");
  assert.equal(findDataset("FMNIST"), "fashion-mnist");
  assert.equal(findDataset("Fashion-MNIST"), "fashion-mnist");
  assert.equal(findDataset("tiny imagenet"), "tinyimagenet");
  assert.equal(findDataset("svhn"), undefined);
  assert.throws(() => parseDatasetName("svhn", "prune: --dataset"), /prune: --dataset: unknown dataset 'svhn' \(known: fashion-mnist, mnist, cifar10, cifar100, tinyimagenet\)/);
  assert.deepEqual([...GRID_DATASETS], ["fashion-mnist", "cifar10", "cifar100", "tinyimagenet"]);
  assert.equal(datasetDisplayName("something-else"), "something-else");
});

const unrolled = path.join(paperDataDir(), "graph_metrics", "unrolled", "unrolled.csv");
test("the paper's spellings are those of unrolled.csv", { skip: paperDataSkip() }, () => {
  const released = new Set(stringColumn(readCsv(unrolled), "dataset"));
  for (const d of ["cifar10", "cifar100", "tinyimagenet"] as const) assert.ok(released.has(DATASETS[d].displayName), `${DATASETS[d].displayName} not in ${[...released].join(", ")}`);
});

test("loadDataset reads through the catalogue what the format reader reads; missing files are listed", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snn-datasets-"));
  try {
    assert.equal(missingDatasetFiles("cifar10", dir).length, 6);
    const rec = Buffer.alloc(3 * 3073);
    for (let i = 0; i < rec.length; i++) rec[i] = (i * 7) % 10;
    for (let b = 1; b <= 5; b++) fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), rec);
    assert.deepEqual(missingDatasetFiles("cifar10", dir), [path.join(dir, "test_batch.bin")]);
    fs.writeFileSync(path.join(dir, "test_batch.bin"), rec);
    assert.deepEqual(missingDatasetFiles("cifar10", dir), []);
    const a = loadDataset("CIFAR-10", "train", { dir });
    const b = loadCifar10("train", dir);
    assert.equal(a.count, 15);
    assert.deepEqual(a.images, b.images);
    assert.deepEqual(a.labels, b.labels);
    // IDX files count whether gzipped or not
    const idx = fs.mkdtempSync(path.join(os.tmpdir(), "snn-datasets-idx-"));
    try {
      for (const f of DATASETS["fashion-mnist"].requiredFiles) fs.writeFileSync(path.join(idx, f.replace(/\.gz$/, "")), "");
      assert.deepEqual(missingDatasetFiles("fashion-mnist", idx), []);
    } finally {
      fs.rmSync(idx, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
