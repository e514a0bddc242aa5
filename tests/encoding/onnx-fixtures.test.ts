/**
 * torchvision models (and the fixture script's BranchyNet) exported to ONNX with random masks,
 * against the MGE PyTorch autograd computes for them (tests/fixtures/onnx/*.expected.json, made by
 * tests/fixtures/onnx/make_fixtures.py; format in its README): the ONNX import + general MGE in
 * `exact` alignment must give the same nodes, partitions, per-layer edge counts, the same sorted
 * edge list (SHA-256) and the same weight sum (float32 weights, relative 1e-5).
 * The official mge-snn models exported to ONNX (tests/fixtures/onnx/official, make_official.py), where
 * present, must give the reference fixtures' fingerprints in `reference` alignment, autograd's graph in
 * `exact` alignment where the oracle was run, and the built-in ArchSpec's graph in both alignments.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadModel } from "../../src/nn/load-model";
import { encodeArchitectureMge } from "../../src/encoding/dag-mge";
import { edgeFingerprint } from "../../src/encoding";
import { referenceFixturesDir } from "../../src/io/paths";
import { buildArchitecture } from "../../src/nn/architectures";

const DIR = path.join(__dirname, "..", "fixtures", "onnx");
const names = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith(".expected.json")).map((f) => f.replace(/\.expected\.json$/, "")).sort() : [];

interface ExpectedLayer {
  layer: string;
  edges: number;
  source_partitions: number[];
  target_partition: number;
}

test("the ONNX fixtures folder holds autograd expectations", { skip: names.length === 0 && "no ONNX fixtures yet" }, () => {
  assert.ok(names.length >= 1);
});

for (const name of names) {
  test(`ONNX fixture ${name}: exact MGE equals PyTorch autograd's`, () => {
    const expected = JSON.parse(readFileSync(path.join(DIR, `${name}.expected.json`), "utf8"));
    const m = loadModel(path.join(DIR, `${name}.onnx.gz`));
    const g = encodeArchitectureMge(m.architecture, m.masks, { weights: m.weights, alignment: "exact", weightPrecision: "float32" });
    assert.equal(g.numNodes, expected.nodes, "nodes");
    assert.deepEqual(
      g.partitions.map((p) => [p.start, p.size, p.channels, p.height, p.width]),
      expected.partitions.map((p: { start: number; size: number; channels: number; height: number; width: number }) => [p.start, p.size, p.channels, p.height, p.width]),
      "partitions",
    );
    assert.equal(g.numEdges, expected.edges, "edges");
    const fp = edgeFingerprint(g);
    assert.equal(fp.distinct_directed_pairs, expected.edges, "one edge per pair");
    assert.equal(fp.sha256_sorted_edges_int64, expected.sha256_sorted_edges_int64, "sorted edge list");
    assert.ok(Math.abs(fp.weight_sum_float64 - expected.weight_sum_float64) <= 1e-5 * expected.weight_sum_float64, `weight sum ${fp.weight_sum_float64} vs ${expected.weight_sum_float64}`);
    const layers: ExpectedLayer[] = expected.layers;
    assert.deepEqual(
      g.edgesPerLayer.map((l) => [l.edges, l.targetPartition]),
      layers.map((l) => [l.edges, l.target_partition]),
      "per-layer edges and target partitions",
    );
  });
}

const OFFICIAL = path.join(DIR, "official");
const official = existsSync(OFFICIAL) ? readdirSync(OFFICIAL).filter((f) => /\.onnx(\.gz)?$/.test(f)).sort() : [];
for (const file of official) {
  // The reference fixture of the same name (its weights exported into the official model class).
  const stem = file.replace(/\.onnx(\.gz)?$/, "");
  const beside = path.join(OFFICIAL, `${stem}.expected.json`);
  const expectedFile = existsSync(beside) ? beside : path.join(referenceFixturesDir(), `${stem}.expected.json`);
  // Exports without a reference fixture (ResNet-32) are checked against the built-in spec below.
  if (!existsSync(expectedFile)) continue;
  test(`official model ${file} (ONNX) reproduces the reference fixture's graph in reference alignment`, () => {
    const expected = JSON.parse(readFileSync(expectedFile, "utf8"));
    const m = loadModel(path.join(OFFICIAL, file));
    const g = encodeArchitectureMge(m.architecture, m.masks, { weights: m.weights, alignment: "reference" });
    assert.equal(g.numNodes, expected.nodes);
    assert.equal(g.numEdges, expected.edges);
    const fp = edgeFingerprint(g) as unknown as Record<string, unknown>;
    for (const key of Object.keys(expected.edge_fingerprint)) assert.equal(fp[key], expected.edge_fingerprint[key], key);
  });
}

for (const file of official) {
  const exactFile = path.join(OFFICIAL, file.replace(/\.onnx(\.gz)?$/, ".exact.json"));
  // The oracle costs hours on Conv-6 / WRN-28-2 here: those are checked against the built-in spec below.
  if (!existsSync(exactFile)) continue;
  test(`official model ${file} (ONNX) in exact alignment equals PyTorch autograd's`, () => {
    const expected = JSON.parse(readFileSync(exactFile, "utf8"));
    const m = loadModel(path.join(OFFICIAL, file));
    const g = encodeArchitectureMge(m.architecture, m.masks, { weights: m.weights, alignment: "exact", weightPrecision: "float32" });
    assert.equal(g.numNodes, Number(expected.nodes));
    assert.equal(g.numEdges, Number(expected.edges));
    const fp = edgeFingerprint(g);
    assert.equal(fp.sha256_sorted_edges_int64, expected.sha256_sorted_edges_int64);
    assert.ok(Math.abs(fp.weight_sum_float64 - Number(expected.weight_sum_float64)) <= 1e-5 * Number(expected.weight_sum_float64));
  });
}

// The official model classes exported to ONNX and the built-in ArchSpecs describe the same networks:
// the same weights and masks give the same graph through either route, in both alignments (the
// ArchSpec encoder is itself checked against brute-force Jacobians, the autograd oracle and the
// fixtures). This covers the exports that have no reference fixture or no autograd expectation
// (ResNet-32; Conv-6 and WRN-28-2 in exact alignment).
const BUILT_IN: Record<string, string> = { "conv-6": "conv6", "resnet-20": "resnet20", "resnet-32": "resnet32", "wide-resnet-28-2": "wrn28-2" };
for (const file of official) {
  const prefix = Object.keys(BUILT_IN).find((p) => file.startsWith(`${p}_`));
  test(`official model ${file} (ONNX) encodes as the built-in ${prefix ? BUILT_IN[prefix] : "?"} in both alignments`, () => {
    assert.ok(prefix, `no built-in architecture for ${file}`);
    const m = loadModel(path.join(OFFICIAL, file));
    const spec = buildArchitecture(BUILT_IN[prefix], { inputSize: 32, classes: 10 });
    for (const alignment of ["reference", "exact"] as const) {
      const fromOnnx = edgeFingerprint(encodeArchitectureMge(m.architecture, m.masks, { weights: m.weights, alignment, weightPrecision: "float32" }));
      const fromSpec = edgeFingerprint(encodeArchitectureMge(spec, m.masks, { weights: m.weights, alignment, weightPrecision: "float32" }));
      assert.deepEqual(fromOnnx, fromSpec, alignment);
    }
  });
}
