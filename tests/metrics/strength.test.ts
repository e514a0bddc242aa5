import { test } from "node:test";
import assert from "node:assert/strict";
import { MultiDirectedGraph } from "graphology";
import { meanStrength, nodeStrengths } from "../../src/metrics/strength";
import { randomMultigraph } from "./random-graphs";

test("node strength = sum of in- and out-edge weights (graphology edge iteration; loops twice)", () => {
  for (let seed = 0; seed < 300; seed++) {
    const g = randomMultigraph(seed, { maxNodes: 30, multi: 0.3 });
    const h = new MultiDirectedGraph();
    for (let v = 0; v < g.numNodes; v++) h.addNode(String(v));
    for (let u = 0; u < g.numNodes; u++) for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) h.addEdge(String(u), String(g.targets[e]), { w: g.weights[e] });
    const expected = new Array<number>(g.numNodes).fill(0);
    h.forEachEdge((_e, attr, s, t) => {
      expected[Number(s)] += attr.w as number;
      expected[Number(t)] += attr.w as number;
    });
    const got = nodeStrengths(g);
    for (let v = 0; v < g.numNodes; v++) assert.ok(Math.abs(got[v] - expected[v]) < 1e-9, `seed ${seed} node ${v}`);
    const mean = expected.reduce((a, b) => a + b, 0) / g.numNodes;
    assert.ok(Math.abs(meanStrength(g) - mean) < 1e-9);
  }
});
