// The whole-MGE picture against an independent brute-force rasteriser that draws one edge at a time,
// from each node's exact position, with exact coverage (every pixel row an edge's box overlaps, by a
// generic interval intersection). Stated tolerances:
// - bins of one node each: the binned picture equals the brute force within 1e-4·(1 + value) per pixel
//   (Float32 accumulation in a different order);
// - coarse bins (several nodes per bin, nodes drawn ≤ δ px from their place): per pixel
//   |binned − brute| ≤ 2δ(1 + 3/dx)·T + 1e-4·(1 + brute), T = number of edges whose box widened by 2δ
//   touches the pixel (a shift by s ≤ δ and a box-width change ≤ 2δ/dx moves at most that much of one
//   edge's unit of ink per column into or out of a pixel); the ink of every column is equal within 1e-4;
// - total ink is conserved: both equal Σ over edges of the columns they cross, computed from the edges.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PNG } from "pngjs";
import { csrFromEdges, inDegrees, type CsrGraph, type Partition } from "../../src/encoding/csr";
import { Rng } from "../../src/util/rng";
import { drawMge, encodePng, mgeDensityFigure, mgePictureHtml, type MgeLayout } from "../../src/notebook/index";

interface RandomGraphOptions {
  readonly partitions: number;
  readonly minSize: number;
  readonly maxSize: number;
  readonly edges: number;
  /** Shares of skip and intra-partition edges (the rest join consecutive partitions). */
  readonly skip: number;
  readonly intra: number;
}

function randomLayered(seed: number, o: RandomGraphOptions): CsrGraph {
  const rng = new Rng(seed);
  const parts: Partition[] = [];
  let start = 0;
  for (let p = 0; p < o.partitions; p++) {
    const size = o.minSize + Math.floor(rng.next() * (o.maxSize - o.minSize + 1));
    parts.push({ name: `p${p}`, start, size, channels: size, height: 1, width: 1 });
    start += size;
  }
  const src: number[] = [];
  const dst: number[] = [];
  const w: number[] = [];
  const pick = (p: number) => parts[p].start + Math.floor(rng.next() * parts[p].size);
  for (let e = 0; e < o.edges; e++) {
    const r = rng.next();
    let sp: number;
    let tp: number;
    if (r < o.intra) {
      sp = tp = Math.floor(rng.next() * o.partitions);
    } else if (r < o.intra + o.skip && o.partitions > 2) {
      sp = Math.floor(rng.next() * (o.partitions - 2));
      tp = sp + 2 + Math.floor(rng.next() * (o.partitions - sp - 2));
      if (rng.next() < 0.2) [sp, tp] = [tp, sp]; // a few backward edges
    } else {
      sp = Math.floor(rng.next() * (o.partitions - 1));
      tp = sp + 1;
    }
    const u = pick(sp);
    let v = pick(tp);
    if (u === v) v = parts[tp].start + ((v - parts[tp].start + 1) % parts[tp].size);
    if (u === v) continue;
    src.push(u);
    dst.push(v);
    w.push(0.1 + rng.next());
  }
  return csrFromEdges(start, src, dst, w, parts);
}

interface Brute {
  main: Float64Array;
  skip: Float64Array;
  intra: Float64Array;
  /** Edges whose box widened by `widen` px touches each pixel. */
  touch: Float64Array;
  /** Σ over edges of the columns each crosses. */
  columns: { main: number; skip: number; intra: number };
}

/** One segment, exact coverage: every row whose [r, r+1) meets the column's box gets its share. */
function bruteSegment(out: Float64Array, touch: Float64Array | null, widen: number, W: number, H: number, x0: number, y0: number, x1: number, y1: number, ink: number): number {
  if (x1 < x0) return bruteSegment(out, touch, widen, W, H, x1, y1, x0, y0, ink);
  const dx = x1 - x0;
  for (let j = x0; j < x1; j++) {
    const ya = y0 + ((j - x0) / dx) * (y1 - y0);
    const yb = y0 + ((j + 1 - x0) / dx) * (y1 - y0);
    let lo = Math.min(ya, yb);
    let hi = Math.max(ya, yb);
    if (hi - lo < 1) {
      const mid = (lo + hi) / 2;
      lo = mid - 0.5;
      hi = mid + 0.5;
    }
    for (let r = 0; r < H; r++) {
      const overlap = Math.max(0, Math.min(hi, r + 1) - Math.max(lo, r));
      if (overlap > 0) out[r * W + j] += (ink * overlap) / (hi - lo);
      if (touch && Math.min(hi + widen, r + 1) - Math.max(lo - widen, r) > 0) touch[r * W + j] += 1;
    }
  }
  return dx;
}

