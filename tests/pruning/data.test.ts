// Pruning data: the array-backed and the dataset-backed PruneData sample through one path, so the
// same seed draws the same examples (and values, under the same normalisation), and both refuse
// bad labels and batch sizes alike.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ImageDataset } from "../../src/io/augment";
import { arrayPruneData, datasetPruneData, type PruneBatch } from "../../src/pruning/data";
import { Rng } from "../../src/util/rng";

function dataset(count: number, seed: number): ImageDataset {
  const rng = new Rng(seed);
  const images = Uint8Array.from({ length: count * 4 * 4 }, () => rng.int(256));
  const labels = Int32Array.from({ length: count }, (_, i) => (i * 7) % 3);
  return { name: "tiny-set", count, height: 4, width: 4, channels: 1, classes: 3, images, labels };
}

function values(b: PruneBatch): { x: number[]; y: number[] } {
  const out = { x: Array.from(b.x.dataSync()), y: Array.from(b.y.dataSync()) };
  b.x.dispose();
  b.y.dispose();
  return out;
}

test("arrayPruneData and datasetPruneData draw the same examples for the same seed", () => {
  const ds = dataset(60, 1);
  const norm = { mean: [0.4], std: [0.2] };
  const fromSet = datasetPruneData(ds, { normalization: norm });
  const fromArrays = arrayPruneData(ds.images, ds.labels, { shape: [4, 4, 1], classes: 3, mean: 0.4, std: 0.2 });
  for (const draw of [(d: typeof fromSet, r: Rng) => d.batch(17, r), (d: typeof fromSet, r: Rng) => d.perClass(5, r)]) {
    const a = values(draw(fromSet, new Rng(9)));
    const b = values(draw(fromArrays, new Rng(9)));
    assert.deepEqual(a.y, b.y, "same labels in the same order");
    a.x.forEach((v, i) => assert.ok(Math.abs(v - b.x[i]) < 1e-5, `pixel ${i}: ${v} vs ${b.x[i]}`));
  }
});

test("both refuse a label outside the classes and a batch larger than the data, naming the source", () => {
  const ds = dataset(10, 2);
  const bad = { ...ds, labels: Int32Array.from(ds.labels, (l, i) => (i === 4 ? 3 : l)) };
  assert.throws(() => datasetPruneData(bad), /pruning\/data: tiny-set: label 4 is 3, outside \[0, 3\)/);
  assert.throws(() => arrayPruneData(bad.images, bad.labels, { shape: [4, 4, 1], classes: 3 }), /pruning\/data: label 4 is 3, outside \[0, 3\)/);
  assert.throws(() => datasetPruneData({ ...ds, count: 9 }), /pruning\/data: tiny-set: 10 labels for 9 images/);
  assert.throws(() => datasetPruneData(ds).batch(11, new Rng(0)), /pruning\/data: tiny-set: batch size 11 not in \[1, 10\]/);
  assert.throws(() => datasetPruneData(ds).perClass(5, new Rng(0)), /pruning\/data: tiny-set: class 0 has 4 examples, 5 needed/);
});
