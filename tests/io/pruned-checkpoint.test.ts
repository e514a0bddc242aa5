/**
 * A checkpoint written by torch.save after torch.nn.utils.prune.global_unstructured (and the same
 * tensors as safetensors), made by tests/fixtures/onnx/make_pruned_checkpoint.py, applied to the ONNX
 * export of the same network: every layer's mask must equal PyTorch's (number of ones and SHA-256 of
 * the mask bytes, from branchy_pruned.masks.json), and the masked weights weight_orig · mask likewise.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadModel } from "../../src/nn/load-model";
import type { HostMask, HostTensor } from "../../src/nn/tensors";

const DIR = path.join(__dirname, "..", "fixtures", "onnx");

interface MaskSummary {
  weight: string;
  shape: number[];
  ones: number;
  mask_sha256_uint8: string;
  masked_weight_sha256_float32le: string;
}

const expected = JSON.parse(readFileSync(path.join(DIR, "branchy_pruned.masks.json"), "utf8")) as { layers: MaskSummary[] };

const sha = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

for (const file of ["branchy_pruned.pt", "branchy_pruned.safetensors"]) {
  test(`${file} (prune.global_unstructured) gives PyTorch's masks on branchy.onnx.gz`, () => {
    const m = loadModel(path.join(DIR, "branchy.onnx.gz"), { weights: path.join(DIR, file) });
    const masks = m.masks;
    const weights = m.weights;
    if (!masks || !weights) throw new Error("loadModel returned no weights or masks");
    assert.equal(expected.layers.length, 7);
    for (const l of expected.layers) {
      const mask: HostMask | undefined = masks.get(l.weight);
      if (!mask) throw new Error(`no mask for ${l.weight}`);
      assert.deepEqual([...mask.shape], l.shape, `shape of ${l.weight}`);
      const bytes: Uint8Array = Uint8Array.from(mask.data, (x: number) => (x ? 1 : 0));
      assert.equal(bytes.reduce((a, b) => a + b, 0), l.ones, `ones of ${l.weight}`);
      assert.equal(sha(bytes), l.mask_sha256_uint8, `mask of ${l.weight}`);
      const w: HostTensor | undefined = weights.get(l.weight);
      if (!w) throw new Error(`no weight for ${l.weight}`);
      const masked: Float32Array = Float32Array.from(w.data, (x: number, i: number) => (bytes[i] ? x : 0));
      assert.equal(sha(new Uint8Array(masked.buffer)), l.masked_weight_sha256_float32le, `masked weight of ${l.weight}`);
    }
  });
}
