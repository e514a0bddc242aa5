/**
 * io/onnx: the tiny CNN exported by torch.onnx.export (tests/fixtures/torch-io/make_fixtures.py)
 * read from .onnx and .onnx.gz must give exactly what the onnx Python package read from it; the
 * typed-field encodings are checked against raw_data; every kind of bad input gives an error naming
 * the file and the problem.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import * as protobuf from "protobufjs";
import { parseOnnx, readOnnx } from "../../src/io/onnx/read";
import type { OnnxModel } from "../../src/io/onnx/read";
import { ONNX_DESCRIPTOR as descriptor } from "../../src/io/onnx/onnx-descriptor";
import { assertTensor, loadExpected, TORCH_IO_FIXTURES } from "./tensor-expect";
import type { ExpectedTensor } from "./tensor-expect";

const onnxFile = path.join(TORCH_IO_FIXTURES, "tiny.onnx");
const expected = loadExpected()["tiny.onnx"] as {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  graphName: string;
  nodes: { name: string; opType: string; inputs: string[]; outputs: string[]; attributes: Record<string, unknown> }[];
  initializers: Record<string, ExpectedTensor>;
  inputs: { name: string; elemType: number; dims: (number | string | null)[] }[];
  outputs: { name: string; elemType: number; dims: (number | string | null)[] }[];
  valueInfo: { name: string; elemType: number; dims: (number | string | null)[] }[];
};
const ELEM: Record<number, string> = { 1: "float32", 7: "int64" };

const ModelProto = protobuf.Root.fromJSON(descriptor as protobuf.INamespace).lookupType("onnx.ModelProto");
/** The fixture as a plain protobuf object, to be edited and re-encoded into bad files. */
function fixtureObject(): Record<string, any> {
  return ModelProto.toObject(ModelProto.decode(readFileSync(onnxFile)), { longs: Number, bytes: Array, defaults: false }) as Record<string, any>;
}
const encode = (o: Record<string, any>) => ModelProto.encode(ModelProto.fromObject(o)).finish();

function checkModel(m: OnnxModel): void {
  assert.equal(m.irVersion, expected.irVersion);
  assert.deepEqual(m.opsetImports, expected.opsetImports);
  assert.equal(m.graph.name, expected.graphName);
  assert.equal(m.graph.nodes.length, expected.nodes.length);
  m.graph.nodes.forEach((n, i) => {
    const e = expected.nodes[i];
    assert.equal(n.name, e.name);
    assert.equal(n.opType, e.opType);
    assert.deepEqual(n.inputs, e.inputs);
    assert.deepEqual(n.outputs, e.outputs);
    assert.deepEqual(Object.keys(n.attributes).sort(), Object.keys(e.attributes).sort(), `attributes of ${n.name}`);
    for (const [k, ev] of Object.entries(e.attributes)) {
      const a = n.attributes[k];
      if (a.type === "tensor") assertTensor(a.value, (ev as { tensor: ExpectedTensor }).tensor, `${n.name}.${k}`);
      else assert.deepEqual(a.value, ev, `${n.name}.${k}`);
    }
  });
  assert.deepEqual([...m.graph.initializers.keys()].sort(), Object.keys(expected.initializers).sort());
  for (const [name, t] of m.graph.initializers) {
    assert.equal(t.name, name);
    assertTensor(t, expected.initializers[name], name);
  }
  for (const [got, want] of [[m.graph.inputs, expected.inputs], [m.graph.outputs, expected.outputs], [m.graph.valueInfo, expected.valueInfo]] as const) {
    assert.deepEqual(got, want.map((v) => ({ name: v.name, elemType: ELEM[v.elemType], dims: v.dims })));
  }
}

test("onnx: the torch-exported tiny CNN reads exactly as the onnx package reads it (.onnx and .onnx.gz)", () => {
  checkModel(readOnnx(onnxFile));
  const gz = readOnnx(onnxFile + ".gz");
  checkModel(gz);
  assert.equal(gz.file, onnxFile + ".gz");
  assert.equal(gz.producerName, "pytorch");
});

test("onnx: the committed JSON descriptor is onnx.proto's", () => {
  const fromProto = protobuf.loadSync(path.resolve(__dirname, "../../src/io/onnx/onnx.proto")).toJSON();
  assert.deepEqual(JSON.parse(JSON.stringify(fromProto)), descriptor, "run node scripts/gen-onnx-descriptor.js");
});

test("onnx: tensors that onnx.helper.make_tensor put in the typed fields read as numpy_helper reads them", () => {
  const want = loadExpected()["typed-fields.onnx"] as Record<string, ExpectedTensor>;
  const g = readOnnx(path.join(TORCH_IO_FIXTURES, "typed-fields.onnx")).graph;
  assert.deepEqual([...g.initializers.keys()].sort(), Object.keys(want).sort());
  for (const [name, t] of g.initializers) assertTensor(t, want[name], name);
});

