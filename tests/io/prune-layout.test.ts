/**
 * io/prune-layout: a checkpoint saved after torch.nn.utils.prune.global_unstructured, read from .pt
 * and from safetensors, must give the module's own `.weight` (orig·mask, computed by PyTorch) and
 * its masks; the fixtures' masked-weight layout passes through; bad pairs are named.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { mergePruneLayout } from "../../src/io/prune-layout";
import { readTorchStateDict } from "../../src/io/torch/state-dict";
import { readSafetensorsDecoded } from "../../src/io/tensor";
import type { DecodedTensor } from "../../src/io/tensor";
import { writeSafetensors } from "../../src/io/safetensors";
import type { TensorToWrite } from "../../src/io/safetensors";
import { assertTensor, loadExpected, TORCH_IO_FIXTURES } from "./tensor-expect";
import type { ExpectedTensor } from "./tensor-expect";

const expected = loadExpected() as Record<string, Record<string, ExpectedTensor>>;
const prunedFile = path.join(TORCH_IO_FIXTURES, "pruned.pt");

function checkMerged(sd: ReadonlyMap<string, DecodedTensor>, label: string): void {
  const { tensors, masks } = mergePruneLayout(sd, label);
  const wantW = expected["pruned.pt#merged"];
  assert.deepEqual([...tensors.keys()].sort(), Object.keys(wantW).sort());
  for (const [name, t] of tensors) assertTensor(t, wantW[name], `${label}: ${name}`);
  const wantM = expected["pruned.pt#masks"];
  assert.deepEqual([...masks.keys()].sort(), Object.keys(wantM).sort());
  for (const [name, m] of masks) {
    assert.equal(m.dataType, "bool");
    // PyTorch's masks are float32 0/1: compare the same values as float32.
    assertTensor({ dims: m.dims, dataType: "float32", data: Float32Array.from(m.data as Uint8Array) }, wantM[name], `${label}: mask ${name}`);
  }
  // global_unstructured at 0.6 over 108 + 288 + 40 weights keeps round(0.4 · 436) = 174.
  let kept = 0;
  for (const m of masks.values()) for (const v of m.data as Uint8Array) kept += v;
  assert.equal(kept, 436 - Math.round(0.6 * 436));
}

test("prune layout: weight_orig · weight_mask from a .pt equals the module's weight PyTorch computed", () => {
  checkMerged(readTorchStateDict(prunedFile), "pruned.pt");
});

test("prune layout: the same checkpoint through safetensors gives the same weights and masks", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "snn-prune-"));
  try {
    const file = path.join(dir, "pruned.safetensors");
    const list: [string, TensorToWrite][] = [];
    for (const [name, t] of readTorchStateDict(prunedFile)) {
      if (t.dataType === "float32") list.push([name, { dtype: "F32", shape: t.dims, data: t.data as Float32Array }]);
      else list.push([name, { dtype: "U8", shape: t.dims, data: Uint8Array.from(t.data as BigInt64Array, Number) }]);
    }
    writeSafetensors(file, list);
    const sd = readSafetensorsDecoded(file);
    // num_batches_tracked went through U8: give it back its int64 type for the comparison.
    const nbt = sd.get("bn1.num_batches_tracked")!;
    sd.set("bn1.num_batches_tracked", { dims: nbt.dims, dataType: "int64", data: BigInt64Array.from(nbt.data as Uint8Array, BigInt) });
    checkMerged(sd, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const t32 = (dims: number[], values: number[]): DecodedTensor => ({ dims, dataType: "float32", data: Float32Array.from(values) });

test("prune layout: masked weight + weight_mask (the fixtures' layout) keeps the weight, collects the mask; float64 and bool work", () => {
  const { tensors, masks } = mergePruneLayout(
    new Map<string, DecodedTensor>([
      ["a.weight", t32([2], [0, 3])],
      ["a.weight_mask", { dims: [2], dataType: "uint8", data: Uint8Array.from([0, 1]) }],
      ["b.weight_orig", { dims: [3], dataType: "float64", data: Float64Array.from([-1.5, 2, 7]) }],
      ["b.weight_mask", { dims: [3], dataType: "bool", data: Uint8Array.from([0, 1, 1]) }],
      ["b.bias", t32([1], [4])],
    ]),
    "x",
  );
  assert.deepEqual([...tensors.keys()], ["a.weight", "b.weight", "b.bias"]);
  assert.deepEqual(tensors.get("b.weight"), { dims: [3], dataType: "float64", data: Float64Array.from([-0, 2, 7]) });
  assert.ok(Object.is(tensors.get("b.weight")!.data[0], -0), "a pruned negative weight is −0, as in PyTorch");
  assert.deepEqual(masks.get("a.weight"), { dims: [2], dataType: "bool", data: Uint8Array.from([0, 1]) });
  assert.deepEqual([...masks.keys()], ["a.weight", "b.weight"]);
});

test("prune layout: a lone _orig or _mask, mismatched shapes, bad mask values and _orig beside its weight are named", () => {
  const bad = (entries: [string, DecodedTensor][], re: RegExp) => assert.throws(() => mergePruneLayout(new Map(entries), "io/torch: p.pt"), re);
  bad([["c.weight_orig", t32([2], [1, 2])]], /io\/torch: p\.pt: 'c\.weight_orig' has no 'c\.weight_mask' beside it/);
  bad([["c.weight_mask", t32([2], [1, 0])]], /io\/torch: p\.pt: mask 'c\.weight_mask' has neither 'c\.weight_orig' nor 'c\.weight' beside it/);
  bad([["c.weight_orig", t32([2, 2], [1, 2, 3, 4])], ["c.weight_mask", t32([4], [1, 0, 1, 0])]], /'c\.weight_orig' has shape \[2, 2\] but 'c\.weight_mask' has \[4\]/);
  bad([["c.weight", t32([3], [1, 2, 3])], ["c.weight_mask", t32([2], [1, 0])]], /'c\.weight' has shape \[3\] but 'c\.weight_mask' has \[2\]/);
  bad([["c.weight_orig", t32([2], [1, 2])], ["c.weight_mask", t32([2], [1, 0.5])]], /mask 'c\.weight_mask' has value 0\.5 at flat index 1 \(expected 0 or 1\)/);
  bad([["c.weight", t32([2], [1, 2])], ["c.weight_orig", t32([2], [1, 2])], ["c.weight_mask", t32([2], [1, 0])]], /both 'c\.weight_orig' and 'c\.weight' are present/);
  bad([["c.weight_orig", { dims: [1], dataType: "int32", data: Int32Array.from([1]) }], ["c.weight_mask", t32([1], [1])]], /'c\.weight_orig' has dtype int32, not a float dtype/);
});
