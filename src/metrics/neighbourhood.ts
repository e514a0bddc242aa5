/**
 * Neighbourhood connectivity: the mean size of every node's out-neighbourhood of order 1 and 2.
 *
 * Definition (igraph `neighborhood_size(order=k, mode="out")`, used by the official `main.py`):
 * the number of DISTINCT nodes at directed distance ≤ k from v, v itself included. Parallel
 * edges and self-loops add nothing; on a graph without them the order-1 mean is 1 + E/N.
 * The metric is the mean over all N nodes.
 *
 * Normalisation in the released unrolled.csv (reference-notes §2.1): both means / E.
 *
 * Algorithms.
 * - Per-node sizes (`oneHopSizes`, `twoHopSizes`): one pass per node with a stamp array
 *   (mark[w] = v when w has been counted for v), so no set is built or cleared. Rows of the CSR
 *   are sorted, so parallel edges are adjacent and each distinct out-neighbour is expanded once.
 *   Order 2 costs Σ_u indeg(u)·outdeg(u) stamp checks, the walk igraph does.
 * - Means (`oneHopMean`, `twoHopMean`) need only the total Σ_v |N≤k(v)|. The 1-hop total is
 *   N + E − (parallel duplicates) − (nodes with a self-loop), one branch-free scan. The 2-hop
 *   total is computed 32 source nodes at a time with bit masks (bit i = "reached from the i-th
 *   node of the batch"): a middle node shared by several sources of the batch is expanded once,
 *   OR-ing their bits into its out-neighbours, and the total is the sum of the popcounts. The
 *   batches follow the partitions' (channel, row, col) layout: the same pixel across up to 32
 *   channels, or several neighbouring pixels of all channels when a layer has fewer than 32.
 *   In an unrolled conv layer those nodes share most of their out-neighbours (same spatial
 *   window), so far fewer rows are expanded; any batching gives the same exact result. Partitions
 *   whose sampled batches share few first-hop nodes (very sparse layers) use the stamp count.
 * Source: reference-notes §2.1. Complexity: order 1 O(N + E); order 2 O(N + Σ indeg·outdeg) in the worst
 * case (no sharing inside batches), 16N bytes for the batched total, 4N for the per-node sizes.
 */
import type { CsrGraph, Partition } from "../encoding/csr";
import { silentProgress, type Progress } from "../util/progress";

/** Distinct out-neighbourhood size of every node at order 1 (itself included). O(N + E). */
export function oneHopSizes(g: CsrGraph): Int32Array {
  const n = g.numNodes;
  const off = g.offsets;
  const t = g.targets;
  const size = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    const a = off[v];
    const b = off[v + 1];
    let c = 1;
    let prev = -1;
    for (let e = a; e < b; e++) {
      const u = t[e];
      if (u !== prev && u !== v) c++;
      prev = u;
    }
    size[v] = c;
  }
  return size;
}

/** Distinct out-neighbourhood size of every node at order 2 (itself included). */
export function twoHopSizes(g: CsrGraph, progress: Progress = silentProgress): Int32Array {
  const n = g.numNodes;
  const off = g.offsets;
  const t = g.targets;
  const size = new Int32Array(n);
  const mark = new Int32Array(n).fill(-1);
  const chunk = 1 << 14;
  for (let v0 = 0; v0 < n; v0 += chunk) {
    const v1 = Math.min(n, v0 + chunk);
    for (let v = v0; v < v1; v++) {
      const a = off[v];
      const b = off[v + 1];
      mark[v] = v;
      let c = 1;
      for (let e = a; e < b; e++) {
        const u = t[e];
        if (mark[u] !== v) {
          mark[u] = v;
          c++;
        }
      }
      let prev = -1;
      for (let e = a; e < b; e++) {
        const u = t[e];
        if (u === prev || u === v) continue;
        prev = u;
        const ub = off[u + 1];
        for (let f = off[u]; f < ub; f++) {
          const w = t[f];
          if (mark[w] !== v) {
            mark[w] = v;
            c++;
          }
        }
      }
      size[v] = c;
    }
    progress.update(v1, n, "2-hop");
  }
  return size;
}

/**
 * Distinct out-neighbourhood sizes at any order k ≥ 0 by a depth-bounded BFS per node
 * (O(N·(N + E)) worst case: meant for small graphs and for checking; orders 1 and 2 use the
 * dedicated passes above).
 */
