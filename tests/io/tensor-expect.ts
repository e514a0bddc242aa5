/**
 * Test helper: checks a DecodedTensor against what tests/fixtures/torch-io/make_fixtures.py wrote
 * (PyTorch's own view of the tensor): dims, dtype, SHA-256 of the values as contiguous little-endian
 * bytes (float16/bfloat16 widened to float32, bool as 0/1 bytes) and the first values.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { DecodedTensor } from "../../src/io/tensor";

export const TORCH_IO_FIXTURES = path.resolve(__dirname, "..", "fixtures", "torch-io");

export interface ExpectedTensor {
  dims: number[];
  dtype: string;
  sha256: string;
  /** int64 values as decimal strings. */
  first: (number | string)[];
}

export function loadExpected(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(TORCH_IO_FIXTURES, "expected.json"), "utf8")) as Record<string, unknown>;
}

export function assertTensor(t: DecodedTensor, e: ExpectedTensor, label: string): void {
  assert.deepEqual([...t.dims], e.dims, `${label}: dims`);
  assert.equal(t.dataType, e.dtype, `${label}: dtype`);
  const d = t.data;
  const sha = createHash("sha256").update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest("hex");
  assert.equal(sha, e.sha256, `${label}: SHA-256 of the values`);
  const first = [...d.slice(0, e.first.length)].map((v) => (typeof v === "bigint" ? v.toString() : v));
  assert.deepEqual(first, e.first, `${label}: first values`);
}
