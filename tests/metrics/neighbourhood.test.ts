import { test } from "node:test";
import assert from "node:assert/strict";
import { MultiDirectedGraph } from "graphology";
import type { CsrGraph } from "../../src/encoding/csr";
import { neighbourhoodSizes, oneHopMean, oneHopSizes, twoHopMean, twoHopSizes } from "../../src/metrics/neighbourhood";
import { edgeList, randomLayered, randomMultigraph } from "./random-graphs";

function explicitSets(g: CsrGraph, order: number): number[] {
  const out: Set<number>[] = Array.from({ length: g.numNodes }, () => new Set<number>());
  for (const [u, v] of edgeList(g)) out[u].add(v);
  const sizes: number[] = [];
  for (let v = 0; v < g.numNodes; v++) {
    let frontier = new Set<number>([v]);
    const all = new Set<number>([v]);
    for (let d = 0; d < order; d++) {
      const next = new Set<number>();
      for (const u of frontier) for (const w of out[u]) if (!all.has(w)) { all.add(w); next.add(w); }
      frontier = next;
    }
    sizes.push(all.size);
  }
  return sizes;
}

test("1-hop and 2-hop sizes equal explicit sets (700 random multigraphs with loops and parallel edges)", () => {
  for (let seed = 0; seed < 700; seed++) {
    const g = seed % 3 === 1 ? randomLayered(seed) : randomMultigraph(seed, { maxNodes: 30, multi: 0.3 });
    assert.deepEqual(Array.from(oneHopSizes(g)), explicitSets(g, 1), `1-hop seed ${seed}`);
    assert.deepEqual(Array.from(twoHopSizes(g)), explicitSets(g, 2), `2-hop seed ${seed}`);
    assert.deepEqual(Array.from(neighbourhoodSizes(g, 3)), explicitSets(g, 3), `3-hop seed ${seed}`);
    assert.deepEqual(Array.from(neighbourhoodSizes(g, 0)), explicitSets(g, 0));
  }
});

test("1-hop and 2-hop means agree with graphology's outNeighbors", () => {
  for (let seed = 1000; seed < 1200; seed++) {
    const g = randomMultigraph(seed, { maxNodes: 40, multi: 0.4 });
    const h = new MultiDirectedGraph();
    for (let v = 0; v < g.numNodes; v++) h.addNode(String(v));
    for (const [u, v] of edgeList(g)) h.addEdge(String(u), String(v));
    let s1 = 0, s2 = 0;
    h.forEachNode((v) => {
      const one = new Set<string>([v, ...h.outNeighbors(v)]);
      const two = new Set<string>(one);
      for (const u of one) for (const w of h.outNeighbors(u)) two.add(w);
      s1 += one.size;
      s2 += two.size;
    });
    assert.equal(oneHopMean(g), s1 / g.numNodes, `seed ${seed}`);
    assert.equal(twoHopMean(g), s2 / g.numNodes, `seed ${seed}`);
  }
});

test("1-hop mean is 1 + E/N on a graph without parallel edges and loops", () => {
  const g = randomLayered(7);
  assert.ok(g.numEdges > 0);
  const distinct = new Set(edgeList(g).map(([u, v]) => `${u},${v}`)).size;
  if (distinct === g.numEdges) assert.ok(Math.abs(oneHopMean(g) - (1 + g.numEdges / g.numNodes)) < 1e-12);
  assert.throws(() => neighbourhoodSizes(g, -1), /metrics\/neighbourhood/);
});