export function neighbourhoodSizes(g: CsrGraph, order: number, progress: Progress = silentProgress): Int32Array {
  if (!Number.isInteger(order) || order < 0) throw new Error(`metrics/neighbourhood: order must be a non-negative integer, got ${order}`);
  if (order === 1) return oneHopSizes(g);
  if (order === 2) return twoHopSizes(g, progress);
  const n = g.numNodes;
  const off = g.offsets;
  const t = g.targets;
  const size = new Int32Array(n);
  const mark = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    let head = 0;
    let tail = 0;
    queue[tail++] = v;
    mark[v] = v;
    for (let depth = 0; depth < order && head < tail; depth++) {
      const levelEnd = tail;
      while (head < levelEnd) {
        const u = queue[head++];
        for (let e = off[u]; e < off[u + 1]; e++) {
          const w = t[e];
          if (mark[w] !== v) {
            mark[w] = v;
            queue[tail++] = w;
          }
        }
      }
    }
    size[v] = tail;
    if ((v & 4095) === 0) progress.update(v, n, `${order}-hop`);
  }
  progress.update(n, n, `${order}-hop`);
  return size;
}

/**
 * Σ_v |N≤1(v)| = N + Σ_v (distinct out-neighbours of v other than v), from sorted rows: a slot
 * adds one unless it repeats the previous slot's target or is a self-loop (a loop repeated by
 * parallel copies is caught by the first test).
 */
export function oneHopTotal(g: CsrGraph): number {
  const n = g.numNodes;
  const off = g.offsets;
  const t = g.targets;
  let total = n;
  let e = 0;
  for (let v = 0; v < n; v++) {
    const b = off[v + 1];
    let prev = -1;
    let c = 0;
    for (; e < b; e++) {
      const u = t[e];
      // 1 when u ≠ prev and u ≠ v: the sign bit of (u−prev)|(prev−u) is set iff they differ.
      c += (((u - prev) | (prev - u)) & ((u - v) | (v - u))) >>> 31;
      prev = u;
    }
    total += c;
  }
  return total;
}

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * A partition is expanded with bit masks when its sources' first-hop slots outnumber the distinct
 * middle nodes of a batch by this factor (on sampled batches; measured on the fixtures: the masks win
 * 2–3.5x at ratios 3.5–7 and lose below about 2.5). Below it the batches share too few
 * middle nodes for the masks to pay off (very sparse layers), and the stamp count is faster.
 */
const SHARING_THRESHOLD = 3;

/** Scratch arrays of the 2-hop total, allocated once per call. */
interface TwoHopScratch {
  readonly firstHop: Int32Array; // bits of the batch sources that reach u in one step
  readonly reached: Int32Array; // bits of the batch sources that reach w in ≤ 2 steps
  readonly middle: Int32Array;
  readonly touched: Int32Array;
  readonly stamp: Int32Array;
  readonly batch: Int32Array;
}

/** How the nodes of a partition are grouped in batches of ≤ 32 (see the module comment). */
interface BatchLayout {
  readonly hw: number;
  readonly channels: number;
  readonly positions: number;
}

function batchLayout(p: Partition): BatchLayout {
  // Layout metadata that does not describe the partition falls back to consecutive batches.
  const hw = p.channels * p.height * p.width === p.size && p.size > 0 ? p.height * p.width : 1;
  const channels = p.size / hw;
  return { hw, channels, positions: channels >= 32 ? 1 : Math.floor(32 / channels) };
}

/** Fills s.batch with the batch at (pos, c0); returns its size. */
function fillBatch(p: Partition, l: BatchLayout, pos: number, c0: number, batch: Int32Array): number {
  const kp = Math.min(l.positions, l.hw - pos);
  const kc = Math.min(32, l.channels - c0);
  let k = 0;
  for (let i = 0; i < kc; i++) {
    const base = p.start + (c0 + i) * l.hw + pos;
    for (let j = 0; j < kp; j++) batch[k++] = base + j;
  }
  return k;
}

/** First-hop slots per distinct middle node, over up to 64 batches spread over the partition. */
function sharingRatio(g: CsrGraph, p: Partition, l: BatchLayout, s: TwoHopScratch): number {
  const off = g.offsets;
  const t = g.targets;
  const positionsBatches = Math.ceil(l.hw / l.positions);
  const step = Math.max(1, Math.floor(positionsBatches / 64));
  let slots = 0;
  let distinct = 0;
  for (let pb = 0; pb < positionsBatches; pb += step) {
    const k = fillBatch(p, l, pb * l.positions, 0, s.batch);
    let nMiddle = 0;
    for (let i = 0; i < k; i++) {
      const v = s.batch[i];
      const b = off[v + 1];
      slots += b - off[v];
      for (let e = off[v]; e < b; e++) {
        const u = t[e];
        if (s.firstHop[u] === 0) {
          s.firstHop[u] = 1;
          s.middle[nMiddle++] = u;
        }
      }
    }
    for (let j = 0; j < nMiddle; j++) s.firstHop[s.middle[j]] = 0;
    distinct += nMiddle;
  }
  return distinct === 0 ? 0 : slots / distinct;
}

