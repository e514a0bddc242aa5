/**
 * networkRow on the official ResNet-20 ER 0.9 fixture: the MGE's size and the deterministic
 * topometrics equal the official code's `metrics_raw` divided as the released unrolled.csv divides
 * them (divisors written out here from reference-notes §2.1, not taken from the catalogue); the
 * weight counts equal a direct count of the fixture's masks.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { networkRow } from "../../src/experiment/network-row";
import { buildArchitecture } from "../../src/nn/architectures";
import { loadNetwork } from "../../src/nn/network-file";
import { readReferenceExpected, referenceNetworkFile } from "../../src/metrics/reference";

const NAME = "resnet-20_er_0.9";

test("networkRow: MGE size, paper-normalised topometrics and weight counts of the official fixture", () => {
  const exp = readReferenceExpected(NAME);
  const spec = buildArchitecture(exp.architecture, { inputSize: exp.input_size, classes: exp.classes });
  const net = loadNetwork(referenceNetworkFile(NAME), spec);
  const stages: string[] = [];
  const row = networkRow(spec, net.masks, { weights: net.weights, seed: 0, motifs: "none", onStage: (s) => stages.push(s) });
  assert.deepEqual(stages, ["encode MGE", "MGE topometrics"]);
  assert.equal(row.nodes, exp.nodes);
  assert.equal(row.edges, exp.edges);
  const N = exp.nodes;
  const E = exp.edges;
  const raw = exp.metrics_raw as Record<string, number>;
  // column ← fixture key, divisor (reference-notes §2.1)
  const expected: [string, string, number][] = [
    ["sink_nodes", "sink_nodes", N], ["source_nodes", "source_nodes", N], ["disc_nodes", "disconnected_nodes", N],
    ["r-out", "removable_out_edges", E], ["r-in", "removable_in_edges", E], ["1-hop_nei", "1-hop", E], ["2-hop_nei", "2-hop", E],
    ["k-core", "k-core", E], ["cut-edges", "cut-edges", E], ["cut-nodes", "cut-nodes", E],
    ["no_connected_components", "connected_components", 1], ["mean_connected_components", "avg_connected_components", N],
    ["avg_node_strength", "strength", E],
  ];
  for (const [col, key, by] of expected) {
    const want = raw[key] / by;
    const got = row[col] as number;
    assert.ok(Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want)), `${col}: ${got} vs ${want}`);
  }
  assert.equal(row.motif, null);
  let kept = 0;
  let total = 0;
  for (const m of net.masks.values()) {
    total += m.data.length;
    for (const v of m.data) kept += v;
  }
  assert.equal(row.nnz, kept);
  assert.equal(row.params, total);
  assert.ok(Math.abs((row.realised_sparsity as number) - (1 - kept / total)) < 1e-15);
  assert.equal("rolled:bridges_mean" in row, false);
});
