import { test } from "node:test";
import assert from "node:assert/strict";
import { batchIndices, channelStats, checkDataset, makeBatch, subsetDataset, type ImageDataset } from "../../src/io/augment";
import { Rng } from "../../src/util/rng";

function dataset(n: number, h: number, w: number, c: number): ImageDataset {
  const rng = new Rng(1);
  const images = new Uint8Array(n * h * w * c).map(() => rng.int(256));
  const labels = new Int32Array(n).map((_, i) => i % 3);
  return { name: "synthetic", count: n, height: h, width: w, channels: c, classes: 3, images, labels };
}

test("normalisation and channel statistics", () => {
  const d = dataset(5, 4, 3, 2);
  const st = channelStats(d);
  for (let c = 0; c < 2; c++) {
    const v: number[] = [];
    for (let i = c; i < d.images.length; i += 2) v.push(d.images[i] / 255);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    assert.ok(Math.abs(st.mean[c] - m) < 1e-12 && Math.abs(st.std[c] - s) < 1e-9);
  }
  const b = makeBatch(d, [4, 1], st);
  assert.deepEqual(Array.from(b.y), [1, 1]);
  for (let k = 0; k < 24; k++) {
    const c = k % 2;
    assert.ok(Math.abs(b.x[k] - (d.images[4 * 24 + k] / 255 - st.mean[c]) / st.std[c]) < 1e-5);
  }
});

test("random crop with zero padding and flip: every augmented image is one of the (2P+1)²·2 shifted/flipped copies", () => {
  const H = 5, W = 6, C = 2, P = 2;
  const d = dataset(3, H, W, C);
  const norm = { mean: [0, 0], std: [1 / 255, 1 / 255] }; // x = raw byte value
  const rng = new Rng(7);
  const seen = new Set<string>();
  for (let rep = 0; rep < 400; rep++) {
    const b = makeBatch(d, [rep % 3], norm, { cropPadding: P, flip: true }, rng);
    const img = rep % 3;
    let match = "";
    for (let dy = -P; dy <= P && !match; dy++) for (let dx = -P; dx <= P && !match; dx++) for (const flip of [false, true]) {
      let ok = true;
      for (let r = 0; r < H && ok; r++) for (let q = 0; q < W && ok; q++) {
        // torchvision: crop (shift by dy, dx with zero padding), then flip the crop
        const sq = flip ? W - 1 - q + dx : q + dx;
        const sr = r + dy;
        for (let ch = 0; ch < C; ch++) {
          const want = sr < 0 || sr >= H || sq < 0 || sq >= W ? 0 : d.images[((img * H + sr) * W + sq) * C + ch];
          if (Math.abs(b.x[(r * W + q) * C + ch] - want) > 1e-3) { ok = false; break; }
        }
      }
      if (ok) { match = `${dy},${dx},${flip}`; break; }
    }
    assert.ok(match, `augmented image ${rep} matches no crop/flip`);
    seen.add(match);
  }
  assert.ok(seen.size > 40, `only ${seen.size} of 50 crop/flip combinations drawn`);
  // same seed → same batch
  const a1 = makeBatch(d, [0, 1, 2], norm, { cropPadding: P, flip: true }, new Rng(3));
  const a2 = makeBatch(d, [0, 1, 2], norm, { cropPadding: P, flip: true }, new Rng(3));
  assert.deepEqual(a1.x, a2.x);
  assert.throws(() => makeBatch(d, [0], norm, { cropPadding: 1, flip: false }), /needs an Rng/);
});

test("batch indices, subsets, dataset checks", () => {
  const b = batchIndices(10, 4, new Rng(1));
  assert.deepEqual(b.map((x) => x.length), [4, 4, 2]);
  assert.deepEqual([...b.flatMap((x) => Array.from(x))].sort((p, q) => p - q), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(batchIndices(10, 4, null, true).map((x) => Array.from(x)), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  const d = dataset(4, 2, 2, 1);
  const s = subsetDataset(d, [3, 0]);
  assert.deepEqual(Array.from(s.images), [...d.images.subarray(12, 16), ...d.images.subarray(0, 4)]);
  assert.deepEqual(Array.from(s.labels), [0, 0]);
  assert.throws(() => checkDataset({ ...d, labels: Int32Array.from([0, 1, 5, 0]) }), /synthetic: label 5 of image 2 is outside \[0, 3\)/);
  assert.throws(() => checkDataset({ ...d, images: new Uint8Array(3) }), /3 image bytes for 4 images of 4/);
});
