/**
 * Exact motif totals of the MGE (reference alignment) against the fixtures' `motifs_exact`
 * (official closed form, itself checked against igraph's exact `motifs_randesu`), and the
 * RAND-ESU estimate against that exact total within its reported standard error.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadNetwork } from "../../src/nn/network-file";
import { readReferenceExpected, referenceNetworkFile } from "../../src/metrics/reference";
import { buildArchitecture } from "../../src/nn";
import { encodeMge } from "../../src/encoding";
import { estimateMotifs, exactMotifTotals } from "../../src/metrics/motifs";

for (const name of ["resnet-20_erk_0.98", "resnet-20_er_0.9"]) {
  const file = referenceNetworkFile(name);
  test(`exact motif totals of ${name} equal the fixture`, () => {
    const expected = readReferenceExpected(name) as any;
    const ex = expected.motifs_exact;
    const net = loadNetwork(file);
    const spec = buildArchitecture(net.metadata.architecture, { inputSize: Number(net.metadata.input_size), classes: Number(net.metadata.classes) });
    const g = encodeMge(spec, net.masks, { weights: net.weights, alignment: "reference" });
    const m = exactMotifTotals(g);
    assert.equal(m.connected3, ex.connected_induced_3);
    assert.equal(m.connected4, ex.connected_induced_4);
    assert.equal(m.exact.connected4, BigInt(ex.connected_induced_4));
    assert.equal(m.triangles, ex.triangles);
    assert.equal(m.induced4ByType.C4, ex.induced_4_by_type.C4);
    assert.equal(m.induced4ByType.paw, ex.induced_4_by_type.paw);
    assert.equal(m.induced4ByType.diamond, ex.induced_4_by_type.diamond);
    assert.equal(m.induced4ByType.K4, ex.induced_4_by_type.K4);
    assert.equal(m.induced4ByType.starPlusPath, ex.induced_4_by_type.star_plus_path);
    // The official-size estimate (0.1 % of the nodes as roots) is unbiased but noisy: within 5 SE.
    const est = estimateMotifs(g, { size: 3, seed: 1 });
    assert.equal(est.sampleSize, expected.metrics_raw.motifs_sample_size);
    assert.ok(Math.abs(est.estimate - ex.connected_induced_3) < 5 * est.standardError, `size-3 estimate ${est.estimate} ± ${est.standardError} vs ${ex.connected_induced_3}`);
  });
}
