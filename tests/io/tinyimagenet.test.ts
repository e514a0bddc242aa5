import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { encode } from "jpeg-js";
import { decodeJpegRgb, loadTinyImageNet, resizeBox } from "../../src/io/tinyimagenet";
import { Rng } from "../../src/util/rng";

function jpeg(file: string, w: number, h: number, seed: number, gray = false): void {
  const rng = new Rng(seed);
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const v = rng.int(256);
    data[4 * i] = v;
    data[4 * i + 1] = gray ? v : rng.int(256);
    data[4 * i + 2] = gray ? v : rng.int(256);
    data[4 * i + 3] = 255;
  }
  writeFileSync(file, encode({ data, width: w, height: h }, 90).data);
}

test("BOX resize: factor 2 is the rounded 2×2 mean of the rounded horizontal pass; identity copies", () => {
  const rng = new Rng(1);
  const h = 6, w = 8, c = 3;
  const src = new Uint8Array(h * w * c).map(() => rng.int(256));
  const out = resizeBox(src, h, w, c, 3, 4);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) for (let ch = 0; ch < c; ch++) {
    const at = (r: number, q: number) => src[(r * w + q) * c + ch];
    const r0 = Math.floor((at(2 * y, 2 * x) + at(2 * y, 2 * x + 1)) / 2 + 0.5);
    const r1 = Math.floor((at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 2 + 0.5);
    assert.equal(out[(y * 4 + x) * c + ch], Math.floor((r0 + r1) / 2 + 0.5));
  }
  assert.deepEqual(resizeBox(src, h, w, c, h, w), src);
  // factor 3 along one axis: mean of 3
  const s1 = new Uint8Array([10, 20, 40, 0, 0, 1]);
  assert.deepEqual(Array.from(resizeBox(s1, 1, 6, 1, 1, 2)), [23, 0]);
});

test("Tiny-ImageNet folders: sorted wnids as classes, train and val via annotations, resize to 32, errors", () => {
  const root = mkdtempSync(path.join(tmpdir(), "snn-tin-"));
  try {
    const wnids = ["n02", "n01", "n03"]; // unsorted on purpose
    writeFileSync(path.join(root, "wnids.txt"), wnids.join("\n") + "\n");
    let seed = 0;
    for (const w of wnids) {
      const dir = path.join(root, "train", w, "images");
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 2; i++) jpeg(path.join(dir, `${w}_${i}.JPEG`), 64, 64, seed++, w === "n03" && i === 1);
    }
    mkdirSync(path.join(root, "val", "images"), { recursive: true });
    jpeg(path.join(root, "val", "images", "val_0.JPEG"), 64, 64, 100);
    jpeg(path.join(root, "val", "images", "val_1.JPEG"), 64, 64, 101);
    writeFileSync(path.join(root, "val", "val_annotations.txt"), "val_0.JPEG\tn03\t0\t0\t10\t10\nval_1.JPEG\tn01\t1\t2\t3\t4\n");

    const tr = loadTinyImageNet("train", root);
    assert.deepEqual(tr.classNames, ["n01", "n02", "n03"]);
    assert.equal(tr.count, 6);
    assert.deepEqual(Array.from(tr.labels), [0, 0, 1, 1, 2, 2]);
    assert.equal(tr.height, 32);
    assert.equal(tr.channels, 3);
    // image 0 = n01_0 (seed 2 since n02 was written first): decode + resize independently
    const dec = decodeJpegRgb(path.join(root, "train", "n01", "images", "n01_0.JPEG"));
    assert.equal(dec.width, 64);
    const want = resizeBox(dec.data, 64, 64, 3, 32, 32);
    assert.deepEqual(tr.images.subarray(0, 32 * 32 * 3), want);
    // grayscale JPEG → R = G = B
    const g = tr.images.subarray(5 * 3072, 6 * 3072);
    for (let p = 0; p < 1024; p++) assert.ok(g[3 * p] === g[3 * p + 1] && g[3 * p] === g[3 * p + 2]);
    const va = loadTinyImageNet("val", root);
    assert.deepEqual(Array.from(va.labels), [2, 0]);
    assert.equal(loadTinyImageNet("train", root, { limitPerClass: 1, size: 16 }).count, 3);

    writeFileSync(path.join(root, "val", "val_annotations.txt"), "val_0.JPEG\tn09\t0\t0\t10\t10\n");
    assert.throws(() => loadTinyImageNet("val", root), /val_annotations\.txt:1: class 'n09' is not in wnids/);
    writeFileSync(path.join(root, "val", "val_annotations.txt"), "val_9.JPEG\tn01\n");
    assert.throws(() => loadTinyImageNet("val", root), /missing image .*val_9\.JPEG/);
    writeFileSync(path.join(root, "train", "n02", "images", "n02_0.JPEG"), Buffer.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]));
    assert.throws(() => loadTinyImageNet("train", root), /n02_0\.JPEG: not a decodable JPEG/);
    rmSync(path.join(root, "train", "n03"), { recursive: true });
    assert.throws(() => loadTinyImageNet("train", root), /class n03: missing folder/);
    assert.throws(() => loadTinyImageNet("train", path.join(root, "nope")), /does not exist/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
