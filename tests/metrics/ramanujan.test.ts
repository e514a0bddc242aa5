/**
 * Ramanujan metrics against an independent re-implementation of the official step list
 * (reference-notes §2.3) with dense matrices and the Jacobi oracle, plus hand-computed cases.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadNetwork } from "../../src/nn/network-file";
import { referenceNetworkFile } from "../../src/metrics/reference";
import { buildArchitecture } from "../../src/nn";
import { encodeRolledBge } from "../../src/encoding/bge";
import { csrFromEdges, type CsrGraph } from "../../src/encoding/csr";
import { ramanujanLayerMetrics, ramanujanNetworkMetrics, summariseLayers } from "../../src/metrics/ramanujan";
import { Rng } from "../../src/util/rng";
import { oracleEigenvalues } from "./dense-oracle";

interface Layer {
  L: number;
  R: number;
  edges: [number, number, number][]; // left, right (0-based on its side), weight
}

function toCsr(l: Layer): CsrGraph {
  return csrFromEdges(
    l.L + l.R,
    l.edges.map((e) => e[0]),
    l.edges.map((e) => l.L + e[1]),
    l.edges.map((e) => e[2]),
    [
      { name: "left", start: 0, size: l.L, channels: l.L, height: 1, width: 1 },
      { name: "right", start: l.L, size: l.R, channels: l.R, height: 1, width: 1 },
    ],
  );
}

function randomLayer(seed: number): Layer {
  const rng = new Rng(seed);
  const cin = 2 + rng.int(6);
  const L = cin * 9;
  const R = 4 + rng.int(20);
  const p = 0.1 + 0.5 * rng.next();
  const edges: [number, number, number][] = [];
  for (let r = 0; r < R; r++) for (let l = 0; l < L; l++) if (rng.next() < p) edges.push([l, r, Math.fround(0.01 + rng.next())]);
  return { L, R, edges };
}

/** |λ|₃ and |λ|₁ − |λ|₃ of a dense symmetric matrix. */
function top3(a: Float64Array, n: number): number[] {
  return oracleEigenvalues(a, n).map(Math.abs).sort((x, y) => y - x).slice(0, 3);
}

/** The official procedure on explicit node lists: returns [gap, δ_r] or null. */
function oracleScore(nodesLeft: number[], nodesRight: number[], layer: Layer, filter: boolean): [number, number] | null {
  const leftSet = new Set(nodesLeft);
  const rightSet = new Set(nodesRight);
  const es = layer.edges.filter((e) => leftSet.has(e[0]) && rightSet.has(e[1]));
  const degL = new Map<number, number>();
  const degR = new Map<number, number>();
  for (const [l, r] of es) {
    degL.set(l, (degL.get(l) ?? 0) + 1);
    degR.set(r, (degR.get(r) ?? 0) + 1);
  }
  const ls = nodesLeft.filter((l) => (degL.get(l) ?? 0) > 0);
  const rs = nodesRight.filter((r) => (degR.get(r) ?? 0) > 0);
  if (ls.length === 0 || rs.length === 0) return null;
  const dl = ls.reduce((s, l) => s + (degL.get(l) ?? 0), 0) / ls.length;
  const dr = rs.reduce((s, r) => s + (degR.get(r) ?? 0), 0) / rs.length;
  if (filter && !(dl >= 3 && dr >= 3)) return null;
  const n = ls.length + rs.length;
  if (n <= 3) return null;
  const li = new Map(ls.map((l, i) => [l, i]));
  const ri = new Map(rs.map((r, i) => [r, ls.length + i]));
  const aw = new Float64Array(n * n);
  const au = new Float64Array(n * n);
  for (const [l, r, w] of es) {
    const i = li.get(l) as number;
    const j = ri.get(r) as number;
    aw[i * n + j] = aw[j * n + i] = w;
    au[i * n + j] = au[j * n + i] = 1;
  }
  const tw = top3(aw, n);
  const tu = top3(au, n);
  const ub = Math.sqrt(dl - 1) + Math.sqrt(dr - 1);
  return [tw[0] - tw[2], (ub - tu[2]) / ub];
}

function oracleLayer(layer: Layer): { isg: number; imdb: number; db: number } {
  const deg = new Array<number>(layer.L).fill(0);
  for (const [l] of layer.edges) deg[l]++;
  const rights = Array.from({ length: layer.R }, (_, i) => i);
  const results: [number, number][] = [];
  const done = new Set<number>();
  for (const d of deg) {
    if (d < 3 || done.has(d)) continue;
    done.add(d);
    const lefts = deg.map((x, i) => (x === d ? i : -1)).filter((i) => i >= 0);
    const r = oracleScore(lefts, rights, layer, true);
    if (r) results.push(r);
  }
  const whole = oracleScore(
    Array.from({ length: layer.L }, (_, i) => i),
    rights,
    layer,
    false,
  );
  const mean = (k: 0 | 1) => (results.length ? results.reduce((s, r) => s + r[k], 0) / results.length : NaN);
  return { isg: mean(0), imdb: mean(1), db: whole ? whole[1] : NaN };
}

