/**
 * Motif totals against brute-force enumeration of every 3- and 4-node subset (weak connectivity of
 * the induced subgraph, classified by shape), and the RAND-ESU estimator: exact with all roots,
 * deterministic for a seed, unbiased over seeds, honest standard error.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { csrFromEdges, type CsrGraph } from "../../src/encoding/csr";
import { estimateMotifs, exactMotifTotals } from "../../src/metrics/motifs";
import { Rng } from "../../src/util/rng";

function randomDirectedMultigraph(seed: number, maxNodes: number): { g: CsrGraph; n: number; s: number[]; t: number[] } {
  const rng = new Rng(seed);
  const n = 1 + rng.int(maxNodes);
  const p = [0.05, 0.15, 0.3, 0.5, 0.8][rng.int(5)];
  const s: number[] = [];
  const t: number[] = [];
  for (let u = 0; u < n; u++) {
    for (let v = 0; v < n; v++) {
      if (rng.next() < p / 2) {
        s.push(u);
        t.push(v); // includes self-loops and, with (v,u) also drawn, mutual pairs
        if (rng.next() < 0.2) {
          s.push(u);
          t.push(v); // parallel edge
        }
      }
    }
  }
  // shuffle the edge order: csrFromEdges must not depend on it
  const order = s.map((_, i) => i);
  rng.shuffle(order);
  const ss = order.map((i) => s[i]);
  const tt = order.map((i) => t[i]);
  return { g: csrFromEdges(n, ss, tt, null), n, s: ss, t: tt };
}

interface Brute {
  c3: number;
  c4: number;
  tri: number;
  C4: number;
  paw: number;
  diamond: number;
  K4: number;
  tree4: number;
}

function bruteForce(n: number, s: number[], t: number[]): Brute {
  const adj: boolean[][] = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  for (let e = 0; e < s.length; e++) {
    if (s[e] !== t[e]) {
      adj[s[e]][t[e]] = true;
      adj[t[e]][s[e]] = true;
    }
  }
  const connected = (nodes: number[]): boolean => {
    const seen = new Set<number>([nodes[0]]);
    const stack = [nodes[0]];
    while (stack.length) {
      const x = stack.pop() as number;
      for (const y of nodes) if (!seen.has(y) && adj[x][y]) {
        seen.add(y);
        stack.push(y);
      }
    }
    return seen.size === nodes.length;
  };
  const r: Brute = { c3: 0, c4: 0, tri: 0, C4: 0, paw: 0, diamond: 0, K4: 0, tree4: 0 };
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) for (let c = b + 1; c < n; c++) {
    if (connected([a, b, c])) r.c3++;
    if (adj[a][b] && adj[b][c] && adj[a][c]) r.tri++;
    for (let d = c + 1; d < n; d++) {
      const q = [a, b, c, d];
      if (!connected(q)) continue;
      r.c4++;
      let edges = 0;
      const deg = [0, 0, 0, 0];
      for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) if (adj[q[i]][q[j]]) {
        edges++;
        deg[i]++;
        deg[j]++;
      }
      if (edges === 3) r.tree4++;
      else if (edges === 4) {
        if (deg.every((x) => x === 2)) r.C4++;
        else r.paw++;
      } else if (edges === 5) r.diamond++;
      else if (edges === 6) r.K4++;
    }
  }
  return r;
}

test("exact totals equal brute-force enumeration on 150 random directed multigraphs", () => {
  let nonTrivial = 0;
  for (let seed = 0; seed < 150; seed++) {
    const { g, n, s, t } = randomDirectedMultigraph(seed, 16);
    const b = bruteForce(n, s, t);
    const m = exactMotifTotals(g);
    const msg = `seed ${seed} n ${n} e ${s.length}`;
    assert.equal(m.connected3, b.c3, `${msg} connected3`);
    assert.equal(m.connected4, b.c4, `${msg} connected4`);
    assert.equal(m.triangles, b.tri, `${msg} triangles`);
    assert.equal(m.induced4ByType.C4, b.C4, `${msg} C4`);
    assert.equal(m.induced4ByType.paw, b.paw, `${msg} paw`);
    assert.equal(m.induced4ByType.diamond, b.diamond, `${msg} diamond`);
    assert.equal(m.induced4ByType.K4, b.K4, `${msg} K4`);
    assert.equal(m.induced4ByType.starPlusPath, b.tree4, `${msg} star+path`);
    assert.equal(m.exact.connected4, BigInt(b.c4));
    if (b.K4 > 0 && b.C4 > 0 && b.paw > 0) nonTrivial++;
  }
  assert.ok(nonTrivial >= 10, `enough graphs with every shape (${nonTrivial})`);
});

test("the estimator with every node as a root is exact, for sizes 3 and 4", () => {
  for (let seed = 200; seed < 260; seed++) {
    const { g, n } = randomDirectedMultigraph(seed, 30);
    const m = exactMotifTotals(g);
    for (const size of [3, 4] as const) {
      const e = estimateMotifs(g, { size, sampleSize: n, seed });
      assert.equal(e.estimate, size === 3 ? m.connected3 : m.connected4, `seed ${seed} size ${size}`);
      assert.equal(e.standardError, 0);
      assert.equal(e.sampleSize, n);
    }
  }
});

test("the estimator is deterministic for a seed and unbiased over seeds, with a fair standard error", () => {
  // One denser graph of 120 nodes.
  const rng = new Rng(77);
  const s: number[] = [];
  const t: number[] = [];
  for (let e = 0; e < 420; e++) {
    s.push(rng.int(120));
    t.push(rng.int(120));
  }
  const g = csrFromEdges(120, s, t, null);
  const exact = exactMotifTotals(g);
  for (const size of [3, 4] as const) {
    const truth = size === 3 ? exact.connected3 : exact.connected4;
    const a = estimateMotifs(g, { size, sampleSize: 12, seed: 5 });
    const b = estimateMotifs(g, { size, sampleSize: 12, seed: 5 });
    assert.deepEqual(a, b);
    const c = estimateMotifs(g, { size, sampleSize: 12, seed: 6 });
    assert.notEqual(a.estimate, c.estimate, "different seeds give different samples");
    const runs = 600;
    let sum = 0;
    let sumSq = 0;
    let seSum = 0;
    for (let seed = 0; seed < runs; seed++) {
      const r = estimateMotifs(g, { size, sampleSize: 12, seed });
      sum += r.estimate;
      sumSq += r.estimate * r.estimate;
      seSum += r.standardError;
    }
    const mean = sum / runs;
    const sd = Math.sqrt((sumSq - runs * mean * mean) / (runs - 1));
    const seOfMean = sd / Math.sqrt(runs);
    assert.ok(Math.abs(mean - truth) < 4 * seOfMean, `size ${size}: mean ${mean} vs exact ${truth} (±${seOfMean})`);
    const meanSe = seSum / runs;
    assert.ok(meanSe > 0.6 * sd && meanSe < 1.4 * sd, `size ${size}: reported SE ${meanSe} vs empirical sd ${sd}`);
  }
});

test("sample size: the reference's int(0.001·N), and 0 roots is refused", () => {
  const g = csrFromEdges(2500, [0, 1, 2], [1, 2, 3], null);
  assert.equal(estimateMotifs(g, { size: 4, seed: 1 }).sampleSize, 2);
  const small = csrFromEdges(999, [0, 1], [1, 2], null);
  assert.throws(() => estimateMotifs(small, { size: 4, seed: 1 }), /metrics\/motifs: sample size 0/);
});

test("maxWork: an exact count above the budget throws, naming the cost", () => {
  const { g } = randomDirectedMultigraph(3, 40);
  assert.throws(() => exactMotifTotals(g, { maxWork: 1 }), /metrics\/motifs: exact 4-node counting needs .* wedge steps/);
});
