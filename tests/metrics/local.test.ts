import { test } from "node:test";
import assert from "node:assert/strict";
import { MultiDirectedGraph } from "graphology";
import { csrFromEdges, type CsrGraph } from "../../src/encoding/csr";
import { defaultLayerSizes, localConnectivity } from "../../src/metrics/local";
import { randomLayered, randomMultigraph } from "./random-graphs";

function toGraphology(g: CsrGraph): MultiDirectedGraph {
  const h = new MultiDirectedGraph();
  for (let v = 0; v < g.numNodes; v++) h.addNode(String(v));
  for (let u = 0; u < g.numNodes; u++) for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) h.addEdge(String(u), String(g.targets[e]));
  return h;
}

test("local metrics follow the official definitions (graphology degrees, 600 graphs, off-by-one bounds)", () => {
  let nonzero = 0;
  for (let seed = 0; seed < 600; seed++) {
    const g = seed % 2 ? randomLayered(seed) : randomMultigraph(seed, { maxNodes: 25 });
    const h = toGraphology(g);
    const n = g.numNodes;
    const sizes = seed % 3 === 0 ? defaultLayerSizes(g) : { inputLayerSize: seed % n, outputLayerSize: (seed * 7) % n };
    let sinks = 0, sources = 0, disc = 0, rOut = 0, rIn = 0;
    for (let v = 0; v < n; v++) {
      const od = h.outDegree(String(v));
      const id = h.inDegree(String(v));
      if (od === 0 && id !== 0) { sinks++; if (v < n - 1 - sizes.outputLayerSize) rOut += id; }
      if (od !== 0 && id === 0) { sources++; if (v > sizes.inputLayerSize) rIn += od; }
      if (od === 0 && id === 0) disc++;
    }
    const got = localConnectivity(g, sizes);
    assert.deepEqual(got, {
      sinkNodes: sinks - sizes.outputLayerSize,
      sourceNodes: sources - sizes.inputLayerSize,
      disconnectedNodes: disc,
      removableOutEdges: rOut,
      removableInEdges: rIn,
      sinkCount: sinks,
      sourceCount: sources,
    }, `seed ${seed}`);
    if (rOut > 0 && rIn > 0) nonzero++;
  }
  assert.ok(nonzero > 50);
});

test("the off-by-one bounds: node N-1-O and node I are excluded", () => {
  // 0 -> 1 -> 2 (sink at 2), 3 isolated... layers: input {0}, hidden {1, 2}, output {3}
  // node 2 is a sink with index N-1-O = 2: excluded from r-out.
  const g = csrFromEdges(4, [0, 1], [1, 2], null);
  const r = localConnectivity(g, { inputLayerSize: 1, outputLayerSize: 1 });
  assert.equal(r.sinkCount, 1);
  assert.equal(r.removableOutEdges, 0);
  assert.equal(r.sinkNodes, 0);
  assert.equal(r.disconnectedNodes, 1);
  // source at index I = 1 is excluded from r-in, source at 2 is counted
  const g2 = csrFromEdges(5, [1, 2, 2], [3, 3, 4], null);
  const r2 = localConnectivity(g2, { inputLayerSize: 1, outputLayerSize: 1 });
  assert.equal(r2.sourceCount, 2);
  assert.equal(r2.removableInEdges, 2);
  assert.equal(r2.sourceNodes, 1);
});

test("bad layer sizes are refused with the module name", () => {
  const g = randomMultigraph(3);
  assert.throws(() => localConnectivity(g, { inputLayerSize: -1, outputLayerSize: 0 }), /metrics\/local: inputLayerSize/);
  assert.throws(() => localConnectivity(g, { inputLayerSize: 0, outputLayerSize: 1.5 }), /metrics\/local: outputLayerSize/);
});
