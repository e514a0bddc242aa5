/**
 * Per-layer BGEs (reference-notes §1.1, §1.2) against their definitions computed by hand-written
 * loops over the weight tensors, node counts measured on the paper's data (WRN conv1 43 nodes,
 * a 16→32 conv 176), and graph export round trips and refusals.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { mobilenetv2, resnet20, wrn28_2, prunableWeights, lenet5 } from "../../src/nn";
import {
  encodeMge,
  encodeRolledBge,
  encodeRolledChannelBge,
  edgeFingerprint,
  readGraphBinary,
  toGraphology,
  writeGraphBinary,
  writeGraphML,
} from "../../src/encoding";
import { roundToFloat16 } from "../../src/io/float16";
import { randomNet, edgeMap, checkCsr } from "./helpers";
import { tempDir } from "../temp";

test("rolled BGE: c_in·k² + c_out nodes, an edge per nonzero weight with |w| as float16", () => {
  const spec = wrn28_2();
  const { weights, masks } = randomNet(spec, 0.1, 3);
  const layers = encodeRolledBge(spec, masks, { weights });
  assert.equal(layers.length, 29);
  assert.equal(layers[0].layer, "conv1");
  assert.equal(layers[0].graph.numNodes, 43);
  assert.equal(layers.find((l) => l.layer === "block2.layer.0.conv1")!.graph.numNodes, 32 * 9 + 64);
  const pw = prunableWeights(spec);
  layers.forEach((l, idx) => {
    checkCsr(l.graph);
    const w = weights.get(pw[idx].name)!;
    const m = masks.get(pw[idx].name)!;
    const cout = w.shape[0];
    const cols = w.data.length / cout;
    const expected = new Map<string, number>();
    for (let c = 0; c < cout; c++) for (let i = 0; i < cols; i++) if (m.data[c * cols + i]) expected.set(`${i}>${cols + c}`, roundToFloat16(Math.abs(w.data[c * cols + i])));
    assert.deepEqual(edgeMap(l.graph), expected);
  });
});

test("rolled-channel BGE: c_in + c_out nodes, edge iff the kernel has a nonzero, weight = kernel L2 norm; depthwise gives j→j", () => {
  const spec = resnet20();
  const { weights, masks } = randomNet(spec, 0.08, 5);
  const layers = encodeRolledChannelBge(spec, masks, { weights, weightPrecision: "float32" });
  const pw = prunableWeights(spec);
  layers.forEach((l, idx) => {
    const w = weights.get(pw[idx].name)!;
    const [cout, cin] = w.shape;
    const kk = w.shape.length === 4 ? w.shape[2] * w.shape[3] : 1;
    assert.equal(l.graph.numNodes, cin + cout);
    const expected = new Map<string, number>();
    for (let c = 0; c < cout; c++)
      for (let j = 0; j < cin; j++) {
        let s = 0;
        let any = false;
        for (let t = 0; t < kk; t++) {
          const v = w.data[(c * cin + j) * kk + t];
          if (v !== 0) any = true;
          s += v * v;
        }
        if (any) expected.set(`${j}>${cin + c}`, Math.fround(Math.sqrt(s)));
      }
    const got = edgeMap(l.graph);
    assert.equal(got.size, expected.size, l.layer);
    for (const [k, v] of expected) assert.ok(Math.abs((got.get(k) ?? -1) - v) <= 1e-6 * v, `${l.layer} ${k}`);
  });
  const mb = mobilenetv2({ widthMultiplier: 0.25 });
  const net = randomNet(mb, 1, 1);
  const dw = encodeRolledChannelBge(mb, net.masks, { weights: net.weights }).find((l) => l.layer === "layers.3.conv2")!;
  const c = dw.graph.partitions[0].size;
  assert.equal(dw.graph.numEdges, c);
  for (let j = 0; j < c; j++) assert.deepEqual([...dw.graph.targets.subarray(dw.graph.offsets[j], dw.graph.offsets[j + 1])], [c + j]);
});

test("binary graph format: round trip, and refusal of corrupt files", () => {
  const dir = tempDir("snn-graph-");
  const spec = lenet5();
  const { weights, masks } = randomNet(spec, 0.3, 9);
  const g = encodeMge(spec, masks, { weights });
  const f = path.join(dir, "g.bin");
  writeGraphBinary(f, g, { architecture: spec.name });
  const r = readGraphBinary(f);
  assert.deepEqual(edgeFingerprint(r), edgeFingerprint(g));
  assert.deepEqual(r.partitions, g.partitions);
  assert.deepEqual([...r.offsets], [...g.offsets]);
  assert.equal(r.meta.architecture, "lenet5");
  // Header layout is as documented.
  const raw = readFileSync(f);
  assert.equal(raw.toString("ascii", 0, 8), "SNNGRAPH");
  assert.equal(raw.readUInt32LE(8), 1);
  assert.equal(Number(raw.readBigUInt64LE(16)), g.numNodes);
  assert.equal(Number(raw.readBigUInt64LE(24)), g.numEdges);
  const bad = (name: string, buf: Buffer, re: RegExp) => {
    const p = path.join(dir, name);
    writeFileSync(p, buf);
    assert.throws(() => readGraphBinary(p), (e: Error) => re.test(e.message) && e.message.includes(p), name);
  };
  bad("short.bin", raw.subarray(0, 20), /truncated file/);
  bad("trunc.bin", raw.subarray(0, raw.length - 4), /file has \d+ bytes, the header announces/);
  const magic = Buffer.from(raw);
  magic.write("XXXX", 0, "ascii");
  bad("magic.bin", magic, /bad magic/);
  const ver = Buffer.from(raw);
  ver.writeUInt32LE(9, 8);
  bad("version.bin", ver, /unsupported format version 9/);
  const tgt = Buffer.from(raw);
  const jl = raw.readUInt32LE(32);
  tgt.writeInt32LE(g.numNodes + 5, 36 + jl + 4 * (g.numNodes + 1));
  bad("target.bin", tgt, /edge slot 0 has target/);
});

test("GraphML: all nodes and edges with attributes; large graphs refused unless forced; graphology conversion", () => {
  const dir = tempDir("snn-graphml-");
  const spec = lenet5({ widthMultiplier: 0.5 });
  const { weights, masks } = randomNet(spec, 0.05, 2);
  const g = encodeMge(spec, masks, { weights });
  const f = path.join(dir, "g.graphml");
  writeGraphML(f, g);
  const text = readFileSync(f, "utf8");
  assert.equal((text.match(/<node /g) ?? []).length, g.numNodes);
  assert.equal((text.match(/<edge /g) ?? []).length, g.numEdges);
  assert.ok(text.includes('<data key="layer_name">conv2</data>'));
  const v = g.offsets.findIndex((o, i) => i < g.numNodes && g.offsets[i + 1] > o);
  assert.ok(text.includes(`<edge source="n${v}" target="n${g.targets[g.offsets[v]]}"><data key="weight">${g.weights[g.offsets[v]]}</data>`));
  assert.throws(() => writeGraphML(path.join(dir, "big.graphml"), g, { maxEdges: 10 }), /exceeds the limit of 10 edges; use the binary format, or force it/);
  writeGraphML(path.join(dir, "forced.graphml"), g, { maxEdges: 10, force: true });
  const gg = toGraphology(g);
  assert.equal(gg.order, g.numNodes);
  assert.equal(gg.size, g.numEdges);
  assert.throws(() => toGraphology(g, 5), /exceed the limit of 5/);
});
