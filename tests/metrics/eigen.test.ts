/**
 * The Lanczos solver against an independent dense oracle: a cyclic Jacobi written here (not the
 * one in src/metrics/eigen.ts), on random dense symmetric matrices and on small graphs (adjacency and
 * Laplacian, incl. bipartite ±λ pairs, repeated eigenvalues and disconnected graphs).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EigenWorkspace, largestMagnitudeEigenvalues, type SymmetricOperator } from "../../src/metrics/eigen";
import { adjacencyOperator, laplacianOperator, SpectralWorkspace, spectralGap, spectralGapOfView, spectralRadius, spectralRadiusOfView, withSpectralWorkspace } from "../../src/metrics/spectral";
import { simpleUndirected } from "../../src/encoding/undirected-simple";
import { csrFromEdges } from "../../src/encoding/csr";
import { Rng } from "../../src/util/rng";
import { oracleEigenvalues } from "./dense-oracle";

function denseOp(a: Float64Array, n: number): SymmetricOperator {
  return {
    size: n,
    apply(x, y) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
        y[i] = s;
      }
    },
  };
}

function topMagnitudes(vals: number[], k: number): number[] {
  return vals.map(Math.abs).sort((x, y) => y - x).slice(0, k);
}

function assertRel(actual: number, expected: number, rel: number, scale: number, msg: string): void {
  const err = Math.abs(actual - expected);
  assert.ok(err <= rel * Math.max(Math.abs(scale), 1e-300), `${msg}: ${actual} vs ${expected} (err ${err.toExponential(2)})`);
}

test("random dense symmetric matrices: k largest |λ| match the Jacobi oracle to 1e-9", () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 12; trial++) {
    const n = 60 + rng.int(60);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const v = rng.normal();
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    }
    const k = 1 + rng.int(5);
    const oracle = oracleEigenvalues(a, n);
    const res = largestMagnitudeEigenvalues(denseOp(a, n), { k, seed: trial });
    const want = topMagnitudes(oracle, k);
    const got = Array.from(res.values, Math.abs);
    for (let i = 0; i < k; i++) assertRel(got[i], want[i], 1e-9, want[0], `trial ${trial} n ${n} k ${k} i ${i}`);
    // Signed values are eigenvalues of the matrix.
    for (const v of res.values) {
      const nearest = oracle.reduce((b, x) => (Math.abs(x - v) < Math.abs(b - v) ? x : b), Infinity);
      assertRel(v, nearest, 1e-9, want[0], `trial ${trial} signed value`);
    }
  }
});

/** `count` directed edges between uniformly random nodes of [0, n) (loops and parallel edges included), weights ≥ `minWeight`. */
function randomEdges(rng: Rng, n: number, count: number, minWeight: number): { s: number[]; t: number[]; w: number[] } {
  const s: number[] = [];
  const t: number[] = [];
  const w: number[] = [];
  for (let e = 0; e < count; e++) {
    s.push(rng.int(n));
    t.push(rng.int(n));
    w.push(Math.fround(minWeight + rng.next()));
  }
  return { s, t, w };
}

/** A random bipartite graph plus `extra` edges inside the left side (odd cycles: the spectrum is not ±-symmetric), weights ≥ `minWeight`. */
function nearlyBipartiteEdges(rng: Rng, left: number, right: number, p: number, extra: number, minWeight: number) {
  const e = randomBipartiteEdges(rng, left, right, p);
  for (let i = 0; i < extra; i++) {
    e.s.push(rng.int(left));
    e.t.push(rng.int(left));
    e.w.push(Math.fround(minWeight + rng.next()));
  }
  return e;
}

function randomBipartiteEdges(rng: Rng, left: number, right: number, p: number) {
  const s: number[] = [];
  const t: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < left; i++) {
    for (let j = 0; j < right; j++) {
      if (rng.next() < p) {
        s.push(i);
        t.push(left + j);
        w.push(Math.fround(0.05 + rng.next()));
      }
    }
  }
  return { s, t, w };
}

