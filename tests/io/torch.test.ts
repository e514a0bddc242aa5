/**
 * io/torch: state dicts written by torch.save (tests/fixtures/torch-io/make_fixtures.py) read into
 * exactly the tensors PyTorch holds (SHA-256 of the values, dims, dtype, first values), every dtype,
 * views and shared storages, checkpoint layouts; archives re-zipped by fflate (DEFLATE, "archive/"
 * root); and one test per kind of bad input, each error naming the file and the problem.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { unzipSync, zipSync } from "fflate";
import { parseTorchStateDict, readTorchStateDict } from "../../src/io/torch/state-dict";
import { unpickle } from "../../src/io/torch/pickle";
import { assertTensor, loadExpected, TORCH_IO_FIXTURES } from "./tensor-expect";
import type { ExpectedTensor } from "./tensor-expect";

const expected = loadExpected() as Record<string, Record<string, ExpectedTensor>>;
const fixture = (name: string) => path.join(TORCH_IO_FIXTURES, name);

function checkStateDict(file: string, key = path.basename(file)): void {
  const sd = readTorchStateDict(file);
  const want = expected[key];
  assert.deepEqual([...sd.keys()].sort(), Object.keys(want).sort(), `${key}: names`);
  for (const [name, t] of sd) assertTensor(t, want[name], `${key}: ${name}`);
}

test("torch: the tiny CNN's state_dict (float32, BN's int64 num_batches_tracked) reads as PyTorch holds it", () => {
  checkStateDict(fixture("tiny-f32.pt"));
  // File order is kept (the order of model.state_dict()).
  assert.deepEqual([...readTorchStateDict(fixture("tiny-f32.pt")).keys()].slice(0, 3), ["conv1.weight", "bn1.weight", "bn1.bias"]);
});

test("torch: float16, bfloat16, float64, int32, int8, uint8, bool, int64 extremes and a 0-d tensor", () => {
  checkStateDict(fixture("mixed-dtypes.pt"));
  const sd = readTorchStateDict(fixture("mixed-dtypes.pt"));
  assert.deepEqual(sd.get("longs")!.data, BigInt64Array.from([-(2n ** 62n), -1n, 0n, 2n ** 53n + 1n]));
  assert.deepEqual(sd.get("scalar"), { dims: [], dataType: "float32", data: Float32Array.from([2.5]) });
});

test("torch: shared storages, offsets, transposes, strided slices and expand come out contiguous", () => {
  checkStateDict(fixture("views.pt"));
  const sd = readTorchStateDict(fixture("views.pt"));
  // Brute force: views of base = arange(24).reshape(4, 6).
  const base = (r: number, c: number) => r * 6 + c;
  assert.deepEqual([...sd.get("transposed")!.data], Array.from({ length: 24 }, (_, i) => base(i % 4, Math.floor(i / 4))));
  assert.deepEqual([...sd.get("slice_offset")!.data], [8, 9, 10, 14, 15, 16]);
  assert.notEqual(sd.get("row2")!.data.buffer, sd.get("base")!.data.buffer, "shared storages are copied apart");
});

test("torch: checkpoints whose 'state_dict' or 'model' entry is the state dict", () => {
  checkStateDict(fixture("checkpoint-state_dict.pt"));
  checkStateDict(fixture("checkpoint-model.pt"));
});

/** The archive's entries, re-zipped by fflate (DEFLATE-compressed) under the root "archive/". */
function rezip(file: string, edit: (entries: Record<string, Uint8Array>) => void = () => {}, level: 0 | 6 = 6): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, data] of Object.entries(unzipSync(readFileSync(file)))) entries[name.replace(/^[^/]+\//, "archive/")] = data;
  edit(entries);
  return zipSync(entries, { level });
}

test("torch: DEFLATE-compressed entries and the 'archive/' root of newer PyTorch read the same", () => {
  const sd = parseTorchStateDict(rezip(fixture("mixed-dtypes.pt")), "rezipped.pt");
  for (const [name, t] of sd) assertTensor(t, expected["mixed-dtypes.pt"][name], name);
  const little = parseTorchStateDict(rezip(fixture("tiny-f32.pt"), (e) => (e["archive/byteorder"] = Buffer.from("little"))), "le.pt");
  assert.equal(little.size, 10);
});

/** A pickle from opcodes (strings are Latin-1 bytes). */
const pkl = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
const withPickle = (data: Uint8Array) => rezip(fixture("tiny-f32.pt"), (e) => (e["archive/data.pkl"] = data));

test("torch: the legacy format, non-zip files, TorchScript archives and big-endian files are refused", () => {
  assert.throws(() => readTorchStateDict(fixture("legacy.pt")), /io\/torch: .*legacy\.pt: legacy \(pre-1\.6, non-zip\) torch\.save format, not supported: load it with PyTorch and save it again with torch\.save/);
  assert.throws(() => parseTorchStateDict(Buffer.from("hello, not a checkpoint"), "text.pt"), /io\/torch: text\.pt: not a PyTorch checkpoint \(not a zip archive/);
  assert.throws(() => parseTorchStateDict(zipSync({ "m/data.pkl": pkl([0x80, 2], "N."), "m/constants.pkl": pkl([0x80, 2], "N."), "m/code/m.py": Buffer.from("") }), "script.pt"), /script\.pt: a TorchScript archive \(torch\.jit\.save\), not supported/);
  assert.throws(() => parseTorchStateDict(zipSync({ "m/version": Buffer.from("3") }), "nopkl.pt"), /nopkl\.pt: not a torch\.save archive \(no <root>\/data\.pkl/);
  assert.throws(() => parseTorchStateDict(rezip(fixture("tiny-f32.pt"), (e) => (e["archive/byteorder"] = Buffer.from("big"))), "be.pt"), /be\.pt: byteorder 'big' is not supported/);
  assert.throws(() => readTorchStateDict(fixture("absent.pt")), /io\/torch: cannot read .*absent\.pt/);
});

/** Offset of the central-directory record of `name` in a zip. */
function centralRecord(zip: Uint8Array, name: string): number {
  const b = Buffer.from(zip);
  for (let at = b.indexOf("PK\x01\x02", 0, "latin1"); at >= 0; at = b.indexOf("PK\x01\x02", at + 4, "latin1")) {
    const n = b.readUInt16LE(at + 28);
    if (b.toString("latin1", at + 46, at + 46 + n) === name) return at;
  }
  throw new Error(`no central record for ${name}`);
}

test("torch: truncated archives, a broken zip directory and out-of-range offsets name the file and the entry", () => {
  const good = readFileSync(fixture("tiny-f32.pt"));
  for (const cut of [10, 600, 1500, 3000, good.length - 30, good.length - 1]) {
    assert.throws(() => parseTorchStateDict(good.subarray(0, cut), "cut.pt"), /io\/torch: cut\.pt: not a valid zip archive \(invalid zip data\)/, `cut at ${cut}`);
  }
  // An entry whose local-header offset points past the end of the file.
  const far = Buffer.from(good);
  far.writeUInt32LE(far.length + 1000, centralRecord(far, "tiny-f32/data/6") + 42);
  assert.throws(() => parseTorchStateDict(far, "far.pt"), /far\.pt: zip entry 'tiny-f32\/data\/6' has 0 bytes where the central directory declares 1152 \(truncated archive or data offset out of range\)/);
  // A declared size larger than the file.
  const big = Buffer.from(good);
  const rec = centralRecord(big, "tiny-f32/data/6");
  big.writeUInt32LE(1 << 30, rec + 20);
  big.writeUInt32LE(1 << 30, rec + 24);
  assert.throws(() => parseTorchStateDict(big, "big.pt"), /big\.pt: not a valid zip archive \(entry 'tiny-f32\/data\/6' declares 1073741824 bytes/);
  // A storage shorter than its element count.
  assert.throws(() => parseTorchStateDict(rezip(fixture("tiny-f32.pt"), (e) => (e["archive/data/6"] = e["archive/data/6"].subarray(0, 1000))), "short.pt"), /short\.pt: archive\/data\.pkl: pickle: storage '6' has 1000 bytes, 288 float32 elements need 1152/);
  assert.throws(() => parseTorchStateDict(rezip(fixture("tiny-f32.pt"), (e) => delete e["archive/data/6"]), "missing.pt"), /missing\.pt: .*storage '6' has no entry 'archive\/data\/6' in the archive/);
});

test("torch: a view reaching past its storage, wrong argument types and truncated pickles are refused", () => {
  const views = unzipSync(readFileSync(fixture("views.pt")))["views/data.pkl"];
  const patch = (from: number[], to: number[]) => {
    const b = Buffer.from(views);
    const at = b.indexOf(Buffer.from(from));
    assert.ok(at > 0);
    Buffer.from(to).copy(b, at);
    return rezip(fixture("views.pt"), (e) => (e["archive/data.pkl"] = b));
  };
  // row2 = storage offset 12, size (6,): offset 20 reaches element 25 of 24.
  assert.throws(() => parseTorchStateDict(patch([0x51, 0x4b, 12, 0x4b, 6, 0x85], [0x51, 0x4b, 20, 0x4b, 6, 0x85]), "oob.pt"), /oob\.pt: tensor 'row2': size \(6\), stride \(1\) and offset 20 reach element 25 of storage '0', which has 24/);
  // row2's storage offset as None (BININT1 12 → NONE NONE, the same length).
  assert.throws(() => parseTorchStateDict(patch([0x51, 0x4b, 12], [0x51, 0x4e, 0x4e]), "type.pt"), /type\.pt: archive\/data\.pkl: pickle: torch\._utils\._rebuild_tensor_v2: bad storage offset null/);
  const cut = rezip(fixture("views.pt"), (e) => (e["archive/data.pkl"] = views.subarray(0, 200)));
  assert.throws(() => parseTorchStateDict(cut, "cutpkl.pt"), /cutpkl\.pt: archive\/data\.pkl: pickle: truncated/);
  assert.throws(() => parseTorchStateDict(withPickle(pkl([0x80, 2], "I1\n.")), "op.pt"), /op\.pt: archive\/data\.pkl: pickle: unsupported opcode 0x49 \('I'\) \(opcode at byte 2\)/);
});

test("torch: unknown globals (os.system, a pickled model class, numpy scalars) are refused by name, nothing executed", () => {
  assert.throws(() => parseTorchStateDict(withPickle(pkl([0x80, 2], "cos\nsystem\n", "X", [2, 0, 0, 0], "ls", [0x85], "R.")), "evil.pt"), /evil\.pt: archive\/data\.pkl: pickle: global 'os\.system' is not allowed .*nothing in the file is executed/);
  assert.throws(() => parseTorchStateDict(withPickle(pkl([0x80, 2], "c__main__\nTinyCNN\n)\x81.")), "model.pt"), /model\.pt: .*global '__main__\.TinyCNN' is not allowed/);
  assert.throws(() => parseTorchStateDict(withPickle(pkl([0x80, 2], [0x8c, 5], "numpy", [0x8c, 6], "scalar", [0x93], ".")), "np.pt"), /np\.pt: .*global 'numpy\.scalar' is not allowed/);
  assert.throws(() => parseTorchStateDict(withPickle(pkl([0x80, 2], "ctorch\nShortStorage\n.")), "short.pt"), /short\.pt: no state dict found: the saved object is a global torch\.ShortStorage/);
});

test("torch: objects that hold no state dict are refused, naming the entry that is not a tensor", () => {
  assert.throws(() => parseTorchStateDict(withPickle(pkl([0x80, 2], "]q\x00.")), "list.pt"), /list\.pt: no state dict found: the saved object is a list or tuple, not a dict of tensors/);
  assert.throws(() => parseTorchStateDict(withPickle(pkl([0x80, 2], "}(X", [5, 0, 0, 0], "epochK\x03u.")), "dict.pt"), /dict\.pt: no state dict found: the saved dict \(keys epoch\) is not a dict of tensors \(its entry 'epoch' is a number\), and has no 'state_dict' or 'model' entry/);
});

test("pickle: negative longs, memo and stack errors, __proto__ keys stay data", () => {
  const opts = { where: "t", callables: {}, names: new Set<string>() };
  // [-(2**40), 2**40, -1, 2**70] as Python pickles them (protocol 2).
  const longs = pkl([0x80, 2], "](", [0x8a, 6, 0, 0, 0, 0, 0, 0xff], [0x8a, 6, 0, 0, 0, 0, 0, 1], "J", [0xff, 0xff, 0xff, 0xff], [0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x40], "e.");
  assert.deepEqual(unpickle(longs, opts), [-(2 ** 40), 2 ** 40, -1, 2n ** 70n]);
  assert.throws(() => unpickle(pkl([0x80, 2], "h\x05."), opts), /t: pickle: memo entry 5 was never stored \(opcode at byte 2\)/);
  assert.throws(() => unpickle(pkl([0x80, 2], "0."), opts), /t: pickle: stack underflow/);
  assert.throws(() => unpickle(pkl([0x80, 2], "N.N"), opts), /t: pickle: 1 bytes after STOP/);
  const d = unpickle(pkl([0x80, 2], "}X", [9, 0, 0, 0], "__proto__X", [1, 0, 0, 0], "xs."), opts);
  assert.ok(d instanceof Map && d.get("__proto__") === "x" && Object.getPrototypeOf(d) === Map.prototype);
});
