import { test } from "node:test";
import assert from "node:assert/strict";
import { csrFromEdges } from "../../src/encoding/csr";
import { coreness, corenessByLevels, meanCoreness } from "../../src/metrics/kcore";
import { inAdjacency } from "../../src/encoding/in-adjacency";
import { edgeList, randomLayered, randomMultigraph } from "./random-graphs";

/** Coreness by definition: for k = 0, 1, …, repeatedly delete nodes of remaining total degree < k (multi-edges counted, loops twice). */
function peelCoreness(n: number, edges: Array<[number, number]>): number[] {
  const core = new Array<number>(n).fill(0);
  for (let k = 1; ; k++) {
    const alive = new Array<boolean>(n).fill(true);
    let changed = true;
    while (changed) {
      changed = false;
      const deg = new Array<number>(n).fill(0);
      for (const [u, v] of edges) if (alive[u] && alive[v]) { deg[u]++; deg[v]++; }
      for (let v = 0; v < n; v++) if (alive[v] && deg[v] < k) { alive[v] = false; changed = true; }
    }
    let any = false;
    for (let v = 0; v < n; v++) if (alive[v]) { core[v] = k; any = true; }
    if (!any) return core;
  }
}

test("coreness matches repeated peeling on 800 random multigraphs (parallel edges, self-loops)", () => {
  let maxSeen = 0;
  for (let seed = 0; seed < 800; seed++) {
    const g = seed % 4 === 3 ? randomLayered(seed) : randomMultigraph(seed, { maxNodes: 20, multi: 0.3 });
    const expected = peelCoreness(g.numNodes, edgeList(g));
    const got = Array.from(coreness(g));
    assert.deepEqual(got, expected, `seed ${seed}`);
    const got2 = Array.from(coreness(g, inAdjacency(g)));
    assert.deepEqual(got2, expected);
    assert.deepEqual(Array.from(corenessByLevels(g)), expected, `levels, seed ${seed}`);
    for (const c of expected) maxSeen = Math.max(maxSeen, c);
  }
  assert.ok(maxSeen >= 4, "random graphs never reached a 4-core: the test is too weak");
});

test("igraph conventions: self-loops count twice in the degree (checked against python-igraph 0.10.2 by hand)", () => {
  // igraph: Graph(3, [(0,0),(0,0),(0,1),(1,2)], directed=True).coreness(mode="all") == [4, 1, 1]
  const g = csrFromEdges(3, [0, 0, 0, 1], [0, 0, 1, 2], null);
  assert.deepEqual(Array.from(coreness(g)), [4, 1, 1]);
  assert.deepEqual(Array.from(corenessByLevels(g)), [4, 1, 1]);
  // a double edge is a 2-core
  assert.deepEqual(Array.from(coreness(csrFromEdges(3, [0, 0], [1, 1], null))), [2, 2, 0]);
  assert.equal(meanCoreness(csrFromEdges(3, [0, 0], [1, 1], null)), 4 / 3);
});

test("in-adjacency of another graph is refused", () => {
  const g = randomMultigraph(1);
  const h = csrFromEdges(g.numNodes + 1, [0], [1], null);
  assert.throws(() => coreness(g, inAdjacency(h)), /metrics\/kcore/);
});