function bruteForce(g: CsrGraph, layout: MgeLayout, widen: number, weighted: boolean): Brute {
  const W = layout.width;
  const H = layout.height;
  const main = new Float64Array(W * H);
  const skip = new Float64Array(W * H);
  const intra = new Float64Array(W * H);
  const touch = new Float64Array(W * H);
  const columns = { main: 0, skip: 0, intra: 0 };
  const partOf = (v: number) => g.partitions.findIndex((p) => v >= p.start && v < p.start + p.size);
  const yOf = (v: number, p: number) => {
    const part = g.partitions[p];
    return layout.top[p] + ((v - part.start + 0.5) * layout.barHeight[p]) / part.size;
  };
  for (let u = 0; u < g.numNodes; u++) {
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const v = g.targets[e];
      const ink = weighted ? Math.abs(g.weights[e]) : 1;
      const sp = partOf(u);
      const tp = partOf(v);
      const ys = yOf(u, sp);
      const yt = yOf(v, tp);
      const xs = layout.x[sp];
      const xt = layout.x[tp];
      if (sp === tp) {
        const reach = Math.min(Math.max(2, Math.floor(layout.gap * 0.45)), Math.max(2, Math.round(Math.abs(yt - ys) / 2)));
        const ym = (ys + yt) / 2;
        columns.intra += bruteSegment(intra, touch, widen, W, H, xs, ys, xs + reach, ym, ink);
        columns.intra += bruteSegment(intra, touch, widen, W, H, xs + reach, ym, xs, yt, ink);
      } else if (tp === sp + 1) columns.main += bruteSegment(main, touch, widen, W, H, xs, ys, xt, yt, ink);
      else columns.skip += bruteSegment(skip, touch, widen, W, H, xs, ys, xt, yt, ink);
    }
  }
  return { main, skip, intra, touch, columns };
}

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

function columnSums(a: ArrayLike<number>, W: number, H: number): Float64Array {
  const c = new Float64Array(W);
  for (let r = 0; r < H; r++) for (let j = 0; j < W; j++) c[j] += a[r * W + j];
  return c;
}

test("drawMge with one node per bin equals the brute-force rasteriser per pixel, all three layers", () => {
  for (let seed = 1; seed <= 4; seed++) {
    const g = randomLayered(seed, { partitions: 5, minSize: 3, maxSize: 14, edges: 120, skip: 0.15, intra: 0.15 });
    const weighted = seed % 2 === 0;
    const pic = drawMge(g, { width: 160, height: 90, ink: weighted ? "weight" : "count" });
    // Every bar is taller than its node count, so every bin holds one node.
    for (let p = 0; p < g.partitions.length; p++) assert.ok(pic.layout.barHeight[p] >= g.partitions[p].size, `partition ${p} has fewer pixels than nodes`);
    const bf = bruteForce(g, pic.layout, 0, weighted);
    for (const layer of ["main", "skip", "intra"] as const) {
      const ours = pic.ink[layer];
      const theirs = bf[layer];
      if (ours.length === 0) {
        assert.equal(sum(theirs), 0, `seed ${seed}: ${layer} layer empty but brute force has ink`);
        continue;
      }
      for (let i = 0; i < theirs.length; i++) {
        assert.ok(Math.abs(ours[i] - theirs[i]) <= 1e-4 * (1 + theirs[i]), `seed ${seed} ${layer} pixel (${i % 160}, ${Math.floor(i / 160)}): ${ours[i]} vs ${theirs[i]}`);
      }
    }
    assert.ok(sum(bf.intra) > 0 && sum(bf.skip) > 0, "the random graph has shortcuts and intra-partition edges");
  }
});

