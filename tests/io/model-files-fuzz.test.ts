/**
 * Mutated model files (seeded random byte flips, insertions and cuts of the torch-io fixtures): every
 * outcome must be either a result or an Error whose message names who speaks and the file — never
 * a bare TypeError/RangeError from deep inside a parser, never a hang.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseOnnx } from "../../src/io/onnx/read";
import { parseTorchStateDict } from "../../src/io/torch/state-dict";
import { Rng } from "../../src/util/rng";
import { TORCH_IO_FIXTURES } from "./tensor-expect";

function mutate(good: Uint8Array, rng: Rng): Uint8Array {
  const b = Uint8Array.from(good);
  switch (rng.int(3)) {
    case 0: // a few random bytes
      for (let k = 1 + rng.int(4); k > 0; k--) b[rng.int(b.length)] = rng.int(256);
      return b;
    case 1: // a cut
      return b.subarray(0, rng.int(b.length));
    default: {
      // a run of 0xff (lengths and offsets at their maximum)
      const at = rng.int(b.length);
      b.fill(0xff, at, Math.min(b.length, at + 1 + rng.int(8)));
      return b;
    }
  }
}

function fuzz(file: string, parse: (bytes: Uint8Array, name: string) => unknown, prefix: RegExp, runs: number): void {
  const good = readFileSync(path.join(TORCH_IO_FIXTURES, file));
  const rng = new Rng(11);
  let failed = 0;
  for (let i = 0; i < runs; i++) {
    try {
      parse(mutate(good, rng), "m");
    } catch (err) {
      failed++;
      assert.ok(err instanceof Error);
      assert.match(err.message, prefix, `mutation ${i}: ${err.stack}`);
    }
  }
  assert.ok(failed > runs / 4, `only ${failed} of ${runs} mutations were refused`);
}

test("fuzz: mutated .pt checkpoints are read or refused with 'io/torch: FILE: …'", () => {
  for (const f of ["tiny-f32.pt", "views.pt", "pruned.pt"]) fuzz(f, parseTorchStateDict, /^io\/torch: m: /, 300);
});

test("fuzz: mutated .onnx / .onnx.gz models are read or refused with 'io/onnx: FILE: …'", () => {
  fuzz("tiny.onnx", parseOnnx, /^io\/onnx: m: /, 400);
  fuzz("tiny.onnx.gz", parseOnnx, /^io\/onnx: m: /, 200);
});