function close(a: number, b: number, msg: string): void {
  if (Number.isNaN(b)) {
    assert.ok(Number.isNaN(a), `${msg}: expected NaN, got ${a}`);
    return;
  }
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${msg}: ${a} vs ${b}`);
}

test("random rolled-BGE-like layers: all three metrics match the dense re-implementation", () => {
  let withValid = 0;
  let withNaN = 0;
  for (let seed = 0; seed < 25; seed++) {
    const layer = randomLayer(seed);
    const got = ramanujanLayerMetrics(toCsr(layer));
    const want = oracleLayer(layer);
    close(got.iterativeSpectralGap, want.isg, `seed ${seed} iterative gap`);
    close(got.iterativeDegreeBound, want.imdb, `seed ${seed} imdb`);
    close(got.degreeBound, want.db, `seed ${seed} degree bound`);
    if (got.validSubgraphs > 0) withValid++;
    else withNaN++;
  }
  assert.ok(withValid >= 10 && withNaN >= 1, `both branches exercised (${withValid} valid, ${withNaN} NaN)`);
});

test("complete bipartite K_{4,5}: δ_r = 1 (μ = 0) and gap = √20 with unit weights", () => {
  const edges: [number, number, number][] = [];
  for (let l = 0; l < 4; l++) for (let r = 0; r < 5; r++) edges.push([l, r, 1]);
  const m = ramanujanLayerMetrics(toCsr({ L: 4, R: 5, edges }));
  assert.equal(m.validSubgraphs, 1);
  assert.ok(Math.abs(m.iterativeSpectralGap - Math.sqrt(20)) < 1e-12);
  assert.ok(Math.abs(m.iterativeDegreeBound - 1) < 1e-12);
  assert.ok(Math.abs(m.degreeBound - 1) < 1e-12);
});

test("a first-conv-like layer (few left nodes per degree) gives NaN iterative metrics", () => {
  // 27 left nodes each of a different degree pattern: every d-class has one node, so d_r = 1 < 3.
  const edges: [number, number, number][] = [];
  for (let l = 0; l < 6; l++) for (let r = 0; r < 3 + l; r++) edges.push([l, r, 0.5]);
  const m = ramanujanLayerMetrics(toCsr({ L: 6, R: 16, edges }));
  assert.ok(Number.isNaN(m.iterativeSpectralGap) && Number.isNaN(m.iterativeDegreeBound));
  assert.ok(Number.isFinite(m.degreeBound));
});

test("network summary: mean/min/max/density-weighted mean skip NaN layers", () => {
  const s = summariseLayers([1, NaN, 3, 5], [0.5, 0.1, 0.25, 0.25]);
  assert.equal(s.mean, 3);
  assert.equal(s.min, 1);
  assert.equal(s.max, 5);
  assert.equal(s.count, 3);
  assert.equal(s.nanCount, 1);
  assert.ok(Math.abs(s.densityWeightedMean - (0.5 + 0.75 + 1.25) / 1.0) < 1e-12);
  const layers = [0, 1, 2].map((i) => ({ name: `l${i}`, graph: toCsr(randomLayer(100 + i)) }));
  const net = ramanujanNetworkMetrics(layers);
  assert.equal(net.layers.length, 3);
  const vals = net.layers.map((l) => l.degreeBound);
  const finite = vals.filter(Number.isFinite);
  assert.ok(Math.abs(net.degreeBound.mean - finite.reduce((a, b) => a + b, 0) / finite.length) < 1e-12);
});

test("runs on the encoder's rolled BGE of a fixture and matches the dense re-implementation on its small layers", () => {
  const file = referenceNetworkFile("resnet-20_erk_0.98");
  const net = loadNetwork(file);
  const spec = buildArchitecture(net.metadata.architecture, { inputSize: Number(net.metadata.input_size), classes: Number(net.metadata.classes) });
  const layers = encodeRolledBge(spec, net.masks, { weights: net.weights });
  const res = ramanujanNetworkMetrics(layers.map((l) => ({ name: l.layer, graph: l.graph })));
  assert.equal(res.layers.length, 22);
  let checked = 0;
  for (let i = 0; i < layers.length; i++) {
    const g = layers[i].graph;
    if (g.numNodes > 200) continue;
    const L = g.partitions[0].size;
    const edges: [number, number, number][] = [];
    for (let u = 0; u < L; u++) for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) edges.push([u, g.targets[e] - L, g.weights[e]]);
    const want = oracleLayer({ L, R: g.numNodes - L, edges });
    close(res.layers[i].iterativeSpectralGap, want.isg, `${layers[i].layer} iterative gap`);
    close(res.layers[i].iterativeDegreeBound, want.imdb, `${layers[i].layer} imdb`);
    close(res.layers[i].degreeBound, want.db, `${layers[i].layer} degree bound`);
    checked++;
  }
  assert.ok(checked >= 7, `checked ${checked} layers`);
});
