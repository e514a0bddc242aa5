/**
 * BGE per-layer topometrics: each value against an independent computation on small bipartite
 * layers (brute-force bridges/articulation points/components, dense eigen oracle, brute-force
 * motif enumeration), the motif rule for layers under 1,000 nodes, and the per-network summaries.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadNetwork } from "../../src/nn/network-file";
import { readReferenceExpected, referenceNetworkFile } from "../../src/metrics/reference";
import { buildArchitecture } from "../../src/nn";
import { encodeRolledBge, encodeRolledChannelBge } from "../../src/encoding/bge";
import { csrFromEdges, type CsrGraph } from "../../src/encoding/csr";
import { bgeLayerMetrics, bgeNetworkMetrics, BGE_METRICS } from "../../src/metrics/bge";
import { Rng } from "../../src/util/rng";
import { oracleEigenvalues } from "./dense-oracle";

function layer(seed: number, L: number, R: number, p: number): { g: CsrGraph; edges: [number, number, number][] } {
  const rng = new Rng(seed);
  const edges: [number, number, number][] = [];
  for (let l = 0; l < L; l++) for (let r = 0; r < R; r++) if (rng.next() < p) edges.push([l, L + r, Math.fround(rng.next())]);
  const g = csrFromEdges(
    L + R,
    edges.map((e) => e[0]),
    edges.map((e) => e[1]),
    edges.map((e) => e[2]),
    [
      { name: "left", start: 0, size: L, channels: L, height: 1, width: 1 },
      { name: "right", start: L, size: R, channels: R, height: 1, width: 1 },
    ],
  );
  return { g, edges };
}

function components(n: number, edges: [number, number, number][], skipEdge = -1, skipNode = -1): number {
  const adj: number[][] = Array.from({ length: n }, () => []);
  edges.forEach(([u, v], i) => {
    if (i === skipEdge || u === skipNode || v === skipNode) return;
    adj[u].push(v);
    adj[v].push(u);
  });
  const seen = new Uint8Array(n);
  let c = 0;
  for (let s = 0; s < n; s++) {
    if (seen[s] || s === skipNode) continue;
    c++;
    const st = [s];
    seen[s] = 1;
    while (st.length) for (const y of adj[st.pop() as number]) if (!seen[y]) {
      seen[y] = 1;
      st.push(y);
    }
  }
  return c;
}

test("per-layer values match brute force and the dense oracle on small bipartite layers", () => {
  for (let seed = 0; seed < 10; seed++) {
    const L = 10 + (seed % 5) * 4;
    const R = 6 + (seed % 3);
    const { g, edges } = layer(seed, L, R, 0.12 + 0.03 * (seed % 4));
    const n = L + R;
    const m = bgeLayerMetrics({ name: `l${seed}`, graph: g });
    const base = components(n, edges);
    assert.equal(m.components, base);
    assert.equal(m.meanComponentSize, n / base);
    assert.equal(m.cutEdges, edges.filter((_, i) => components(n, edges, i) > base).length);
    let aps = 0;
    for (let v = 0; v < n; v++) {
      const isolated = !edges.some((e) => e[0] === v || e[1] === v);
      if (components(n, edges, -1, v) > base - (isolated ? 1 : 0)) aps++;
    }
    assert.equal(m.cutNodes, aps, `seed ${seed} articulation points`);
    assert.ok(Math.abs(m.oneHop - (1 + edges.length / n)) < 1e-12);
    const sumW = edges.reduce((s, e) => s + e[2], 0);
    assert.ok(Math.abs(m.strength - (2 * sumW) / n) < 1e-12);
    assert.equal(m.density, edges.length / (L * R));
    // spectral
    const a = new Float64Array(n * n);
    for (const [u, v, w] of edges) a[u * n + v] = a[v * n + u] = w;
    const abs = oracleEigenvalues(a, n).map(Math.abs).sort((x, y) => y - x);
    assert.ok(Math.abs(m.spectralGap - (abs[0] - abs[2])) < 1e-9 * abs[0], `seed ${seed} gap`);
    const lap = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < n; j++) {
        d += a[j * n + i];
        lap[i * n + j] = -a[i * n + j];
      }
      lap[i * n + i] += d;
    }
    const lmax = Math.max(...oracleEigenvalues(lap, n));
    assert.ok(Math.abs(m.spectralRadius - lmax) < 1e-9 * lmax, `seed ${seed} radius`);
    // motifs: n < 1000 → exact total, by brute force over 4-subsets
    assert.equal(m.motifsMethod, "exact");
    assert.ok(m.notes.some((s) => s.includes("0 roots")));
    const adj = new Set(edges.map(([u, v]) => `${Math.min(u, v)},${Math.max(u, v)}`));
    const has = (x: number, y: number) => adj.has(`${Math.min(x, y)},${Math.max(x, y)}`);
    let c4 = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) for (let r = q + 1; r < n; r++) for (let s = r + 1; s < n; s++) {
      const nodes = [p, q, r, s];
      const seen = new Set([p]);
      const st = [p];
      while (st.length) {
        const x = st.pop() as number;
        for (const y of nodes) if (!seen.has(y) && has(x, y)) {
          seen.add(y);
          st.push(y);
        }
      }
      if (seen.size === 4) c4++;
    }
    assert.equal(m.motifs, c4, `seed ${seed} motifs`);
  }
});

test("layers of ≥ 1000 nodes use the estimator with int(0.001·N) roots, seeded", () => {
  const { g } = layer(3, 1200, 40, 0.01);
  const a = bgeLayerMetrics({ name: "big", graph: g }, { motifSeed: 3 });
  const b = bgeLayerMetrics({ name: "big", graph: g }, { motifSeed: 3 });
  assert.equal(a.motifsMethod, "estimate");
  assert.equal(a.motifs, b.motifs);
  const exact = bgeLayerMetrics({ name: "big", graph: g }, { motifs: "exact" });
  assert.equal(exact.motifsMethod, "exact");
  assert.ok(exact.motifs > 0);
});

test("network summary over layers", () => {
  const layers = [0, 1, 2].map((i) => ({ name: `l${i}`, graph: layer(50 + i, 12, 8, 0.2 + 0.1 * i).g }));
  const net = bgeNetworkMetrics(layers);
  for (const k of BGE_METRICS) {
    const vals = net.layers.map((l) => l[k]);
    const dens = net.layers.map((l) => l.density);
    const s = net.summary[k];
    assert.ok(Math.abs(s.mean - vals.reduce((x, y) => x + y, 0) / 3) < 1e-9 * Math.max(1, Math.abs(s.mean)), k);
    assert.equal(s.min, Math.min(...vals));
    assert.equal(s.max, Math.max(...vals));
    const dw = vals.reduce((acc, v, i) => acc + v * dens[i], 0) / dens.reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(s.densityWeightedMean - dw) < 1e-9 * Math.max(1, Math.abs(dw)), k);
  }
  assert.throws(() => bgeNetworkMetrics([{ name: "bad", graph: csrFromEdges(4, [0], [1], null) }]), /metrics\/bge: layer bad/);
});

test("runs on the encoder's rolled and rolled-channel BGEs of a fixture (ResNet-20 er 0.9)", () => {
  const name = "resnet-20_er_0.9";
  const file = referenceNetworkFile(name);
  const expected = readReferenceExpected(name) as unknown as { layers: { shape: number[]; nnz_mask: number }[] };
  const net = loadNetwork(file);
  const spec = buildArchitecture(net.metadata.architecture, { inputSize: Number(net.metadata.input_size), classes: Number(net.metadata.classes) });
  const rolled = bgeNetworkMetrics(encodeRolledBge(spec, net.masks, { weights: net.weights }).map((l) => ({ name: l.layer, graph: l.graph })));
  assert.equal(rolled.layers.length, expected.layers.length);
  rolled.layers.forEach((l, i) => {
    const e = expected.layers[i];
    const numel = e.shape.reduce((a: number, b: number) => a * b, 1);
    assert.equal(l.edges, e.nnz_mask, l.name);
    assert.ok(Math.abs(l.density - e.nnz_mask / numel) < 1e-12, `${l.name} density = nnz/numel`);
    assert.equal(l.nodes, e.shape[1] * (e.shape[2] ?? 1) * (e.shape[3] ?? 1) + e.shape[0], `${l.name} nodes`);
    assert.ok(Number.isFinite(l.spectralGap) && l.spectralGap >= 0 && Number.isFinite(l.spectralRadius));
  });
  const channel = bgeNetworkMetrics(encodeRolledChannelBge(spec, net.masks, { weights: net.weights }).map((l) => ({ name: l.layer, graph: l.graph })));
  assert.equal(channel.layers.length, expected.layers.length);
  assert.equal(channel.summary.spectralGap.count, expected.layers.length);
});