test("drawMge with coarse bins stays within the stated per-pixel tolerance and conserves ink exactly per column", () => {
  for (let seed = 11; seed <= 13; seed++) {
    const g = randomLayered(seed, { partitions: 4, minSize: 150, maxSize: 400, edges: 3000, skip: 0.1, intra: 0 });
    const pic = drawMge(g, { width: 120, height: 48 });
    let delta = 0;
    for (let p = 0; p < g.partitions.length; p++) {
      const n = g.partitions[p].size;
      const nb = Math.min(n, Math.ceil(pic.layout.barHeight[p]));
      assert.ok(nb < n, "bins hold several nodes");
      delta = Math.max(delta, (Math.ceil(n / nb) * pic.layout.barHeight[p]) / n / 2);
    }
    assert.ok(delta <= 1, `δ = ${delta}`);
    const bf = bruteForce(g, pic.layout, 2 * delta, false);
    const minDx = pic.layout.gap;
    const W = pic.width;
    const H = pic.height;
    for (const layer of ["main", "skip"] as const) {
      const ours = pic.ink[layer];
      const theirs = bf[layer];
      for (let i = 0; i < theirs.length; i++) {
        const tol = 2 * delta * (1 + 3 / minDx) * bf.touch[i] + 1e-4 * (1 + theirs[i]);
        assert.ok(Math.abs(ours[i] - theirs[i]) <= tol, `seed ${seed} ${layer} pixel (${i % W}, ${Math.floor(i / W)}): ${ours[i]} vs ${theirs[i]} (tolerance ${tol})`);
      }
      const a = columnSums(ours, W, H);
      const b = columnSums(theirs, W, H);
      for (let j = 0; j < W; j++) assert.ok(Math.abs(a[j] - b[j]) <= 1e-4 * (1 + b[j]), `seed ${seed} ${layer} column ${j}: ink ${a[j]} vs ${b[j]}`);
      // Total ink = Σ over edges of the columns they cross (counted from the edges, not from either picture).
      assert.ok(Math.abs(sum(ours) - bf.columns[layer]) <= 1e-5 * bf.columns[layer], `${layer}: total ink ${sum(ours)} vs ${bf.columns[layer]}`);
      assert.ok(Math.abs(sum(theirs) - bf.columns[layer]) <= 1e-6 * bf.columns[layer]);
    }
    assert.ok(pic.stats.binPairs < g.numEdges, "bin pairs are fewer than edges");
  }
});

test("highlights: sink/source/disconnected lanes hold exactly the nodes the degree definitions give", () => {
  const g = randomLayered(5, { partitions: 4, minSize: 6, maxSize: 12, edges: 40, skip: 0, intra: 0 });
  const pic = drawMge(g, { width: 200, height: 60, highlight: ["sinks", "sources", "disconnected", "removable"] });
  const indeg = inDegrees(g);
  const last = g.partitions[g.partitions.length - 1].start;
  const first = g.partitions[0].size;
  let sinks = 0;
  let sources = 0;
  let disc = 0;
  let removable = 0;
  for (let v = 0; v < g.numNodes; v++) {
    const out = g.offsets[v + 1] - g.offsets[v];
    if (out === 0 && indeg[v] > 0 && v < last) sinks++;
    if (out > 0 && indeg[v] === 0 && v >= first) sources++;
    if (out === 0 && indeg[v] === 0) disc++;
  }
  // Removable: into sinks below N − 1 − O, out of sources above I (the official bounds).
  for (let u = 0; u < g.numNodes; u++) {
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const v = g.targets[e];
      const vSink = g.offsets[v + 1] === g.offsets[v] && v < g.numNodes - 1 - (g.numNodes - last);
      const uSource = indeg[u] === 0 && u > first;
      if (vSink || uSource) removable++;
    }
  }
  const count = (k: string) => pic.legend.find((l) => l.key === k)?.count;
  assert.equal(count("sinks"), sinks);
  assert.equal(count("sources"), sources);
  assert.equal(count("disconnected"), disc);
  assert.equal(count("removable"), removable);
  assert.ok(sinks + sources + disc > 0, "the sparse random graph has some");
  assert.equal(count("main"), g.numEdges - removable);
});

