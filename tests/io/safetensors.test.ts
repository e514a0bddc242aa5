/**
 * safetensors: round trips in every writable dtype, the fixtures' layout, and one test per kind of
 * bad input (each must raise an error naming the file and the problem).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseSafetensors, readSafetensors, toFloat32, writeSafetensors } from "../../src/io/safetensors";
import { loadNetwork } from "../../src/nn/network-file";
import { saveNetwork } from "../../src/io/network-file";
import { float16BitsToFloat32, float32ToFloat16Bits, roundToFloat16, bfloat16BitsToFloat32, float32ToBfloat16Bits } from "../../src/io/float16";
import { lenet300_100, resnet20 } from "../../src/nn";
import { referenceNetworkFile } from "../../src/metrics/reference";
import { Rng } from "../../src/util/rng";
import { tempDir } from "../temp";

const dir = tempDir("snn-st-");
let counter = 0;
const tmp = (name = "t.safetensors") => path.join(dir, `${counter++}-${name}`);

/** Hand-built file: header object + data bytes (independent of the writer). */
function rawFile(header: unknown, data: Uint8Array, headerLenOverride?: bigint): Buffer {
  const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header), "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLenOverride ?? BigInt(json.length), 0);
  return Buffer.concat([len, json, Buffer.from(data)]);
}

test("float16: every float16 value round-trips, and rounding picks the nearest (ties to even)", () => {
  const values: number[] = [];
  for (let h = 0; h < 0x7c00; h++) values.push(float16BitsToFloat32(h)); // non-negative finite, ascending
  for (let h = 0; h < 0x10000; h++) {
    const v = float16BitsToFloat32(h);
    if (Number.isNaN(v)) assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(v))));
    else if (!(v === 0 && h === 0x8000)) assert.equal(float32ToFloat16Bits(v), h);
  }
  assert.equal(float16BitsToFloat32(0x3c00), 1);
  assert.equal(float16BitsToFloat32(0x7bff), 65504);
  assert.equal(float16BitsToFloat32(0x0001), 2 ** -24);
  const rng = new Rng(3);
  for (let t = 0; t < 20000; t++) {
    const x = Math.fround(Math.exp((rng.next() - 0.5) * 40) * (rng.next() < 0.5 ? 1 : 1));
    const r = roundToFloat16(x);
    if (x >= 65520) {
      assert.equal(r, Infinity);
      continue;
    }
    // Binary search for the neighbours of x among the float16 values.
    let lo = 0;
    let hi = values.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (values[mid] <= x) lo = mid;
      else hi = mid;
    }
    const a = values[lo];
    const b = values[hi];
    const da = x - a;
    const db = b - x;
    const want = da < db ? a : db < da ? b : (lo % 2 === 0 ? a : b);
    assert.equal(r, x >= values[values.length - 1] ? (x - values[values.length - 1] < 16 ? 65504 : Infinity) : want, `x=${x}`);
  }
  // Halfway cases: 1 + 2^-11 lies between 1 and 1 + 2^-10: ties to even → 1.
  assert.equal(roundToFloat16(1 + 2 ** -11), 1);
  assert.equal(roundToFloat16(1 + 3 * 2 ** -11), 1 + 2 ** -9);
  assert.equal(roundToFloat16(-2.5e-8), -0);
  assert.equal(bfloat16BitsToFloat32(float32ToBfloat16Bits(1.00390625)), 1);
  assert.equal(bfloat16BitsToFloat32(float32ToBfloat16Bits(3.0)), 3);
});

test("round trip in F32, F16, BF16, U8, BOOL with metadata", () => {
  const f = tmp();
  const a = new Float32Array([1.5, -2.25, 0, 3.140625, 1e-3, -7]);
  writeSafetensors(f, [
    ["a32", { dtype: "F32", shape: [2, 3], data: a }],
    ["a16", { dtype: "F16", shape: [6], data: a }],
    ["abf", { dtype: "BF16", shape: [3, 2], data: a }],
    ["m", { dtype: "U8", shape: [6], data: new Uint8Array([0, 1, 2, 3, 4, 255]) }],
    ["b", { dtype: "BOOL", shape: [2], data: new Uint8Array([1, 0]) }],
  ], { architecture: "x", note: "héllo" });
  const st = readSafetensors(f);
  assert.deepEqual(st.metadata, { architecture: "x", note: "héllo" });
  assert.deepEqual([...st.tensors.keys()], ["a32", "a16", "abf", "m", "b"]);
  assert.deepEqual([...toFloat32(st.tensors.get("a32")!)], [...a]);
  assert.deepEqual([...toFloat32(st.tensors.get("a16")!)], [...a].map(roundToFloat16));
  assert.deepEqual(st.tensors.get("abf")!.shape, [3, 2]);
  assert.equal(toFloat32(st.tensors.get("abf")!)[1], -2.25);
  assert.deepEqual([...st.tensors.get("m")!.bytes], [0, 1, 2, 3, 4, 255]);
  assert.equal(st.tensors.get("b")!.dtype, "BOOL");
  // The header is padded so the data section is 8-byte aligned.
  const raw = readFileSync(f);
  assert.equal(Number(raw.readBigUInt64LE(0)) % 8, 0);
});