/** Σ |N≤2(v)| over v in [start, end), one node at a time with a running stamp. */
function twoHopStampRange(g: CsrGraph, start: number, end: number, stamp: Int32Array, stampBase: number): number {
  const off = g.offsets;
  const t = g.targets;
  let total = 0;
  let id = stampBase;
  for (let v = start; v < end; v++) {
    id++;
    stamp[v] = id;
    let c = 1;
    let prev = -1;
    const b = off[v + 1];
    // One pass: rows are sorted, so a repeated out-neighbour is adjacent and skipped; each distinct
    // out-neighbour is counted (unless already reached in two steps) and expanded once.
    for (let e = off[v]; e < b; e++) {
      const u = t[e];
      if (u === prev) continue;
      prev = u;
      if (stamp[u] !== id) {
        stamp[u] = id;
        c++;
      }
      if (u === v) continue;
      const ub = off[u + 1];
      for (let f = off[u]; f < ub; f++) {
        const w = t[f];
        if (stamp[w] !== id) {
          stamp[w] = id;
          c++;
        }
      }
    }
    total += c;
  }
  return total;
}

/** Σ |N≤2(v)| over the nodes of partition p with 32-wide bit-mask batches. */
function twoHopBatchedPartition(g: CsrGraph, p: Partition, l: BatchLayout, s: TwoHopScratch): number {
  const off = g.offsets;
  const t = g.targets;
  const { firstHop, reached, middle, touched, batch } = s;
  let total = 0;
  for (let pos = 0; pos < l.hw; pos += l.positions) {
    for (let c0 = 0; c0 < l.channels; c0 += 32) {
      const k = fillBatch(p, l, pos, c0, batch);
      let nMiddle = 0;
      let nTouched = 0;
      for (let i = 0; i < k; i++) {
        const v = batch[i];
        const bit = 1 << i;
        const x = reached[v];
        if (x === 0) touched[nTouched++] = v;
        reached[v] = x | bit;
        const b = off[v + 1];
        for (let e = off[v]; e < b; e++) {
          const u = t[e];
          const y = firstHop[u];
          if (y === 0) middle[nMiddle++] = u;
          firstHop[u] = y | bit;
        }
      }
      for (let j = 0; j < nMiddle; j++) {
        const u = middle[j];
        const mu = firstHop[u];
        firstHop[u] = 0;
        const x = reached[u];
        if (x === 0) touched[nTouched++] = u;
        reached[u] = x | mu;
        const b = off[u + 1];
        for (let e = off[u]; e < b; e++) {
          const w = t[e];
          const z = reached[w];
          if (z === 0) touched[nTouched++] = w;
          reached[w] = z | mu;
        }
      }
      for (let j = 0; j < nTouched; j++) {
        const w = touched[j];
        total += popcount32(reached[w]);
        reached[w] = 0;
      }
    }
  }
  return total;
}

/**
 * Σ_v |N≤2(v)|: per partition, bit-mask batches where sampled batches share middle nodes,
 * otherwise the stamp count (see the module comment). `method` forces one of the two (for tests
 * and benchmarks); all give the same value.
 */
export function twoHopTotal(g: CsrGraph, progress: Progress = silentProgress, method: "auto" | "batched" | "stamp" = "auto"): number {
  const n = g.numNodes;
  const s: TwoHopScratch = {
    firstHop: new Int32Array(n),
    reached: new Int32Array(n),
    middle: new Int32Array(n),
    touched: new Int32Array(n),
    stamp: new Int32Array(n),
    batch: new Int32Array(32),
  };
  let total = 0;
  let covered = 0;
  for (const p of g.partitions) {
    const l = batchLayout(p);
    const batched = method === "batched" || (method === "auto" && sharingRatio(g, p, l, s) >= SHARING_THRESHOLD);
    if (batched) total += twoHopBatchedPartition(g, p, l, s);
    else total += twoHopStampRange(g, p.start, p.start + p.size, s.stamp, p.start);
    covered += p.size;
    progress.update(covered, n, "2-hop");
  }
  if (covered !== n) throw new Error(`metrics/neighbourhood: the partitions cover ${covered} of ${n} nodes`);
  return total;
}

/** Official `1-hop` (raw): mean distinct out-neighbourhood size of order 1, node included. */
export function oneHopMean(g: CsrGraph): number {
  if (g.numNodes === 0) throw new Error("metrics/neighbourhood: the mean is not defined on a graph without nodes");
  return oneHopTotal(g) / g.numNodes;
}

/** Official `2-hop` (raw): mean distinct out-neighbourhood size of order 2, node included. */
export function twoHopMean(g: CsrGraph, progress: Progress = silentProgress): number {
  if (g.numNodes === 0) throw new Error("metrics/neighbourhood: the mean is not defined on a graph without nodes");
  return twoHopTotal(g, progress) / g.numNodes;
}