test("onnx: typed repeated fields decode to the same values as raw_data", () => {
  const o = fixtureObject();
  const ref = readOnnx(onnxFile).graph;
  const f32 = o.graph.initializer.find((t: any) => t.name === "conv2.weight");
  f32.floatData = Array.from(ref.initializers.get("conv2.weight")!.data as Float32Array);
  delete f32.rawData;
  // fc.weight as float16 bits and fc.bias as double; a Constant as int64_data; extra int8/uint8/bool/int32 initializers.
  const fc = o.graph.initializer.find((t: any) => t.name === "fc.weight");
  const halfBits = [0x3c00, 0xc000, 0x0001, 0x7bff, 0x8000, 0x3555];
  Object.assign(fc, { dataType: 10, dims: [2, 3], int32Data: halfBits });
  delete fc.rawData;
  const fb = o.graph.initializer.find((t: any) => t.name === "fc.bias");
  Object.assign(fb, { dataType: 11, dims: [2], doubleData: [0.1, -1e300] });
  delete fb.rawData;
  o.graph.initializer.push(
    { name: "i8", dataType: 3, dims: [3], int32Data: [-128, 0, 127] },
    { name: "u8", dataType: 2, dims: [2], int32Data: [0, 255] },
    { name: "b", dataType: 9, dims: [3], int32Data: [1, 0, 1] },
    { name: "i32", dataType: 6, dims: [2], int32Data: [-(2 ** 31), 2 ** 31 - 1] },
    { name: "bf", dataType: 16, dims: [2], int32Data: [0x3f80, 0xc0a0] },
    { name: "empty", dataType: 1, dims: [0, 4] },
  );
  const c = o.graph.node.find((n: any) => n.name === "/Constant_1").attribute[0].t;
  Object.assign(c, { int64Data: [-1] });
  delete c.rawData;
  const g = parseOnnx(encode(o), "typed.onnx").graph;
  assert.deepEqual(g.initializers.get("conv2.weight")!.data, ref.initializers.get("conv2.weight")!.data);
  assert.deepEqual(g.initializers.get("fc.weight"), { name: "fc.weight", dims: [2, 3], dataType: "float16", data: Float32Array.from([1, -2, 2 ** -24, 65504, -0, 0.333251953125]) });
  assert.deepEqual(g.initializers.get("fc.bias")!.data, Float64Array.from([0.1, -1e300]));
  assert.deepEqual(g.initializers.get("i8")!.data, Int8Array.from([-128, 0, 127]));
  assert.deepEqual(g.initializers.get("u8")!.data, Uint8Array.from([0, 255]));
  assert.deepEqual(g.initializers.get("b")!, { name: "b", dims: [3], dataType: "bool", data: Uint8Array.from([1, 0, 1]) });
  assert.deepEqual(g.initializers.get("i32")!.data, Int32Array.from([-(2 ** 31), 2 ** 31 - 1]));
  assert.deepEqual(g.initializers.get("bf")!.data, Float32Array.from([1, -5]));
  assert.deepEqual(g.initializers.get("empty")!, { name: "empty", dims: [0, 4], dataType: "float32", data: new Float32Array(0) });
  const cv = g.nodes.find((n) => n.name === "/Constant_1")!.attributes.value;
  assert.ok(cv.type === "tensor");
  assert.deepEqual(cv.value.data, BigInt64Array.from([-1n]));
});

test("onnx: int64 values are exact, INT64_MAX sentinels in int attributes are the nearest double", () => {
  const o = fixtureObject();
  o.graph.initializer.push({ name: "big", dataType: 7, dims: [2], int64Data: ["9223372036854775807", "-9223372036854775808"] });
  o.graph.node[0].attribute.push({ name: "ends", type: 7, ints: ["9223372036854775807"] });
  const g = parseOnnx(encode(o), "int64.onnx").graph;
  assert.deepEqual(g.initializers.get("big")!.data, BigInt64Array.from([2n ** 63n - 1n, -(2n ** 63n)]));
  assert.deepEqual(g.nodes[0].attributes.ends, { type: "ints", value: [2 ** 63] });
});

test("onnx: model-local functions that no node calls are ignored", () => {
  const o = fixtureObject();
  o.functions = [{ name: "Unused", domain: "local", node: [{ opType: "Relu", input: ["x"], output: ["y"] }] }];
  checkModel(parseOnnx(encode(o), "functions.onnx"));
});