function denseAdjacency(n: number, s: number[], t: number[], w: number[] | null): Float64Array {
  // 'first' rule: the earliest edge of each unordered pair in CSR slot order = sorted (source, target, input order).
  const order = s.map((_, i) => i).sort((x, y) => s[x] - s[y] || t[x] - t[y] || x - y);
  const a = new Float64Array(n * n);
  const seen = new Set<string>();
  for (const e of order) {
    const u = s[e];
    const v = t[e];
    const key = u < v ? `${u},${v}` : `${v},${u}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const x = w ? w[e] : 1;
    if (u === v) a[u * n + u] = 2 * x;
    else {
      a[u * n + v] = x;
      a[v * n + u] = x;
    }
  }
  return a;
}

test("bipartite graphs (±λ pairs): spectral gap and Laplacian radius match the oracle to 1e-9", () => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 8; trial++) {
    const left = 30 + rng.int(40);
    const right = 20 + rng.int(30);
    const n = left + right;
    const { s, t, w } = randomBipartiteEdges(rng, left, right, 0.05 + 0.1 * rng.next());
    const g = csrFromEdges(n, s, t, w);
    const a = denseAdjacency(n, s, t, w);
    const eig = oracleEigenvalues(a, n);
    const top3 = topMagnitudes(eig, 3);
    const gap = spectralGap(g);
    for (let i = 0; i < 3; i++) assertRel(gap.top3AbsEigs[i], top3[i], 1e-9, top3[0], `adjacency trial ${trial} i ${i}`);
    assertRel(gap.gap, top3[0] - top3[2], 1e-9, top3[0], `gap trial ${trial}`);
    const lap = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < n; j++) d += a[j * n + i];
      for (let j = 0; j < n; j++) lap[i * n + j] = -a[i * n + j];
      lap[i * n + i] += d;
    }
    const le = oracleEigenvalues(lap, n).sort((x, y) => y - x);
    const rad = spectralRadius(g);
    assertRel(rad.radius, le[0], 1e-9, le[0], `laplacian trial ${trial}`);
    assertRel(rad.top2[1], le[1], 1e-9, le[0], `laplacian second trial ${trial}`);
  }
});

test("directed multigraphs with reciprocal, parallel edges and loops: 'first' weights and A[v,v] = 2w", () => {
  const rng = new Rng(9);
  for (let trial = 0; trial < 6; trial++) {
    const n = 70;
    const { s, t, w } = randomEdges(rng, n, 300, 0);
    // some explicit reciprocal and parallel edges with different weights
    for (let e = 0; e < 20; e++) {
      const i = rng.int(s.length);
      s.push(t[i]);
      t.push(s[i]);
      w.push(Math.fround(rng.next() + 2));
      s.push(s[i]);
      t.push(t[i]);
      w.push(Math.fround(rng.next() + 4));
    }
    const g = csrFromEdges(n, s, t, w);
    const a = denseAdjacency(n, s, t, w);
    const view = simpleUndirected(g);
    const op = adjacencyOperator(view);
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      x.fill(0);
      x[j] = 1;
      op.apply(x, y);
      for (let i = 0; i < n; i++) assert.equal(y[i], a[i * n + j], `A[${i},${j}] trial ${trial}`);
    }
    const eig = oracleEigenvalues(a, n);
    const top3 = topMagnitudes(eig, 3);
    const gap = spectralGap(g, {}, view);
    for (let i = 0; i < 3; i++) assertRel(gap.top3AbsEigs[i], top3[i], 1e-9, top3[0], `trial ${trial} i ${i}`);
    // Laplacian operator = diag(colsum A) − A.
    const lop = laplacianOperator(view);
    for (let j = 0; j < n; j++) {
      x.fill(0);
      x[j] = 1;
      lop.apply(x, y);
      let d = 0;
      for (let i = 0; i < n; i++) d += a[i * n + j];
      for (let i = 0; i < n; i++) {
        const want = (i === j ? d : 0) - a[i * n + j];
        assert.ok(Math.abs(y[i] - want) < 1e-12, `L[${i},${j}] ${y[i]} vs ${want}`);
      }
    }
  }
});

test("repeated eigenvalues and disconnected graphs: copies are found (deflation check)", () => {
  // Three disjoint copies of the same random bipartite graph: every eigenvalue has multiplicity 3,
  // so the top-3 magnitudes are λ1, λ1, λ1 (with ± pairs: six values of magnitude λ1).
  const rng = new Rng(3);
  const base = randomBipartiteEdges(rng, 30, 20, 0.2);
  const s: number[] = [];
  const t: number[] = [];
  const w: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let e = 0; e < base.s.length; e++) {
      s.push(base.s[e] + 50 * c);
      t.push(base.t[e] + 50 * c);
      w.push(base.w[e]);
    }
  }
  const n = 150;
  const g = csrFromEdges(n, s, t, w);
  const eig = oracleEigenvalues(denseAdjacency(n, s, t, w), n);
  const top3 = topMagnitudes(eig, 3);
  assert.ok(Math.abs(top3[2] - top3[0]) < 1e-9 * top3[0], "construction gives a repeated top eigenvalue");
  const gap = spectralGap(g);
  for (let i = 0; i < 3; i++) assertRel(gap.top3AbsEigs[i], top3[i], 1e-9, top3[0], `copy ${i}`);
  assert.ok(Math.abs(gap.gap) < 1e-8 * top3[0]);
  // Star forest: K_{1,3} ∪ K_{1,3} ∪ K_{1,2} has eigenvalues ±√3 (twice), ±√2, 0 …
  const ss = [0, 0, 0, 4, 4, 4, 8, 8];
  const tt = [1, 2, 3, 5, 6, 7, 9, 10];
  const sf = csrFromEdges(60, ss, tt, null);
  const r = spectralGap(sf);
  assertRel(r.top3AbsEigs[2], Math.sqrt(3), 1e-9, 2, "star forest third magnitude is √3");
});

test("the solver is deterministic for a seed and reports bad k", () => {
  const rng = new Rng(1);
  const { s, t, w } = randomBipartiteEdges(rng, 80, 40, 0.1);
  const g = csrFromEdges(120, s, t, w);
  const a = spectralGap(g, { seed: 4 });
  const b = spectralGap(g, { seed: 4 });
  assert.deepEqual(a, b);
  const tiny = csrFromEdges(3, [0, 1], [1, 2], null);
  assert.throws(() => spectralGap(tiny), /metrics\/spectral: .*more than 3 nodes/);
  assert.throws(() => largestMagnitudeEigenvalues(denseOp(new Float64Array(4), 2), { k: 2 }), /metrics\/eigen: k = 2/);
});

test("half-symmetric products equal full-row products on 1 and 2 threads (weighted, unweighted, loops, stale y)", () => {
  // The operators read each pair once from its smaller end; compare with the plain product over
  // the view's full rows on dense random vectors, with garbage left in y from a previous call.
  const rng = new Rng(11);
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + rng.int(60);
    const s: number[] = [];
    const t: number[] = [];
    const w: number[] = [];
    const m = rng.int(4 * n);
    for (let e = 0; e < m; e++) {
      s.push(rng.int(n));
      t.push(rng.int(n)); // includes self-loops and parallel/reciprocal edges
      w.push(Math.fround(rng.next() + 0.1));
    }
    const view = simpleUndirected(csrFromEdges(n, s, t, w));
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = rng.next() - 0.5;
    const off = view.offsets;
    const nb = view.neighbors;
    // Two threads only in a few trials: each starts a worker.
    for (const threads of trial < 4 ? [1, 2] : [1]) {
      for (const unweighted of [false, true]) {
        const y = new Float64Array(n).fill(123.5);
        const op = adjacencyOperator(view, unweighted, threads);
        try {
          op.apply(x, y);
          op.apply(x, y); // a second product reuses the worker and its buffers
        } finally {
          op.dispose();
        }
        for (let u = 0; u < n; u++) {
          let want = 2 * (unweighted ? (view.loopWeight[u] !== 0 ? 1 : 0) : view.loopWeight[u]) * x[u];
          for (let e = off[u]; e < off[u + 1]; e++) want += (unweighted ? 1 : view.weights[e]) * x[nb[e]];
          assert.ok(Math.abs(y[u] - want) <= 1e-12, `A x trial ${trial} threads ${threads} unweighted ${unweighted} row ${u}: ${y[u]} vs ${want}`);
        }
      }
      const y = new Float64Array(n).fill(-7);
      const lop = laplacianOperator(view, "float64", threads);
      try {
        lop.apply(x, y);
      } finally {
        lop.dispose();
      }
      for (let u = 0; u < n; u++) {
        let want = 0;
        for (let e = off[u]; e < off[u + 1]; e++) want += view.weights[e] * (x[u] - x[nb[e]]);
        assert.ok(Math.abs(y[u] - want) <= 1e-12, `L x trial ${trial} threads ${threads} row ${u}: ${y[u]} vs ${want}`);
      }
    }
  }
});

test("spectral gap and radius on 2 threads equal 1 thread; bad thread counts are refused", () => {
  const { s, t, w } = nearlyBipartiteEdges(new Rng(21), 150, 120, 0.08, 30, 0.2);
  const view = simpleUndirected(csrFromEdges(270, s, t, w));
  const one = spectralGapOfView(view, { threads: 1 });
  const two = spectralGapOfView(view, { threads: 2 });
  for (let i = 0; i < 3; i++) assertRel(two.top3AbsEigs[i], one.top3AbsEigs[i], 1e-12, one.top3AbsEigs[0], `|λ${i + 1}|`);
  const r1 = spectralRadiusOfView(view, { threads: 1 });
  const r2 = spectralRadiusOfView(view, { threads: 2 });
  assertRel(r2.radius, r1.radius, 1e-12, r1.radius, "radius");
  assert.throws(() => spectralGapOfView(view, { threads: 3 }), /threads must be 1 or 2, got 3/);
});

/**
 * A = Q·diag(d)·Qᵀ with Q a product of three random Householder reflections: a dense matrix with
 * a known spectrum, applied in O(n). The spectrum has an outlier pair that converges in a few
 * steps (Paige: later Lanczos vectors lose orthogonality towards it; without re-orthogonalisation
 * ghost copies of ±50 would appear among the k results) and a tight cluster at the top of the rest
 * that needs many restarts.
 */
function householderOperator(d: Float64Array, rng: Rng): SymmetricOperator {
  const n = d.length;
  const hs: Float64Array[] = [];
  for (let r = 0; r < 3; r++) {
    const h = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      h[i] = rng.normal();
      s += h[i] * h[i];
    }
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < n; i++) h[i] *= inv;
    hs.push(h);
  }
  const reflect = (h: Float64Array, x: Float64Array): void => {
    let s = 0;
    for (let i = 0; i < n; i++) s += h[i] * x[i];
    for (let i = 0; i < n; i++) x[i] -= 2 * s * h[i];
  };
  return {
    size: n,
    apply(x, y) {
      y.set(x);
      for (let r = hs.length - 1; r >= 0; r--) reflect(hs[r], y);
      for (let i = 0; i < n; i++) y[i] *= d[i];
      for (let r = 0; r < hs.length; r++) reflect(hs[r], y);
    },
  };
}

test("selective re-orthogonalisation: no ghost eigenvalues, same values as full, less work", () => {
  const rng = new Rng(5);
  const n = 3000;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = -10 + 20 * rng.next();
  d[0] = 50;
  d[1] = -50;
  d[2] = 10.02;
  d[3] = -10.019;
  d[4] = 10.018;
  const op = householderOperator(d, new Rng(6));
  const want = topMagnitudes(Array.from(d), 5);
  const sel = largestMagnitudeEigenvalues(op, { k: 5, seed: 3, verify: false });
  const full = largestMagnitudeEigenvalues(op, { k: 5, seed: 3, verify: false, reorthogonalization: "full" });
  const got = Array.from(sel.values, Math.abs);
  const gotFull = Array.from(full.values, Math.abs);
  for (let i = 0; i < 5; i++) {
    assertRel(got[i], want[i], 1e-10, 50, `selective |λ${i + 1}|`);
    assertRel(gotFull[i], want[i], 1e-10, 50, `full |λ${i + 1}|`);
  }
  assert.ok(sel.restarts >= 3, `the cluster should need restarts (got ${sel.restarts})`);
  assert.equal(full.fullReorthogonalizations, full.matvecs);
  assert.ok(sel.projections < full.projections / 2, `selective projected ${sel.projections} vectors, full ${full.projections}`);
});

test("a shared spectral workspace gives the same bits as separate solves, reuses its vectors, and refuses misuse", () => {
  const { s, t, w } = nearlyBipartiteEdges(new Rng(33), 160, 140, 0.06, 25, 0.1);
  const view = simpleUndirected(csrFromEdges(300, s, t, w));
  for (const threads of [1, 2]) {
    // verify on: the deflated runs use the second half of the pool, so both paths are exercised.
    for (const verify of [false, true]) {
      const gap = spectralGapOfView(view, { threads, verify });
      const gapU = spectralGapOfView(view, { threads, verify }, true);
      const rad = spectralRadiusOfView(view, { threads, verify });
      const shared = withSpectralWorkspace(view, { threads, verify }, (o) => {
        const ws = o.workspace;
        assert.ok(ws, "the helper passes a workspace");
        const r = [spectralGapOfView(view, o), spectralRadiusOfView(view, o), spectralGapOfView(view, o, true)] as const;
        const used = ws.eigen.allocated;
        // A second round allocates nothing new.
        spectralRadiusOfView(view, o);
        spectralGapOfView(view, o);
        assert.equal(ws.eigen.allocated, used, "vectors reused");
        return r;
      });
      assert.deepEqual(shared[0].top3AbsEigs, gap.top3AbsEigs, `gap, threads ${threads}, verify ${verify}`);
      assert.deepEqual(shared[1].top2, rad.top2, `radius, threads ${threads}, verify ${verify}`);
      assert.deepEqual(shared[2].top3AbsEigs, gapU.top3AbsEigs, `unweighted gap, threads ${threads}, verify ${verify}`);
    }
  }
  const other = simpleUndirected(csrFromEdges(300, s.slice(1), t.slice(1), w.slice(1)));
  const ws = new SpectralWorkspace(view, 1);
  assert.throws(() => adjacencyOperator(other, false, ws), /workspace was made for another undirected view/);
  ws.dispose();
  assert.throws(() => ws.product(false), /workspace used after dispose/);
  const small = new EigenWorkspace(10);
  assert.throws(() => largestMagnitudeEigenvalues(adjacencyOperator(view), { k: 3, denseBelow: 1, workspace: small }), /workspace holds vectors of size 10, the operator has size 300/);
});

test("a pre-faulted eigen workspace (shared buffer touched by a worker) gives the same eigenvalues as plain vectors", async () => {
  // 40 k nodes × 34 vectors × 8 B ≈ 10.9 MB: above the 8 MiB below which no worker is started.
  const n = 40_000;
  const { s, t, w } = randomEdges(new Rng(5), n, 120_000, 0.05);
  const view = simpleUndirected(csrFromEdges(n, s, t, w));
  const plain = spectralGapOfView(view, { threads: 1, verify: false });
  const pre = EigenWorkspace.prefaulted(n, 34);
  assert.equal(pre.allocated, 34);
  // The worker may still be running while the solve writes: its compareExchange(0, 0) never changes a value.
  const ws = new SpectralWorkspace(view, 1, pre);
  const got = spectralGapOfView(view, { verify: false, workspace: ws });
  const rad = spectralRadiusOfView(view, { verify: false, workspace: ws });
  ws.dispose();
  ws.dispose();
  assert.deepEqual(got.top3AbsEigs, plain.top3AbsEigs);
  assert.deepEqual(rad.top2, spectralRadiusOfView(view, { threads: 1, verify: false }).top2);
  assert.throws(() => new SpectralWorkspace(view, 1, new EigenWorkspace(n + 1)), /eigen workspace holds vectors of size 40001, the view has 40000 nodes/);
});
