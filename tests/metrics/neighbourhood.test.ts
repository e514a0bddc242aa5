import { test } from "node:test";
import assert from "node:assert/strict";
import { MultiDirectedGraph } from "graphology";
import type { CsrGraph } from "../../src/encoding/csr";
import { csrFromEdges, type Partition } from "../../src/encoding/csr";
import { neighbourhoodSizes, oneHopMean, oneHopSizes, oneHopTotal, twoHopMean, twoHopSizes, twoHopTotal } from "../../src/metrics/neighbourhood";
import { Rng } from "../../src/util/rng";
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

const sum = (a: Int32Array): number => a.reduce((x, y) => x + y, 0);

test("batched totals equal the per-node sums (random multigraphs of up to 120 nodes: batches use all 32 bits)", () => {
  for (let seed = 0; seed < 300; seed++) {
    const g = randomMultigraph(5000 + seed, { maxNodes: 120, multi: 0.3 });
    assert.equal(oneHopTotal(g), sum(oneHopSizes(g)), `seed ${seed}`);
    const expected = sum(twoHopSizes(g));
    assert.equal(twoHopTotal(g), expected, `seed ${seed}`);
    assert.equal(twoHopTotal(g, undefined, "batched"), expected, `batched, seed ${seed}`);
    assert.equal(twoHopTotal(g, undefined, "stamp"), expected, `stamp, seed ${seed}`);
  }
});

/** A small unrolled-conv-like graph: partitions with (channels, height, width) metadata, random 3×3 kernels. */
function convLike(seed: number): CsrGraph {
  const rng = new Rng(seed);
  const layers: Array<[number, number]> = [[3, 6], [5 + rng.int(40), 6], [8 + rng.int(40), 3], [10, 1]];
  const parts: Partition[] = [];
  let n = 0;
  for (const [c, s] of layers) { parts.push({ name: `L${parts.length}`, start: n, size: c * s * s, channels: c, height: s, width: s }); n += c * s * s; }
  const src: number[] = [], tgt: number[] = [];
  const density = 0.05 + rng.next() * 0.5;
  for (let l = 0; l + 1 < layers.length; l++) {
    const [ci, si] = layers[l], [co, so] = layers[l + 1];
    const stride = Math.max(1, Math.floor(si / so));
    for (let c = 0; c < co; c++) for (let j = 0; j < ci; j++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      if (rng.next() >= density) continue;
      for (let r = 0; r < so; r++) for (let q = 0; q < so; q++) {
        const y = r * stride + a - 1, x = q * stride + b - 1;
        if (y < 0 || x < 0 || y >= si || x >= si) continue;
        src.push(parts[l].start + j * si * si + y * si + x);
        tgt.push(parts[l + 1].start + c * so * so + r * so + q);
      }
    }
  }
  return csrFromEdges(n, src, tgt, null, parts);
}

test("batched 2-hop total on conv-like layered graphs (channel × pixel batches) equals explicit sets", () => {
  for (let seed = 0; seed < 40; seed++) {
    const g = convLike(seed);
    const expected = explicitSets(g, 2).reduce((x, y) => x + y, 0);
    assert.equal(twoHopTotal(g), expected, `seed ${seed}`);
    assert.equal(twoHopTotal(g, undefined, "batched"), expected, `batched, seed ${seed}`);
    assert.equal(twoHopTotal(g, undefined, "stamp"), expected, `stamp, seed ${seed}`);
    assert.equal(twoHopMean(g), expected / g.numNodes);
  }
});