test("onnx: garbage, truncated and empty files are not valid ONNX models, naming the file", () => {
  const good = readFileSync(onnxFile);
  assert.throws(() => parseOnnx(new Uint8Array(0), "empty.onnx"), /io\/onnx: empty\.onnx: not a valid ONNX model \(no ir_version, no opset_import, no graph/);
  assert.throws(() => parseOnnx(Buffer.from("this is not a protobuf message at all\n"), "text.onnx"), /io\/onnx: text\.onnx: not a valid ONNX model/);
  const garbage = Buffer.alloc(4096);
  for (let i = 0, x = 12345; i < garbage.length; i++) garbage[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  assert.throws(() => parseOnnx(garbage, "garbage.onnx"), /io\/onnx: garbage\.onnx: not a valid ONNX model/);
  for (const cut of [1, 7, 50, 400, 1000, 2000, good.length - 300, good.length - 1]) {
    assert.throws(() => parseOnnx(good.subarray(0, cut), "cut.onnx"), /io\/onnx: cut\.onnx: (not a valid ONNX model|.*need \d+ bytes)/, `cut at ${cut}`);
  }
  const gz = gzipSync(good);
  assert.throws(() => parseOnnx(gz.subarray(0, gz.length - 20), "cut.onnx.gz"), /io\/onnx: cut\.onnx\.gz: bad gzip data/);
  assert.throws(() => readOnnx(path.join(TORCH_IO_FIXTURES, "absent.onnx")), /io\/onnx: cannot read .*absent\.onnx/);
});

test("onnx: external data, bad dims, unsupported types and sub-graphs are refused with the tensor or node named", () => {
  const bad = (edit: (o: Record<string, any>) => void, re: RegExp) => {
    const o = fixtureObject();
    edit(o);
    assert.throws(() => parseOnnx(encode(o), "bad.onnx"), re);
  };
  const init = (o: Record<string, any>, name: string) => o.graph.initializer.find((t: any) => t.name === name);
  bad((o) => {
    const t = init(o, "fc.weight");
    delete t.rawData;
    Object.assign(t, { dataLocation: 1, externalData: [{ key: "location", value: "weights.bin" }] });
  }, /io\/onnx: bad\.onnx: initializer: tensor 'fc\.weight' keeps its data in an external file \(data_location EXTERNAL\)/);
  bad((o) => (init(o, "fc.weight").dims = [5, 9]), /tensor 'fc\.weight': dims \[5, 9\] of float32 need 180 bytes, raw_data has 160/);
  bad((o) => (init(o, "fc.weight").dims = [5, -8]), /tensor 'fc\.weight': bad dimension -8/);
  bad((o) => (init(o, "fc.weight").dims = [2 ** 40, 2 ** 40]), /tensor 'fc\.weight': dims \[1099511627776, 1099511627776\] hold more than 2147483647 elements/);
  bad((o) => (init(o, "fc.weight").dataType = 5), /tensor 'fc\.weight' has element type int16/);
  bad((o) => (init(o, "fc.weight").dataType = 8), /tensor 'fc\.weight' has element type string/);
  bad((o) => o.graph.initializer.push({ name: "i8", dataType: 3, dims: [2], int32Data: [1, 300] }), /tensor 'i8': int32_data value 300 at flat index 1 is out of range for int8/);
  bad((o) => o.graph.initializer.push({ name: "few", dataType: 1, dims: [3], floatData: [1, 2] }), /tensor 'few': dims hold 3 elements, float_data has 2/);
  bad((o) => o.graph.initializer.push({ name: "none", dataType: 1, dims: [3] }), /tensor 'none': dims \[3\] hold 3 elements but the tensor has no data/);
  bad((o) => o.graph.initializer.push({ ...init(o, "fc.bias") }), /initializer 'fc\.bias' appears twice/);
  bad((o) => {
    const c = o.graph.node.find((n: any) => n.name === "/Constant").attribute[0].t;
    c.rawData = [1, 2, 3];
  }, /node 7 '\/Constant' \(Constant\): attribute 'value': tensor '': dims \[\] of int64 need 8 bytes, raw_data has 3/);
  bad((o) => o.graph.node[0].attribute.push({ name: "then_branch", type: 5, g: { name: "sub" } }), /node 0 '\/conv1\/Conv' \(Conv\): attribute 'then_branch' is a graph \(sub-graphs of If\/Loop\/Scan are not supported\)/);
  bad((o) => (o.graph.output[0].type = { sequenceType: { elemType: o.graph.output[0].type } }), /graph output: value 'logits' is not a tensor \(its type is sequenceType\)/);
  bad((o) => o.graph.node[0].attribute.push({ name: "alpha", type: 2 }), /node 0 '\/conv1\/Conv' \(Conv\): attribute 'alpha' has type INT but no value \(field i\)/);
  bad((o) => o.graph.node[0].attribute.push({ name: "beta", type: 7, ints: [1], floats: [0.5] }), /attribute 'beta' has type INTS but carries floats/);
  bad((o) => o.graph.node[0].attribute.push({ name: "gamma", type: 0, f: 1 }), /attribute 'gamma' is of unknown type 0/);
  bad((o) => o.graph.node[0].attribute.push({ ...o.graph.node[0].attribute[0] }), /attribute 'dilations' appears twice/);
  bad((o) => {
    o.functions = [{ name: "Block", domain: "local", node: [] }];
    Object.assign(o.graph.node[1], { opType: "Block", domain: "local" });
  }, /node 1 '\/Relu' calls the model-local function local\.Block, which is not supported: inline it first/);
  bad((o) => (o.graph.node[3].opType = ""), /node 3 '\/conv2\/Conv' \(no op_type\) has no op_type/);
});
