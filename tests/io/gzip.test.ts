// `.safetensors.gz` is read transparently: the same tensors and header as the plain file (compressed
// here with node:zlib and, independently, with the system's gzip when present), and every kind of
// bad archive is an error naming the file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { gunzipBuffer, isGzipPath, readFileMaybeGzip } from "../../src/io/gzip";
import { readSafetensors, readSafetensorsHeader, writeSafetensors } from "../../src/io/safetensors";

const dir = mkdtempSync(path.join(tmpdir(), "snn-gzip-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function sample(): string {
  const f = path.join(dir, "net.safetensors");
  const w = new Float32Array(64 * 32);
  const m = new Uint8Array(w.length);
  for (let i = 0; i < w.length; i += 7) { w[i] = Math.sin(i); m[i] = 1; }
  writeSafetensors(f, [["fc.weight", { dtype: "F32", shape: [64, 32], data: w }], ["fc.weight_mask", { dtype: "U8", shape: [64, 32], data: m }]], { architecture: "x" });
  return f;
}

test("a .safetensors.gz reads as the same tensors and header as the plain file (zlib and gzip(1))", () => {
  const plain = sample();
  const raw = readFileSync(plain);
  const viaZlib = `${plain}.gz`;
  writeFileSync(viaZlib, gzipSync(raw, { level: 9 }));
  const files = [viaZlib];
  const gz = spawnSync("gzip", ["-9", "-n", "-k", "-c", plain], { maxBuffer: 1 << 26 });
  if (gz.status === 0) {
    const viaGzip = path.join(dir, "cli.safetensors.gz");
    writeFileSync(viaGzip, gz.stdout);
    files.push(viaGzip);
  }
  const a = readSafetensors(plain);
  for (const f of files) {
    const b = readSafetensors(f);
    assert.deepEqual([...b.tensors.keys()], [...a.tensors.keys()]);
    for (const [k, t] of a.tensors) assert.deepEqual(b.tensors.get(k), t, `${f}: ${k}`);
    assert.deepEqual(b.metadata, a.metadata);
    assert.deepEqual(readSafetensorsHeader(f), readSafetensorsHeader(plain));
    assert.ok(readFileMaybeGzip(f).equals(raw));
  }
  assert.ok(readFileMaybeGzip(plain).equals(raw), "a plain file is read as is");
  assert.ok(isGzipPath("A.SAFETENSORS.GZ") && !isGzipPath("a.safetensors"));
});

test("bad archives are errors naming the file: not gzip, truncated, corrupt, too large once inflated", () => {
  const raw = readFileSync(sample());
  const packed = gzipSync(raw);
  const notGzip = path.join(dir, "plain-bytes.safetensors.gz");
  writeFileSync(notGzip, raw);
  assert.throws(() => readSafetensors(notGzip), /io\/gzip: .*plain-bytes\.safetensors\.gz: not a gzip file/);
  const truncated = path.join(dir, "truncated.safetensors.gz");
  writeFileSync(truncated, packed.subarray(0, packed.length >> 1));
  assert.throws(() => readSafetensors(truncated), /io\/gzip: .*truncated\.safetensors\.gz: cannot decompress/);
  assert.throws(() => readSafetensorsHeader(truncated), /truncated\.safetensors\.gz: cannot decompress/);
  const corrupt = Buffer.from(packed);
  for (let i = 20; i < corrupt.length - 8; i += 3) corrupt[i] ^= 0x5a;
  const bad = path.join(dir, "corrupt.safetensors.gz");
  writeFileSync(bad, corrupt);
  assert.throws(() => readSafetensors(bad), /corrupt\.safetensors\.gz: cannot decompress/);
  assert.throws(() => gunzipBuffer(packed, "bomb.gz", 100), /io\/gzip: bomb\.gz: cannot decompress/);
  assert.throws(() => readSafetensors(path.join(dir, "missing.safetensors.gz")), /cannot read .*missing\.safetensors\.gz/);
});
