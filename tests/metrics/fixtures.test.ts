/**
 * The deterministic topometrics of every reference fixture, computed on our reference-aligned MGE,
 * must equal what the official code computed (expected.json `metrics_raw`): integers exactly,
 * means exactly (they are ratios of integers computed the same way) and the strength to float
 * precision. The paper normalisation is checked against the released unrolled.csv rows of the
 * same setting.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { paperDataFile, paperDataSkip } from "../paper-data";
import { readCsv, stringColumn, numberColumn } from "../../src/io/csv";
import { computeTopometrics, METRICS, METRIC_NAMES, type MetricName } from "../../src/metrics/topometrics";
import { compareWithReference, listReferenceFixtures, loadReferenceFixture, readReleasedMetrics } from "../../src/metrics/reference";

const FIXTURES = ["resnet-20_erk_0.98", "resnet-20_er_0.9", "conv-6_erk_0.98", "wide-resnet-28-2_er_0.98"];
const DETERMINISTIC: MetricName[] = [
  "sinkNodes", "sourceNodes", "disconnectedNodes", "removableOutEdges", "removableInEdges",
  "oneHop", "twoHop", "strength", "kCore", "cutEdges", "cutNodes", "connectedComponents", "avgConnectedComponents",
];

function load(name: string) {
  const f = loadReferenceFixture(name);
  return { g: f.graph, exp: f.expected };
}

for (const name of FIXTURES) {
  test(`${name}: deterministic metrics equal the official metrics_raw`, () => {
    const { g, exp } = load(name);
    assert.equal(g.numNodes, exp.nodes);
    assert.equal(g.numEdges, exp.edges);
    const r = computeTopometrics(g, { metrics: DETERMINISTIC });
    for (const m of DETERMINISTIC) {
      const want = exp.metrics_raw[METRICS[m].fixtureKey] as number;
      const got = r.metrics[m];
      assert.ok(typeof want === "number", `${name}: fixture lacks ${METRICS[m].fixtureKey}`);
      assert.ok(got !== null, `${name}: ${m} not computed`);
      if (m === "strength") assert.ok(Math.abs(got - want) <= 1e-12 * Math.abs(want), `${name} strength ${got} vs ${want}`);
      else assert.equal(got, want, `${name} ${m}`);
    }
    assert.equal(r.metrics.motifs, null);
    const cmp = compareWithReference(r, exp);
    assert.equal(cmp.length, 2 + METRIC_NAMES.length);
    for (const c of cmp) if (c.metric !== "strength" && c.ours !== null && c.official !== null) assert.equal(c.difference, 0, c.metric);
  });
}

const csvFile = paperDataFile("graph_metrics/unrolled/unrolled.csv");
test("paper normalisation reproduces unrolled.csv (ResNet-20 er 0.9, CIFAR-10)", { skip: paperDataSkip() }, () => {
  const { g } = load("resnet-20_er_0.9");
  const r = computeTopometrics(g, { metrics: DETERMINISTIC, normalize: "paper" });
  const t = readCsv(csvFile);
  const model = stringColumn(t, "model"), pruning = stringColumn(t, "pruning"), dataset = stringColumn(t, "dataset");
  const sparsity = numberColumn(t, "sparsity");
  const rows: number[] = [];
  for (let i = 0; i < model.length; i++) if (model[i] === "Resnet-20" && pruning[i] === "er" && dataset[i] === "CIFAR-10" && sparsity[i] === 0.9) rows.push(i);
  assert.ok(rows.length >= 3);
  for (const m of DETERMINISTIC) {
    if (METRICS[m].weighted) continue; // the released rows were computed on trained weights
    const col = numberColumn(t, METRICS[m].csvColumn);
    const values = rows.map((i) => col[i]);
    const got = r.metrics[m] as number;
    if (m === "sinkNodes" || m === "sourceNodes") {
      // structural constants of the stride-2 quirk (1504 sinks, 2000 sources): identical in every row
      for (const v of values) assert.ok(Math.abs(v - got) <= 1e-15, `${m}: ${got} vs CSV ${v}`);
    } else {
      const lo = Math.min(...values), hi = Math.max(...values);
      // another random mask of the same setting: within a factor 1.3 of the released range (0 stays 0)
      if (hi === 0) assert.equal(got, 0, m);
      else assert.ok(got >= lo / 1.3 && got <= hi * 1.3, `${m}: ${got} outside [${lo / 1.3}, ${hi * 1.3}] (CSV ${values.join(", ")})`);
    }
  }
  // the mean component size is stored as 1/#components
  assert.ok(Math.abs((r.metrics.avgConnectedComponents as number) - 1 / (r.metrics.connectedComponents as number)) < 1e-15);
});

test("fixture listing: the four in-repository fixtures; a missing one is an error naming it", () => {
  assert.deepEqual(listReferenceFixtures(), [...FIXTURES].sort());
  assert.throws(() => loadReferenceFixture("no-such-fixture"), /metrics\/reference: .*no-such-fixture\.expected\.json not found/);
});

test("released-data reader", { skip: paperDataSkip() }, () => {
  const rows = readReleasedMetrics();
  const t = readCsv(csvFile);
  assert.equal(rows.length, t.rows.length);
  const i = 17;
  assert.equal(rows[i].model, stringColumn(t, "model")[i]);
  for (const m of METRIC_NAMES) {
    const want = numberColumn(t, METRICS[m].csvColumn)[i];
    assert.ok(Object.is(rows[i].metrics[m], want) || rows[i].metrics[m] === want, m);
  }
});
