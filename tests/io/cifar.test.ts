import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadCifar10, loadCifar100, parseCifarRecords } from "../../src/io/cifar";
import { Rng } from "../../src/util/rng";

/** A CIFAR record: label byte(s), then R, G, B planes of 32×32. */
function records(labels: number[][], rng: Rng): { buf: Buffer; planes: Uint8Array[] } {
  const parts: Buffer[] = [];
  const planes: Uint8Array[] = [];
  for (const l of labels) {
    const px = new Uint8Array(3072);
    for (let i = 0; i < px.length; i++) px[i] = rng.int(256);
    planes.push(px);
    parts.push(Buffer.from(l), Buffer.from(px));
  }
  return { buf: Buffer.concat(parts), planes };
}

test("CIFAR-10 binary batches: CHW planes → HWC, labels, names; corrupt files are errors", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "snn-cifar-"));
  try {
    const rng = new Rng(1);
    const all: { label: number; px: Uint8Array }[] = [];
    for (let b = 1; b <= 5; b++) {
      const labels = [[b], [(b * 3) % 10]];
      const r = records(labels, rng);
      writeFileSync(path.join(dir, `data_batch_${b}.bin`), r.buf);
      labels.forEach((l, i) => all.push({ label: l[0], px: r.planes[i] }));
    }
    const t = records([[9]], rng);
    writeFileSync(path.join(dir, "test_batch.bin"), t.buf);
    writeFileSync(path.join(dir, "batches.meta.txt"), "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n");
    const tr = loadCifar10("train", dir);
    assert.equal(tr.count, 10);
    assert.equal(tr.channels, 3);
    assert.deepEqual(Array.from(tr.labels), all.map((a) => a.label));
    // pixel (row 5, col 7) of image 3, channel g, is plane byte 1024 + 5*32 + 7
    for (const [i, r, c] of [[3, 5, 7], [0, 0, 0], [9, 31, 31]]) {
      for (let ch = 0; ch < 3; ch++) assert.equal(tr.images[i * 3072 + (r * 32 + c) * 3 + ch], all[i].px[ch * 1024 + r * 32 + c]);
    }
    assert.equal(tr.classNames?.[9], "truck");
    assert.equal(loadCifar10("test", dir).labels[0], 9);

    writeFileSync(path.join(dir, "test_batch.bin"), t.buf.subarray(0, 3000));
    assert.throws(() => loadCifar10("test", dir), /test_batch\.bin: 3000 bytes is not a whole number of 3073-byte records/);
    const badLabel = records([[10]], rng).buf;
    writeFileSync(path.join(dir, "test_batch.bin"), badLabel);
    assert.throws(() => loadCifar10("test", dir), /test_batch\.bin: record 0: label 10 is out of range \[0, 10\)/);
    rmSync(path.join(dir, "data_batch_3.bin"));
    assert.throws(() => loadCifar10("train", dir), /missing .*data_batch_3\.bin/);
    assert.throws(() => loadCifar10("train", ""), /not bundled/);
    assert.throws(() => parseCifarRecords(new Uint8Array(0), "empty.bin", 1, 0, 10), /empty\.bin: empty file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("CIFAR-100 binary: coarse and fine labels", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "snn-cifar100-"));
  try {
    const rng = new Rng(2);
    const r = records([[3, 77], [19, 99], [0, 0]], rng);
    writeFileSync(path.join(dir, "train.bin"), r.buf);
    const fine = loadCifar100("train", dir);
    assert.equal(fine.classes, 100);
    assert.deepEqual(Array.from(fine.labels), [77, 99, 0]);
    const coarse = loadCifar100("train", dir, "coarse");
    assert.equal(coarse.classes, 20);
    assert.deepEqual(Array.from(coarse.labels), [3, 19, 0]);
    assert.equal(fine.images[(2 * 32 + 1) * 3 + 2], r.planes[0][2048 + 2 * 32 + 1]);
    writeFileSync(path.join(dir, "test.bin"), records([[20, 5]], rng).buf);
    assert.throws(() => loadCifar100("test", dir), /test\.bin: record 0: coarse label 20 is out of range \[0, 20\)/);
    // a CIFAR-10 file read as CIFAR-100: size is not a multiple of 3074
    writeFileSync(path.join(dir, "test.bin"), records([[1], [2]], rng).buf);
    assert.throws(() => loadCifar100("test", dir), /not a whole number of 3074-byte records/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
