// fixtureAgreement (notebook 03's summary row) on a real fixture, and on a doctored copy of its
// official values: it must count exactly the metrics that differ, and name them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { computeTopometrics, METRIC_NAMES } from "../../src/metrics/topometrics";
import { loadReferenceFixture, type ReferenceExpected } from "../../src/metrics/reference";
import { DETERMINISTIC_METRICS, fixtureAgreement } from "../../src/metrics/fixture-comparison";

const NAME = "resnet-20_erk_0.98";
const f = loadReferenceFixture(NAME);
const r = computeTopometrics(f.graph, { metrics: [...DETERMINISTIC_METRICS, "motifs"], motifs: "estimate", seed: 0 });

test("all 13 deterministic metrics of a fixture agree with the official ones; uncomputed spectral values say so", () => {
  assert.equal(DETERMINISTIC_METRICS.length, METRIC_NAMES.length - 3);
  const a = fixtureAgreement(NAME, r, f.expected);
  assert.equal(a["deterministic equal"], "13 / 13");
  assert.equal(a.differing, "");
  assert.equal(a.nodes, f.expected.nodes);
  assert.equal(a.edges, f.expected.edges);
  assert.equal(a["spectral gap rel. diff"], "not computed");
  const official = f.expected.metrics_raw;
  assert.equal(a["motifs ours / official"], (r.metrics.motifs as number) / (official.motifs as number));
  const s = official.strength as number;
  assert.equal(a["strength rel. diff"], Math.abs((r.metrics.strength as number) - s) / s);
});

test("a changed official value is counted and named; the strength tolerance is relative 1e-12", () => {
  const raw = { ...f.expected.metrics_raw } as Record<string, unknown>;
  raw.sink_nodes = (raw.sink_nodes as number) + 1;
  raw["k-core"] = (raw["k-core"] as number) * (1 + 1e-15);
  raw.strength = (raw.strength as number) * (1 + 1e-9);
  const doctored: ReferenceExpected = { ...f.expected, metrics_raw: raw };
  const a = fixtureAgreement(NAME, r, doctored);
  assert.equal(a["deterministic equal"], "10 / 13");
  assert.deepEqual(a.differing.split(", ").sort(), ["k-core", "sink_nodes", "strength"]);
  const slightly = { ...f.expected, metrics_raw: { ...f.expected.metrics_raw, strength: (f.expected.metrics_raw.strength as number) * (1 + 1e-13) } };
  assert.equal(fixtureAgreement(NAME, r, slightly)["deterministic equal"], "13 / 13");
  assert.throws(() => fixtureAgreement(NAME, computeTopometrics(f.graph, { metrics: ["sinkNodes"], normalize: "paper" }), f.expected), /compare raw values/);
});
