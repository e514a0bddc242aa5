import { test } from "node:test";
import assert from "node:assert/strict";
import { csrFromEdges } from "../../src/encoding/csr";
import { cutStructure, weakComponents } from "../../src/metrics/connectivity";
import { bfsComponents, edgeList, randomLayered, randomMultigraph } from "./random-graphs";

test("bridges = edges whose deletion adds a component (brute force on 600 random multigraphs)", () => {
  let total = 0;
  for (let seed = 0; seed < 600; seed++) {
    const g = seed % 3 === 2 ? randomLayered(seed) : randomMultigraph(seed);
    const edges = edgeList(g);
    const base = bfsComponents(g.numNodes, edges);
    let expected = 0;
    for (let i = 0; i < edges.length; i++) if (bfsComponents(g.numNodes, edges, i) > base) expected++;
    const got = cutStructure(g);
    assert.equal(got.bridges, expected, `seed ${seed}`);
    assert.equal(got.bridgeEndpoints.length, 2 * expected);
    total += expected;
  }
  assert.ok(total > 100, `too few bridges overall (${total}) for the test to mean anything`);
});

test("articulation points = nodes whose deletion adds a component (brute force on 600 random multigraphs)", () => {
  let total = 0;
  for (let seed = 0; seed < 600; seed++) {
    const g = seed % 3 === 2 ? randomLayered(seed) : randomMultigraph(seed);
    const edges = edgeList(g);
    const base = bfsComponents(g.numNodes, edges);
    const got = cutStructure(g);
    let expected = 0;
    for (let v = 0; v < g.numNodes; v++) {
      const isAp = bfsComponents(g.numNodes, edges, -1, v) > base;
      if (isAp) expected++;
      assert.equal(got.isArticulation[v], isAp ? 1 : 0, `seed ${seed} node ${v}`);
    }
    assert.equal(got.articulationPoints, expected, `seed ${seed}`);
    total += expected;
  }
  assert.ok(total > 100);
});

test("parallel edges are not bridges; a self-loop is not a bridge", () => {
  const g = csrFromEdges(4, [0, 0, 1, 2, 3], [1, 1, 2, 3, 3], null);
  const c = cutStructure(g);
  assert.equal(c.bridges, 2); // 1–2 and 2–3; the double edge 0–1 and the loop 3–3 are not
  assert.equal(c.articulationPoints, 2); // nodes 1 and 2
});

test("a long path does not overflow the stack (iterative DFS)", () => {
  const n = 300_000;
  const s = Int32Array.from({ length: n - 1 }, (_, i) => i);
  const t = Int32Array.from({ length: n - 1 }, (_, i) => i + 1);
  const c = cutStructure(csrFromEdges(n, s, t, null));
  assert.equal(c.bridges, n - 1);
  assert.equal(c.articulationPoints, n - 2);
});

test("weak components match BFS, with isolated nodes and sizes", () => {
  for (let seed = 0; seed < 400; seed++) {
    const g = seed % 2 ? randomLayered(seed) : randomMultigraph(seed, { maxNodes: 30 });
    const edges = edgeList(g);
    const expected = bfsComponents(g.numNodes, edges);
    const got = weakComponents(g);
    assert.equal(got.count, expected, `seed ${seed}`);
    assert.equal(got.meanSize, g.numNodes / expected);
    const touched = new Set<number>();
    for (const [u, v] of edges) { touched.add(u); touched.add(v); }
    assert.equal(got.isolatedNodes, g.numNodes - touched.size);
    // labels: endpoints of every edge share a label, and there are exactly `count` labels
    for (const [u, v] of edges) assert.equal(got.labels[u], got.labels[v]);
    assert.equal(new Set(got.labels).size, expected);
  }
});
