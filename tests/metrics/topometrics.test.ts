import { test } from "node:test";
import assert from "node:assert/strict";
import { computeTopometrics, METRICS, METRIC_NAMES, paperNormalize, parseMetricName } from "../../src/metrics/topometrics";
import { localConnectivity } from "../../src/metrics/local";
import { cutStructure, weakComponents } from "../../src/metrics/connectivity";
import { meanCoreness } from "../../src/metrics/kcore";
import { oneHopMean, twoHopMean } from "../../src/metrics/neighbourhood";
import { meanStrength } from "../../src/metrics/strength";
import { randomLayered } from "./random-graphs";

test("16 metrics, each with a CSV column, a fixture key and a paper divisor", () => {
  assert.equal(METRIC_NAMES.length, 16);
  assert.equal(new Set(METRIC_NAMES.map((m) => METRICS[m].csvColumn)).size, 16);
  for (const m of METRIC_NAMES) {
    assert.equal(parseMetricName(m), m);
    assert.equal(parseMetricName(METRICS[m].csvColumn), m);
    assert.equal(parseMetricName(METRICS[m].fixtureKey), m);
  }
  assert.throws(() => parseMetricName("3-hop"), /metrics\/topometrics: unknown metric '3-hop'/);
});

test("computeTopometrics = the per-family functions; paper normalisation divides as §2.1 says", () => {
  for (let seed = 0; seed < 50; seed++) {
    const g = randomLayered(seed);
    if (g.numEdges === 0) continue;
    const metrics = METRIC_NAMES.filter((m) => m !== "motifs" && m !== "spectralGap" && m !== "spectralRadius");
    const raw = computeTopometrics(g, { metrics });
    const loc = localConnectivity(g);
    const cut = cutStructure(g);
    const cc = weakComponents(g);
    const expected: Record<string, number> = {
      sinkNodes: loc.sinkNodes, sourceNodes: loc.sourceNodes, disconnectedNodes: loc.disconnectedNodes,
      removableOutEdges: loc.removableOutEdges, removableInEdges: loc.removableInEdges,
      oneHop: oneHopMean(g), twoHop: twoHopMean(g), strength: meanStrength(g), kCore: meanCoreness(g),
      cutEdges: cut.bridges, cutNodes: cut.articulationPoints, connectedComponents: cc.count, avgConnectedComponents: cc.meanSize,
    };
    for (const m of metrics) assert.equal(raw.metrics[m], expected[m], `seed ${seed} ${m}`);
    assert.equal(raw.metrics.motifs, null);
    const paper = computeTopometrics(g, { metrics, normalize: "paper" });
    const N = g.numNodes, E = g.numEdges;
    assert.equal(paper.metrics.sinkNodes, loc.sinkNodes / N);
    assert.equal(paper.metrics.removableOutEdges, loc.removableOutEdges / E);
    assert.equal(paper.metrics.twoHop, expected.twoHop / E);
    assert.equal(paper.metrics.cutNodes, cut.articulationPoints / E); // sic: /E, not /N
    assert.equal(paper.metrics.connectedComponents, cc.count);
    assert.ok(Math.abs((paper.metrics.avgConnectedComponents as number) - 1 / cc.count) < 1e-15);
    assert.equal(paperNormalize("spectralGap", 3.5, N, E), 3.5);
  }
});

test("only the requested metrics are reported, with the time of their step", () => {
  const g = randomLayered(3);
  const r = computeTopometrics(g, { metrics: ["sinkNodes", "twoHop"] });
  assert.notEqual(r.metrics.sinkNodes, null);
  assert.notEqual(r.metrics.twoHop, null);
  assert.equal(r.metrics.sourceNodes, null);
  assert.equal(r.metrics.kCore, null);
  assert.ok(typeof r.seconds.local === "number" && typeof r.seconds.twoHop === "number");
  assert.equal(r.seconds.kCore, undefined);
});

test("motifs and spectral metrics are wired in (exact motifs = connected 4-node subgraphs)", () => {
  // a 4-cycle plus a pendant: connected induced 4-subgraphs = the cycle + 4 paths through the pendant... checked by brute force below
  const g = randomLayered(11);
  const r = computeTopometrics(g, { metrics: ["motifs", "spectralRadius"], motifs: "exact" });
  // brute force: count 4-node sets that are connected in the undirected view
  const adj: Set<number>[] = Array.from({ length: g.numNodes }, () => new Set<number>());
  for (let u = 0; u < g.numNodes; u++) for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) { const v = g.targets[e]; if (u !== v) { adj[u].add(v); adj[v].add(u); } }
  let count = 0;
  const n = g.numNodes;
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) for (let c = b + 1; c < n; c++) for (let d = c + 1; d < n; d++) {
    const s = [a, b, c, d];
    const seen = new Set<number>([a]);
    const stack = [a];
    while (stack.length) { const x = stack.pop() as number; for (const y of s) if (!seen.has(y) && adj[x].has(y)) { seen.add(y); stack.push(y); } }
    if (seen.size === 4) count++;
  }
  assert.equal(r.metrics.motifs, count);
  assert.ok((r.metrics.spectralRadius as number) >= 0);
  assert.equal(r.details.motifMode, "exact");
});

test("bad options are refused with the module name", () => {
  const g = randomLayered(5);
  assert.throws(() => computeTopometrics(g, { normalize: "csv" as never }), /metrics\/topometrics: normalize/);
  assert.throws(() => computeTopometrics(g, { motifs: "approx" as never }), /metrics\/topometrics: motifs/);
  assert.throws(() => computeTopometrics(g, { metrics: ["nope" as never] }), /metrics\/topometrics: unknown metric/);
  assert.throws(() => computeTopometrics(g, { metrics: ["sinkNodes"], inputLayerSize: -2 }), /metrics\/local/);
});
