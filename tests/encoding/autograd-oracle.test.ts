/**
 * The MGE in 'exact' alignment of the paper's architectures against an independent oracle: PyTorch
 * autograd's Jacobian pattern of every layer of the official PyTorch models, loaded with the reference
 * fixtures' weights (tests/fixtures/onnx/make_official.py; definition in tests/fixtures/onnx/README.md).
 * Nodes, edges, partition sizes, per-layer edge counts and partitions, the hash of the sorted edge list
 * and the float32 weight sum must agree.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadNetwork } from "../../src/nn/network-file";
import { buildArchitecture } from "../../src/nn";
import { countMge, edgeFingerprint, encodeMge } from "../../src/encoding";
import { referenceNetworkFile } from "../../src/metrics/reference";

const ORACLE_DIR = path.join(__dirname, "..", "fixtures", "onnx", "official");
// The oracle's expectations committed for reference fixtures (the oracle is too slow for Conv-6 and WRN-28-2).
const NAMES = readdirSync(ORACLE_DIR).filter((f) => f.endsWith(".exact.json")).map((f) => f.slice(0, -".exact.json".length)).filter((n) => !n.startsWith("resnet-32"));

test("the autograd oracle's expectations of the official models are committed", () => {
  assert.ok(NAMES.includes("resnet-20_er_0.9"), `found ${NAMES.join(", ")}`);
});

interface OracleLayer {
  layer: string;
  edges: number;
  source_partitions: number[];
  target_partition: number;
}
interface Oracle {
  nodes: number;
  edges: number;
  sha256_sorted_edges_int64: string;
  weight_sum_float64: number;
  partitions: { size: number; channels: number; height: number; width: number }[];
  layers: OracleLayer[];
}

for (const name of NAMES) {
  const file = referenceNetworkFile(name);
  const oracleFile = path.join(ORACLE_DIR, `${name}.exact.json`);
  test(`MGE (exact alignment) of ${name} equals PyTorch autograd's Jacobian pattern of the official model`, () => {
    const expected = JSON.parse(readFileSync(oracleFile, "utf8")) as Oracle;
    const net = loadNetwork(file);
    const spec = buildArchitecture(net.metadata.architecture, { inputSize: Number(net.metadata.input_size), classes: Number(net.metadata.classes) });
    const g = encodeMge(spec, net.masks, { weights: net.weights, alignment: "exact", weightPrecision: "float32" });
    assert.equal(g.numNodes, expected.nodes, "nodes");
    assert.equal(g.numEdges, expected.edges, "edges");
    assert.deepEqual(
      g.partitions.map((p) => [p.size, p.channels, p.height, p.width]),
      expected.partitions.map((p) => [p.size, p.channels, p.height, p.width]),
      "partitions",
    );
    const ours = new Map(g.edgesPerLayer.map((l) => [l.layer, l]));
    assert.equal(ours.size, expected.layers.length, "number of parametric layers");
    for (const l of expected.layers) {
      const o = ours.get(l.layer);
      assert.ok(o, `layer ${l.layer} missing from the encoder's edgesPerLayer`);
      assert.equal(o.edges, l.edges, `edges of ${l.layer}`);
      assert.deepEqual([o.sourcePartition], l.source_partitions, `source partition of ${l.layer}`);
      assert.equal(o.targetPartition, l.target_partition, `target partition of ${l.layer}`);
    }
    const fp = edgeFingerprint(g);
    assert.equal(fp.distinct_directed_pairs, expected.edges, "one edge per (source, target) pair");
    assert.equal(fp.sha256_sorted_edges_int64, expected.sha256_sorted_edges_int64, "sorted edge list");
    assert.ok(Math.abs(fp.weight_sum_float64 - expected.weight_sum_float64) <= 1e-5 * expected.weight_sum_float64, `weight sum ${fp.weight_sum_float64} vs ${expected.weight_sum_float64}`);
    assert.equal(countMge(spec, net.masks, { alignment: "exact" }).edges, expected.edges, "countMge");
  });
}