test("encodePng round-trips through pngjs's decoder; bad input is refused with a named error", () => {
  const g = randomLayered(7, { partitions: 3, minSize: 5, maxSize: 9, edges: 30, skip: 0, intra: 0 });
  const pic = drawMge(g, { width: 64, height: 32 });
  const back = PNG.sync.read(encodePng(pic));
  assert.equal(back.width, 64);
  assert.equal(back.height, 32);
  for (let i = 0; i < 64 * 32; i++) for (let c = 0; c < 3; c++) assert.equal(back.data[4 * i + c], pic.rgba[4 * i + c]);
  assert.ok(pic.rgba.some((v, i) => i % 4 !== 3 && v < 200), "something is drawn");
  assert.throws(() => drawMge(g, { width: 10, height: 10 }), /notebook\/mge-picture: .* less than 2 px per bar/);
  assert.throws(() => drawMge(g, { highlight: ["sinks", "bogus" as never] }), /unknown highlight 'bogus'/);
  assert.throws(() => drawMge(g, { binsPerPixel: 0 }), /binsPerPixel/);
});

test("the density view's heatmaps count every edge in its (source bin, target bin), one dropdown entry per partition pair", () => {
  const g = randomLayered(21, { partitions: 4, minSize: 20, maxSize: 60, edges: 500, skip: 0.1, intra: 0.05 });
  const fig = mgeDensityFigure(g, { bins: 7 });
  const heatmaps = fig.data.filter((d) => (d as { type: string }).type === "heatmap") as { name: string; x: number[]; y: number[]; z: (number | null)[][] }[];
  const partOf = (v: number) => g.partitions.findIndex((p) => v >= p.start && v < p.start + p.size);
  // Brute force: bin of local node i = the last bin whose first node is ≤ i.
  const expected = new Map<string, number>();
  for (let u = 0; u < g.numNodes; u++) {
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const v = g.targets[e];
      const sp = partOf(u);
      const tp = partOf(v);
      const h = heatmaps.find((m) => m.name === `p${sp} → p${tp}`);
      assert.ok(h, `pair p${sp} → p${tp} has a heatmap`);
      const bs = h.x.filter((first) => first <= u - g.partitions[sp].start).length - 1;
      const bt = h.y.filter((first) => first <= v - g.partitions[tp].start).length - 1;
      const key = `${h.name}|${bs}|${bt}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
  }
  let total = 0;
  for (const h of heatmaps) {
    h.z.forEach((row, bt) => row.forEach((c, bs) => {
      assert.equal(c ?? 0, expected.get(`${h.name}|${bs}|${bt}`) ?? 0, `${h.name} bin (${bs}, ${bt})`);
      total += c ?? 0;
    }));
  }
  assert.equal(total, g.numEdges);
  const menu = (fig.layout as { updatemenus: { buttons: { args: [{ visible: boolean[] }] }[] }[] }).updatemenus[0];
  assert.equal(menu.buttons.length, heatmaps.length);
  menu.buttons.forEach((b, i) => assert.equal(b.args[0].visible.filter(Boolean).length, 3, `button ${i} shows one heatmap and two degree histograms`));
  assert.throws(() => mgeDensityFigure(g, { bins: 0 }), /bins must be a positive integer/);
});

test("mgePictureHtml embeds each picture as a PNG data URI with its legend", () => {
  const g = randomLayered(8, { partitions: 3, minSize: 5, maxSize: 9, edges: 30, skip: 0, intra: 0 });
  const pics = [drawMge(g, { width: 64, height: 32 }), drawMge(g, { width: 80, height: 40 })];
  const html = mgePictureHtml(pics.map((p, i) => ({ picture: p, caption: `pic <${i}>` })), { title: "two" });
  const uris = [...html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].map((m) => PNG.sync.read(Buffer.from(m[1], "base64")));
  assert.deepEqual(uris.map((u) => [u.width, u.height]), [[64, 32], [80, 40]]);
  assert.ok(html.includes("pic &lt;1&gt;"), "captions are escaped");
  assert.ok(html.includes(`${g.numEdges} edges`) || html.includes("edges between consecutive partitions"), "legend present");
  assert.throws(() => mgePictureHtml([]), /no picture/);
});