test("reads I32, I64 and F64 tensors written by hand", () => {
  const data = new Uint8Array(4 * 2 + 8 * 2 + 8);
  const dv = new DataView(data.buffer);
  dv.setInt32(0, -5, true);
  dv.setInt32(4, 7, true);
  dv.setBigInt64(8, -3n, true);
  dv.setBigInt64(16, 9n, true);
  dv.setFloat64(24, 0.1, true);
  const st = parseSafetensors(rawFile({ i: { dtype: "I32", shape: [2], data_offsets: [0, 8] }, l: { dtype: "I64", shape: [2], data_offsets: [8, 24] }, d: { dtype: "F64", shape: [], data_offsets: [24, 32] } }, data), "hand");
  assert.deepEqual([...toFloat32(st.tensors.get("i")!)], [-5, 7]);
  assert.deepEqual([...toFloat32(st.tensors.get("l")!)], [-3, 9]);
  assert.equal(toFloat32(st.tensors.get("d")!)[0], Math.fround(0.1));
});

test("malformed files: each error names the file and the problem", () => {
  const ok = { w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  const eight = new Uint8Array(8);
  const cases: [string, Buffer, RegExp][] = [
    ["short", Buffer.from([1, 2, 3]), /short.*truncated file \(3 bytes/],
    ["hdrlen", rawFile(ok, eight, 10_000n), /hdrlen.*header length 10000 goes beyond the file/],
    ["badjson", rawFile("{not json", eight), /badjson.*bad header JSON/],
    ["notobj", rawFile("[1,2]", eight), /notobj.*bad header JSON \(not an object\)/],
    ["range", rawFile({ w: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, eight), /range.*tensor 'w': data_offsets \[0, 16\] out of range/],
    ["overlap", rawFile({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, eight), /overlap.*tensor 'b' overlaps/],
    ["gap", rawFile({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, eight), /gap.*do not cover the data section: gap \[0, 4\)/],
    ["tail", rawFile({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, eight), /tail.*do not cover the data section: tensors end at 4, data section has 8 bytes/],
    ["dtype", rawFile({ a: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, eight), /dtype.*tensor 'a': unsupported dtype "C64"/],
    ["size", rawFile({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, eight), /size.*tensor 'a': 8 bytes for F32 shape \[3\] \(expected 12\)/],
    ["shape", rawFile({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 8] } }, eight), /shape.*tensor 'a': bad shape/],
    ["meta", rawFile({ __metadata__: { a: 1 }, ...ok }, eight), /meta.*__metadata__\.a is not a string/],
  ];
  for (const [name, buf, re] of cases) {
    const f = tmp(`${name}.safetensors`);
    writeFileSync(f, buf);
    assert.throws(() => readSafetensors(f), re, name);
  }
  assert.throws(() => readSafetensors(path.join(dir, "missing.safetensors")), /cannot read .*missing\.safetensors/);
});

/** A valid lenet300-100 network file with optional corruption of the tensor list. */
function writeLenet(f: string, edit?: (list: [string, { dtype: "F32" | "U8"; shape: number[]; data: Float32Array | Uint8Array }][]) => void): void {
  const spec = lenet300_100();
  const rng = new Rng(1);
  const list: [string, { dtype: "F32" | "U8"; shape: number[]; data: Float32Array | Uint8Array }][] = [];
  for (const [name, shape] of [["fc1.weight", [300, 784]], ["fc2.weight", [100, 300]], ["fc3.weight", [10, 100]]] as [string, number[]][]) {
    const n = shape[0] * shape[1];
    const m = new Uint8Array(n);
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      m[i] = rng.next() < 0.3 ? 1 : 0;
      w[i] = m[i] ? rng.normal() : 0;
    }
    list.push([name, { dtype: "F32", shape, data: w }], [`${name}_mask`, { dtype: "U8", shape, data: m }]);
  }
  edit?.(list);
  writeSafetensors(f, list, { architecture: spec.name });
}

test("loadNetwork: weights, masks and metadata; masks derived from weights when absent", () => {
  const f = tmp();
  writeLenet(f);
  const net = loadNetwork(f, lenet300_100());
  assert.deepEqual([...net.weights.keys()], ["fc1.weight", "fc2.weight", "fc3.weight"]);
  assert.equal(net.metadata.architecture, "lenet300-100");
  const w = net.weights.get("fc2.weight")!;
  const m = net.masks.get("fc2.weight")!;
  for (let i = 0; i < w.data.length; i++) assert.equal(m.data[i], w.data[i] !== 0 ? 1 : 0);
  const g = tmp();
  writeLenet(g, (l) => l.splice(1, 1));
  const n2 = loadNetwork(g, lenet300_100());
  assert.deepEqual([...n2.masks.get("fc1.weight")!.data], [...m.data.length ? net.masks.get("fc1.weight")!.data : []]);
  // saveNetwork → loadNetwork round trip.
  const h = tmp();
  saveNetwork(h, net.weights, net.masks, { a: "b" });
  const n3 = loadNetwork(h, lenet300_100());
  assert.deepEqual([...n3.weights.get("fc3.weight")!.data], [...net.weights.get("fc3.weight")!.data]);
  assert.deepEqual([...n3.masks.get("fc3.weight")!.data], [...net.masks.get("fc3.weight")!.data]);
});

test("loadNetwork refuses files that do not fit the architecture, naming the layer", () => {
  const spec = lenet300_100();
  const cases: [string, (l: [string, { dtype: "F32" | "U8"; shape: number[]; data: Float32Array | Uint8Array }][]) => void, RegExp][] = [
    ["missing", (l) => l.splice(2, 2), /missing tensor 'fc2\.weight' \(layer fc2 of lenet300-100, shape \[100, 300\]\)/],
    ["shape", (l) => { l[4] = ["fc3.weight", { dtype: "F32", shape: [10, 99], data: new Float32Array(990) }]; l.splice(5, 1); }, /layer fc3: 'fc3\.weight' has shape \[10, 99\], expected \[10, 100\]/],
    ["unknown", (l) => l.push(["fc4.weight", { dtype: "F32", shape: [1], data: new Float32Array(1) }]), /unknown tensor 'fc4\.weight'/],
    ["dtype", (l) => { l[4] = ["fc3.weight", { dtype: "U8", shape: [10, 100], data: new Uint8Array(1000) }]; }, /tensor 'fc3\.weight' has dtype U8, expected a float dtype/],
    ["nan", (l) => { (l[2][1].data as Float32Array)[5] = NaN; }, /tensor 'fc2\.weight' has a non-finite value NaN at flat index 5/],
    ["inf", (l) => { (l[4][1].data as Float32Array)[7] = -Infinity; }, /tensor 'fc3\.weight' has a non-finite value -Infinity at flat index 7/],
    ["maskval", (l) => { (l[1][1].data as Uint8Array)[3] = 2; }, /mask 'fc1\.weight_mask' has value 2 at flat index 3/],
    ["maskshape", (l) => { l[5] = ["fc3.weight_mask", { dtype: "U8", shape: [1000], data: new Uint8Array(1000) }]; }, /mask 'fc3\.weight_mask' has shape \[1000\] but 'fc3\.weight' has \[10, 100\]/],
  ];
  for (const [name, edit, re] of cases) {
    const f = tmp(`${name}.safetensors`);
    writeLenet(f, edit);
    assert.throws(() => loadNetwork(f, spec), (err: Error) => re.test(err.message) && err.message.includes(f), name);
  }
  // Biases and BN parameters of the spec are accepted and ignored; allowUnknown skips other tensors.
  const f = tmp();
  writeLenet(f, (l) => l.push(["fc1.bias", { dtype: "F32", shape: [300], data: new Float32Array(300) }]));
  assert.equal(loadNetwork(f, spec).weights.size, 3);
  const g = tmp();
  writeLenet(g, (l) => l.push(["extra", { dtype: "F32", shape: [1], data: new Float32Array(1) }]));
  assert.equal(loadNetwork(g, spec, { allowUnknown: true }).weights.size, 3);
});

test("loads a reference fixture against its architecture (masks = U8, masked weights exactly 0)", () => {
  const net = loadNetwork(referenceNetworkFile("resnet-20_er_0.9"), resnet20());
  assert.equal(net.weights.size, 22);
  assert.equal(net.metadata.pruner, "er");
  for (const [name, w] of net.weights) {
    const m = net.masks.get(name)!;
    for (let i = 0; i < w.data.length; i++) if (m.data[i] === 0) assert.equal(w.data[i], 0);
  }
});
