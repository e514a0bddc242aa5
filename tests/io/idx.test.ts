import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { fashionMnistDir, loadFashionMnist, loadIdxDataset, loadMnist, parseIdx, readIdx } from "../../src/io/idx";

function idx(dims: number[], data: number[] | Uint8Array, type = 0x08): Buffer {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h[2] = type;
  h[3] = dims.length;
  dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([h, Buffer.from(data)]);
}

test("IDX: raw and gzip, dims, data; corrupt files give errors naming the file and the problem", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "snn-idx-"));
  try {
    const img = Array.from({ length: 3 * 2 * 4 }, (_, i) => i * 7 % 256);
    const raw = path.join(dir, "img-idx3-ubyte");
    writeFileSync(raw, idx([3, 2, 4], img));
    const gz = path.join(dir, "img-idx3-ubyte.gz");
    writeFileSync(gz, gzipSync(idx([3, 2, 4], img)));
    for (const f of [raw, gz]) {
      const a = readIdx(f);
      assert.deepEqual(a.dims, [3, 2, 4]);
      assert.deepEqual(Array.from(a.data), img);
    }
    const lab = path.join(dir, "lab-idx1-ubyte.gz");
    writeFileSync(lab, gzipSync(idx([3], [2, 0, 9])));
    const d = loadIdxDataset(gz, lab, { name: "tiny" });
    assert.equal(d.count, 3);
    assert.equal(d.height, 2);
    assert.equal(d.width, 4);
    assert.equal(d.channels, 1);
    assert.deepEqual(Array.from(d.labels), [2, 0, 9]);
    assert.deepEqual(Array.from(d.images), img);

    const bad = (name: string, content: Buffer): string => { const p = path.join(dir, name); writeFileSync(p, content); return p; };
    assert.throws(() => readIdx(bad("trunc.gz", gzipSync(idx([3, 2, 4], img)).subarray(0, 20))), /trunc\.gz: corrupt or truncated gzip/);
    assert.throws(() => readIdx(bad("short", idx([3, 2, 4], img.slice(0, 20)))), /short: truncated data: dimensions \[3, 2, 4\] need 24 bytes, the file has 20/);
    assert.throws(() => readIdx(bad("trail", Buffer.concat([idx([3, 2, 4], img), Buffer.from([1])]))), /trail: 1 unexpected trailing bytes/);
    assert.throws(() => readIdx(bad("magic", Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]))), /magic: wrong magic 50 4b 03 04/);
    assert.throws(() => readIdx(bad("float", idx([1], [0, 0, 0, 0], 0x0d))), /float: data type float is not supported/);
    assert.throws(() => readIdx(bad("hdr", Buffer.from([0, 0, 8, 3, 0, 0]))), /hdr: truncated header/);
    assert.throws(() => readIdx(path.join(dir, "absent")), /cannot read .*absent/);
    const lab2 = bad("lab2", idx([3], [2, 10, 1]));
    assert.throws(() => loadIdxDataset(raw, lab2), /lab2: label 10 of item 1 is out of range \[0, 10\)/);
    const lab3 = bad("lab3", idx([2], [2, 1]));
    assert.throws(() => loadIdxDataset(raw, lab3), /lab3 has 2 labels but .* has 3 images/);
    assert.throws(() => loadIdxDataset(lab, lab), /images must have 3 or 4 dimensions/);
    assert.throws(() => parseIdx(new Uint8Array([0, 0])), /too short/);
    // loadMnist finds raw or .gz files by their standard names
    writeFileSync(path.join(dir, "t10k-images-idx3-ubyte"), idx([3, 2, 4], img));
    writeFileSync(path.join(dir, "t10k-labels-idx1-ubyte.gz"), gzipSync(idx([3], [1, 2, 3])));
    assert.deepEqual(Array.from(loadMnist("test", dir).labels), [1, 2, 3]);
    assert.throws(() => loadMnist("train", dir), /neither train-images-idx3-ubyte nor train-images-idx3-ubyte\.gz/);
    assert.throws(() => loadMnist("test", ""), /MNIST is not bundled/);
    assert.throws(() => loadFashionMnist("test", path.join(dir, "nope")), /apt-get install dataset-fashion-mnist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Fashion-MNIST from Debian's package: 60k/10k, balanced classes, known pixel mean", { skip: !existsSync(fashionMnistDir()) && "dataset-fashion-mnist not installed" }, () => {
  const tr = loadFashionMnist("train");
  const te = loadFashionMnist("test");
  assert.equal(tr.count, 60000);
  assert.equal(te.count, 10000);
  assert.equal(tr.height, 28);
  assert.equal(tr.channels, 1);
  const counts = new Array(10).fill(0);
  for (const l of tr.labels) counts[l]++;
  assert.deepEqual(counts, new Array(10).fill(6000));
  let s = 0;
  for (const v of tr.images) s += v;
  assert.ok(Math.abs(s / tr.images.length / 255 - 0.286) < 0.001, `mean ${s / tr.images.length / 255}`);
  assert.equal(tr.classNames?.[9], "Ankle boot");
});
