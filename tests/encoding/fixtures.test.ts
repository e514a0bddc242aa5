/**
 * The MGE in 'reference' alignment must equal, edge for edge, what the official Python builder
 * produced on the four reference networks (data/reference/*.expected.json, computed by running
 * eliacunegatti/mge-snn): nodes, edges, partition sizes and the edge fingerprint.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadNetwork } from "../../src/nn/network-file";
import { readReferenceExpected, referenceNetworkFile } from "../../src/metrics/reference";
import { buildArchitecture } from "../../src/nn";
import { countMge, edgeFingerprint, encodeMge } from "../../src/encoding";

const NAMES = ["resnet-20_er_0.9", "resnet-20_erk_0.98", "wide-resnet-28-2_er_0.98", "conv-6_erk_0.98"];

for (const name of NAMES) {
  const file = referenceNetworkFile(name);
  test(`MGE (reference alignment) of ${name} equals the official builder's graph`, () => {
    const expected = readReferenceExpected(name) as any;
    const net = loadNetwork(file);
    const spec = buildArchitecture(net.metadata.architecture, { inputSize: Number(net.metadata.input_size), classes: Number(net.metadata.classes) });
    const g = encodeMge(spec, net.masks, { weights: net.weights, alignment: "reference" });
    assert.equal(g.numNodes, expected.nodes);
    assert.equal(g.numEdges, expected.edges);
    assert.deepEqual(g.partitions.map((p) => p.size), expected.partitions);
    const fp = edgeFingerprint(g);
    for (const key of Object.keys(expected.edge_fingerprint)) {
      assert.equal((fp as unknown as Record<string, unknown>)[key], expected.edge_fingerprint[key], key);
    }
    const c = countMge(spec, net.masks, { alignment: "reference" });
    assert.equal(c.edges, expected.edges);
    assert.equal(c.nodes, expected.nodes);
  });
}
