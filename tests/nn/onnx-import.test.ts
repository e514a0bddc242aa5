/**
 * ONNX → DAG import (src/nn/onnx-import.ts) and loadModel (src/nn/load-model.ts):
 * - the PyTorch-exported tiny CNN (tests/fixtures/torch-io, BN folded into conv1, a view's shape
 *   sub-graph, a ReduceMean) imports to the DAG of its Python definition, written here by hand;
 * - synthetic graphs (ONNX model objects built in the test) for Gemm transB 0/1, MatMul + bias,
 *   Concat, ceil-mode pooling, Clip(0, 6), Dropout — compared with hand-built DAGs through the
 *   encoder's fingerprints;
 * - refusals naming the node and op: unsupported ops, non-flatten reshapes, symbolic sizes, a
 *   Softmax in the middle;
 * - `torch.nn.utils.prune.global_unstructured` checkpoint (pruned.pt) loaded onto the ONNX model:
 *   masks and merged weights equal PyTorch's (sha256 in expected.json).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { OnnxModel, OnnxNode, OnnxTensor, OnnxAttribute } from "../../src/io/onnx/read";
import { readOnnx } from "../../src/io/onnx/read";
import { dagFromOnnx } from "../../src/nn/onnx-import";
import { loadModel } from "../../src/nn/load-model";
import type { DagNode, DagSpec } from "../../src/nn/dag";
import { encodeDagMge } from "../../src/encoding/dag-mge";
import { edgeFingerprint } from "../../src/encoding";
import { saveNetwork } from "../../src/io/network-file";
import { Rng } from "../../src/util/rng";

const FIX = path.join(__dirname, "..", "fixtures", "torch-io");

function sha(a: Float32Array): string {
  return createHash("sha256").update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest("hex");
}

test("the exported tiny CNN imports to the DAG of its PyTorch definition", () => {
  const { dag, weights } = dagFromOnnx(readOnnx(path.join(FIX, "tiny.onnx.gz")));
  // TinyCNN: conv1(3→4, k3, p1, no bias) → bn1 → relu → max_pool2d(2) → conv2(4→8, k3, s2, p1) → relu → mean(2,3) → view → fc(8→5)
  assert.deepEqual(dag.nodes.map((n) => n.op.kind), ["conv2d", "activation", "maxpool", "conv2d", "activation", "adaptivepool", "flatten", "linear"]);
  const conv1 = dag.nodes[0].op;
  assert.ok(conv1.kind === "conv2d");
  assert.deepEqual([conv1.inChannels, conv1.outChannels, conv1.kernel, conv1.stride, conv1.padding], [3, 4, [3, 3], [1, 1], [1, 1, 1, 1]]);
  const conv2 = dag.nodes[3].op;
  assert.ok(conv2.kind === "conv2d");
  assert.deepEqual([conv2.inChannels, conv2.outChannels, conv2.stride, conv2.padding], [4, 8, [2, 2], [1, 1, 1, 1]]);
  // Names: conv1's BN-folded initializer 'onnx::Conv_30' is named after the module; conv2/fc keep theirs.
  assert.deepEqual([...weights.keys()], ["conv1.weight", "conv2.weight", "fc.weight"]);
  const expected = JSON.parse(readFileSync(path.join(FIX, "expected.json"), "utf8"))["tiny.onnx"].initializers;
  assert.equal(sha(weights.get("conv1.weight")!.data), expected["onnx::Conv_30"].sha256);
  assert.equal(sha(weights.get("fc.weight")!.data), expected["fc.weight"].sha256);
  // Same graph as the hand-written DAG.
  const hand = handDag("tiny", { name: "x", channels: 3, height: 8, width: 8 }, [
    ["c1", { kind: "conv2d", weight: "conv1.weight", inChannels: 3, outChannels: 4, kernel: [3, 3], stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1, bias: false, role: "conv" }],
    ["p", { kind: "maxpool", kernel: [2, 2], stride: [2, 2], padding: [0, 0, 0, 0], dilation: [1, 1], ceilMode: false }],
    ["c2", { kind: "conv2d", weight: "conv2.weight", inChannels: 4, outChannels: 8, kernel: [3, 3], stride: [2, 2], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1, bias: true, role: "conv" }],
    ["g", { kind: "adaptivepool", mode: "avg", output: [1, 1] }],
    ["f", { kind: "flatten" }],
    ["fc", { kind: "linear", weight: "fc.weight", inFeatures: 8, outFeatures: 5, bias: true }],
  ]);
  assert.deepEqual(edgeFingerprint(encodeDagMge(dag, null, { weights })), edgeFingerprint(encodeDagMge(hand, null, { weights })));
});

function handDag(name: string, input: DagSpec["input"], chain: [string, DagNode["op"]][]): DagSpec {
  const nodes: DagNode[] = [];
  let x = input.name;
  for (const [n, op] of chain) {
    nodes.push({ name: n, op, inputs: [x] });
    x = n;
  }
  return { kind: "dag", name, input, nodes, output: x };
}

// ---- synthetic ONNX graphs ----
const t = (name: string, dims: number[], data: ArrayLike<number>, dataType: "float32" | "int64" = "float32"): OnnxTensor =>
  dataType === "int64" ? { name, dims, dataType, data: BigInt64Array.from(Array.from(data, (v) => BigInt(v))) } : { name, dims, dataType, data: Float32Array.from(data) };
const ints = (value: number[]): OnnxAttribute => ({ type: "ints", value });
const int = (value: number): OnnxAttribute => ({ type: "int", value });
const node = (opType: string, inputs: string[], outputs: string[], attributes: Record<string, OnnxAttribute> = {}, name = `/${opType}_${outputs[0]}`): OnnxNode => ({ name, opType, domain: "", inputs, outputs, attributes });

function model(nodes: OnnxNode[], inits: OnnxTensor[], inputDims: (number | string)[] = [1, 2, 6, 6], output = nodes[nodes.length - 1].outputs[0]): OnnxModel {
  return {
    file: "synthetic.onnx",
    irVersion: 8,
    producerName: "test",
    producerVersion: "0",
    opsetImports: [{ domain: "", version: 13 }],
    graph: {
      name: "g",
      nodes,
      initializers: new Map(inits.map((x) => [x.name, x])),
      inputs: [{ name: "x", elemType: "float32", dims: inputDims }],
      outputs: [{ name: output, elemType: "float32", dims: null }],
      valueInfo: [],
    },
  };
}

function randn(n: number, rng: Rng): number[] {
  return Array.from({ length: n }, () => (rng.next() < 0.3 ? 0 : rng.normal()));
}

test("synthetic ONNX graph (concat, ceil pooling, Clip, Dropout, shape folding, Gemm transB 0, MatMul + bias) equals the hand-built DAG", () => {
  const rng = new Rng(3);
  const wa = randn(3 * 2 * 9, rng);
  const wb = randn(2 * 5 * 1, rng);
  const fcT = randn(32 * 4, rng); // Gemm transB 0: [in, out]; 2 channels × 4 × 4 after the ceil-mode pool
  const mm = randn(4 * 3, rng); // MatMul: [in, out]
  const nodes: OnnxNode[] = [
    node("Conv", ["x", "a.weight"], ["a"], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([1, 1]) }, "/a/Conv"),
    node("Clip", ["a", "", ""], ["a6"], { min: { type: "float", value: 0 }, max: { type: "float", value: 6 } }),
    node("Concat", ["a6", "x"], ["cat"], { axis: int(1) }),
    node("MaxPool", ["cat"], ["mp"], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1) }),
    node("Conv", ["mp", "b.weight"], ["b"], { kernel_shape: ints([1, 1]) }, "/b/Conv"),
    node("Dropout", ["b"], ["d"]),
    node("Shape", ["d"], ["s"]),
    node("Constant", [], ["zero"], { value: { type: "tensor", value: t("", [], [0], "int64") } }),
    node("Gather", ["s", "zero"], ["n"], { axis: int(0) }),
    node("Unsqueeze", ["n", "ax"], ["n1"]),
    node("Concat", ["n1", "minus1"], ["shape"], { axis: int(0) }),
    node("Reshape", ["d", "shape"], ["flat"]),
    node("Gemm", ["flat", "fc.weight_t", "fc.bias"], ["fc"], { transB: int(0) }, "/fc/Gemm"),
    node("Relu", ["fc"], ["r"]),
    node("MatMul", ["r", "head_w"], ["mm"], {}, "/head/MatMul"),
    node("Add", ["mm", "head_b"], ["out"]),
  ];
  const inits = [
    t("a.weight", [3, 2, 3, 3], wa), t("b.weight", [2, 5, 1, 1], wb), t("fc.weight_t", [32, 4], fcT), t("fc.bias", [4], [0, 0, 0, 0]),
    t("head_w", [4, 3], mm), t("head_b", [3], [1, 1, 1]), t("ax", [1], [0], "int64"), t("minus1", [1], [-1], "int64"),
  ];
  const { dag, weights } = dagFromOnnx(model(nodes, inits));
  // PyTorch layout [out, in]: the Gemm (transB 0) and MatMul weights transposed.
  const transpose = (d: number[], rows: number, cols: number): Float32Array => {
    const o = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) o[j * rows + i] = d[i * cols + j];
    return o;
  };
  assert.deepEqual(Array.from(weights.get("fc.weight")!.data), Array.from(transpose(fcT, 32, 4)));
  const headKey = [...weights.keys()].find((k) => k.startsWith("head"))!;
  assert.deepEqual(Array.from(weights.get(headKey)!.data), Array.from(transpose(mm, 4, 3)));
  const input = { name: "in", channels: 2, height: 6, width: 6 };
  const hand: DagSpec = {
    kind: "dag", name: "hand", input, output: "h",
    nodes: [
      { name: "a", op: { kind: "conv2d", weight: "a.weight", inChannels: 2, outChannels: 3, kernel: [3, 3], stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1, bias: false, role: "conv" }, inputs: ["in"] },
      { name: "cat", op: { kind: "concat" }, inputs: ["a", "in"] },
      { name: "mp", op: { kind: "maxpool", kernel: [3, 3], stride: [2, 2], padding: [1, 1, 1, 1], dilation: [1, 1], ceilMode: true }, inputs: ["cat"] },
      { name: "b", op: { kind: "conv2d", weight: "b.weight", inChannels: 5, outChannels: 2, kernel: [1, 1], stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1, bias: false, role: "conv" }, inputs: ["mp"] },
      { name: "f", op: { kind: "flatten" }, inputs: ["b"] },
      { name: "fc", op: { kind: "linear", weight: "fc.weight", inFeatures: 32, outFeatures: 4, bias: true }, inputs: ["f"] },
      { name: "h", op: { kind: "linear", weight: headKey, inFeatures: 4, outFeatures: 3, bias: false }, inputs: ["fc"] },
    ],
  };
  assert.equal(dag.nodes.find((n) => n.op.kind === "activation" && n.op.fn === "relu6") !== undefined, true);
  assert.equal(dag.nodes.filter((n) => n.op.kind === "flatten").length, 1);
  const g1 = encodeDagMge(dag, null, { weights, weightPrecision: "float32" });
  const g2 = encodeDagMge(hand, null, { weights, weightPrecision: "float32" });
  assert.deepEqual(edgeFingerprint(g1), edgeFingerprint(g2));
  assert.ok(g1.numEdges > 0);
});

test("ONNX import refuses what it cannot map, naming the node, its op and where it sits", () => {
  const w = t("c.weight", [2, 2, 1, 1], [1, 1, 1, 1]);
  const conv = node("Conv", ["x", "c.weight"], ["c"], { kernel_shape: ints([1, 1]) }, "/c/Conv");
  assert.throws(() => dagFromOnnx(model([conv, node("Resize", ["c", "", "scales"], ["p"], {}, "/up/Resize")], [w, t("scales", [4], [1, 1, 2, 2])])),
    /nn\/onnx-import: synthetic\.onnx: node #1 '\/up\/Resize' \(op Resize, c, , scales → p\).*op Resize is not supported/);
  assert.throws(() => dagFromOnnx(model([conv, node("Pad", ["c", "pads"], ["p"], {}, "/pad/Pad")], [w, t("pads", [8], [0, 0, 1, 1, 0, 0, 1, 1], "int64")])),
    /node #1 '\/pad\/Pad' \(op Pad, c, pads → p\): Pad with non-zero pads \[0, 0, 1, 1, 0, 0, 1, 1\] is not supported/);
  assert.equal(dagFromOnnx(model([conv, node("Pad", ["c", "pads"], ["p"])], [w, t("pads", [8], [0, 0, 0, 0, 0, 0, 0, 0], "int64")])).dag.output, "c");
  assert.throws(() => dagFromOnnx(model([conv, node("Reshape", ["c", "shape"], ["r"])], [w, t("shape", [3], [1, 2, 36], "int64")])),
    /node #1 .*Reshape of \[N, 2, 6, 6\] to \[1, 2, 36\] is not a flatten/);
  assert.throws(() => dagFromOnnx(model([conv], [w], [1, 2, "h", "w"])), /input 'x' has a symbolic height \(h\); give the input size/);
  assert.equal(dagFromOnnx(model([conv], [w], [1, 2, "h", "w"]), { inputSize: 5 }).dag.input.height, 5);
  assert.throws(() => dagFromOnnx(model([conv, node("Softmax", ["c"], ["s"]), node("Relu", ["s"], ["r"])], [w])), /Softmax is supported only as the network's last op/);
  assert.throws(() => dagFromOnnx(model([conv, node("Mul", ["c", "c"], ["m"])], [w])), /Mul of tensors \(gating, attention\) is not supported/);
  // x · sigmoid(x) (SiLU as exported) is an activation; the sigmoid branch is dropped.
  const silu = dagFromOnnx(model([conv, node("Sigmoid", ["c"], ["s"]), node("Mul", ["c", "s"], ["m"])], [w])).dag;
  assert.deepEqual(silu.nodes.map((n) => [n.op.kind, n.inputs]), [["conv2d", ["input"]], ["activation", ["c"]]]);
  assert.throws(() => dagFromOnnx(model([node("Conv", ["x", "c.weight"], ["c"], { kernel_shape: ints([3, 3]) })], [w])), /kernel_shape \[3,3\] disagrees with the weight/);
});

test("a torch.nn.utils.prune.global_unstructured checkpoint loads onto the ONNX model with PyTorch's masks", () => {
  const m = loadModel(path.join(FIX, "tiny.onnx"), { weights: path.join(FIX, "pruned.pt") });
  const expected = JSON.parse(readFileSync(path.join(FIX, "expected.json"), "utf8"));
  for (const name of ["conv1.weight", "conv2.weight", "fc.weight"]) {
    const mask = m.masks!.get(name)!;
    assert.equal(sha(Float32Array.from(mask.data)), expected["pruned.pt#masks"][name].sha256, name);
    assert.equal(sha(m.weights!.get(name)!.data), expected["pruned.pt#merged"][name].sha256, name);
  }
  // global_unstructured(amount=0.6) over 108 + 288 + 40 weights keeps 436 − round(0.6·436) = 174.
  let kept = 0;
  for (const mk of m.masks!.values()) for (const v of mk.data) kept += v;
  assert.equal(kept, 174);
  const dir = mkdtempSync(path.join(os.tmpdir(), "snn-load-model-"));
  try {
    // A weights file whose names match no layer is refused, naming the tensor.
    const bad = path.join(dir, "bad.safetensors");
    saveNetwork(bad, new Map([["features.0.weight", { shape: [4, 3, 3, 3], data: new Float32Array(108) }]]), null);
    assert.throws(() => loadModel(path.join(FIX, "tiny.onnx"), { weights: bad }), /tensor 'features.0.weight' \[4, 3, 3, 3\] matches no conv\/linear layer of tiny/);
    // A truncated ONNX file names the file.
    const trunc = path.join(dir, "t.onnx");
    writeFileSync(trunc, readFileSync(path.join(FIX, "tiny.onnx")).subarray(0, 200));
    assert.throws(() => loadModel(trunc), /t\.onnx/);
    assert.throws(() => loadModel("vgg11"), /'vgg11' is neither an \.onnx\/\.onnx\.gz file nor a built-in architecture/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
