/**
 * Motif counts: connected induced 3- and 4-node subgraphs (reference-notes §2.1 "motif" and the
 * "Motif counts" section of Appendix B).
 *
 * What the reference computes: igraph `motifs_randesu_estimate(size=4, sample=int(0.001·N))` on the
 * directed multigraph — an unbiased but noisy estimate of the number of weakly connected induced
 * 4-node subgraphs (RAND-ESU: Wernicke 2006). Weak connectivity, mutual and parallel edges do not
 * change *which* node sets are counted, so the total equals the number of connected induced
 * subgraphs of the simple undirected view (`undirected-simple.ts`; loops ignored).
 *
 * 1. `exactMotifTotals`: exact totals by subgraph-count algebra, no enumeration. With degrees d,
 *    T triangles, t_e triangles on edge e, T_v triangles at v, and K4 the 4-cliques:
 *      - connected3 = Σ C(d,2) − 2T                      (open wedges + triangles)
 *      - stars  S  = Σ C(d,3)       = star + paw + 2·diamond + 4·K4           (induced counts on the right)
 *      - paths  P  = Σ_{uv}(d_u−1)(d_v−1) − 3T = P4 + 4·C4 + 2·paw + 6·diamond + 12·K4
 *      - 4-cycles C = #(non-induced C4) = C4 + diamond + 3·K4   (codegree wedges, counted once per
 *        cycle at its highest-ranked vertex, Chiba–Nishizeki 1985)
 *      - Σ_v T_v(d_v − 2) = paw + 4·diamond + 12·K4;  Σ_e C(t_e, 2) = diamond + 6·K4
 *    which is solved for the induced counts; total4 = S + P − 3·C4 − 2·paw − 7·diamond − 15·K4.
 *    Complexity O(m·α) for triangles/K4 and Σ_v Σ_{u∈N(v), u>v} |{w ∈ N(v): w < u}| ≤ Σ d² for the
 *    4-cycles with nodes ranked by degree (`work`, computed in O(m) first; above `maxWork` the
 *    function throws, naming the cost). Memory: the simple view (4 bytes/slot) + 8 bytes/slot.
 *    Exactness: per-node partial sums are integers far below 2^53 (checked) and are accumulated as
 *    BigInt, so totals are exact; the `number` fields are exact below 2^53 ≈ 9.0e15 (the fixtures
 *    reach 4.5e11) and the BigInt fields always.
 * 2. `estimateMotifs`: the RAND-ESU estimator as igraph implements it with a `sample`: draw s roots
 *    uniformly without replacement, count the connected size-k subgraphs whose smallest node id is
 *    the root (ESU extends only to higher ids), scale by N/s. The last ESU level is counted, not
 *    enumerated. Standard error: N·sqrt((1 − s/N)·var(c)/s) over the per-root counts c (finite
 *    population correction; 0 when s = N, NaN when s = 1). Seeded with util/rng (the reference used
 *    Python's `random`, so individual estimates are not reproducible across implementations).
 */
import type { CsrGraph } from "../encoding/csr";
import { Rng } from "../util/rng";
import type { Progress } from "../util/progress";
import { simpleUndirected, type SimpleUndirected } from "../encoding/undirected-simple";

export interface Induced4ByType {
  readonly C4: number;
  readonly paw: number;
  readonly diamond: number;
  readonly K4: number;
  /** Induced 3-stars (K1,3) plus induced 4-paths (P4): the tree-shaped 4-node subgraphs. */
  readonly starPlusPath: number;
}

export interface MotifTotals {
  readonly connected3: number;
  readonly connected4: number;
  readonly triangles: number;
  readonly induced4ByType: Induced4ByType;
  /** The same totals as exact BigInts (for counts above 2^53). */
  readonly exact: { readonly connected3: bigint; readonly connected4: bigint; readonly triangles: bigint };
  /** The 4-cycle wedge work that was budgeted (see `maxWork`). */
  readonly work: number;
}

export interface ExactMotifOptions {
  /** Refuse (throw) when the 4-cycle wedge work exceeds this many steps (default 3e10, minutes). */
  readonly maxWork?: number;
  readonly progress?: Progress;
}

const MODULE = "metrics/motifs";

function checkSafe(x: number, what: string): number {
  if (!Number.isSafeInteger(x)) throw new Error(`${MODULE}: partial sum ${what} = ${x} exceeds 2^53; exactness lost`);
  return x;
}

/**
 * Exact totals of weakly connected induced 3- and 4-node subgraphs (what igraph's
 * `motifs_randesu` counts, summed over the connected classes) of the simple undirected view.
 */
export function exactMotifTotals(graph: CsrGraph, options: ExactMotifOptions = {}): MotifTotals {
  const view = simpleUndirected(graph, false);
  return exactMotifTotalsOfView(view, options);
}

export function exactMotifTotalsOfView(view: SimpleUndirected, options: ExactMotifOptions = {}): MotifTotals {
  const n = view.numNodes;
  const maxWork = options.maxWork ?? 3e10;
  const progress = options.progress;
  // Rank nodes by (degree, id) and relabel, so that lower id = lower degree.
  const deg0 = new Int32Array(n);
  for (let v = 0; v < n; v++) deg0[v] = view.offsets[v + 1] - view.offsets[v];
  const byRank = rankByDegree(deg0);
  const rank = new Int32Array(n);
  for (let r = 0; r < n; r++) rank[byRank[r]] = r;
  const off = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) off[r + 1] = off[r] + deg0[byRank[r]];
  const nb = new Int32Array(off[n]);
  for (let r = 0; r < n; r++) {
    const v = byRank[r];
    let s = off[r];
    for (let e = view.offsets[v]; e < view.offsets[v + 1]; e++) nb[s++] = rank[view.neighbors[e]];
    nb.subarray(off[r], off[r + 1]).sort();
  }
  // From here on node ids are ranks.
  let work = 0;
  for (let v = 0; v < n; v++) {
    const a = off[v];
    const b = off[v + 1];
    // position of the first neighbour > v
    let lo = a;
    let hi = b;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (nb[mid] > v) hi = mid;
      else lo = mid + 1;
    }
    // Σ over neighbours u > v at row index i of i (neighbours of v below u)
    const c = b - lo;
    const i0 = lo - a;
    work += c * i0 + (c * (c - 1)) / 2;
  }
  if (work > maxWork) {
    throw new Error(
      `${MODULE}: exact 4-node counting needs ${work.toExponential(3)} wedge steps (above maxWork = ${maxWork.toExponential(3)}); pass a larger maxWork to run it anyway, or use estimateMotifs`,
    );
  }
  // Degree sums.
  let W = 0n;
  let S3 = 0n;
  let Pdeg = 0n; // Σ over edges (d_u − 1)(d_v − 1)
  for (let u = 0; u < n; u++) {
    const d = off[u + 1] - off[u];
    W += BigInt((d * (d - 1)) / 2);
    S3 += BigInt(checkSafe((d * (d - 1) * (d - 2)) / 6, "C(d,3)"));
    let local = 0;
    for (let e = off[u]; e < off[u + 1]; e++) {
      const v = nb[e];
      if (v > u) local += (d - 1) * (off[v + 1] - off[v] - 1);
    }
    Pdeg += BigInt(checkSafe(local, "Σ(d_u−1)(d_v−1)"));
  }
  // Triangles, per-edge triangle counts (on the slot of the edge in its lower endpoint's row),
  // per-node triangle counts and 4-cliques.
  const tEdge = new Int32Array(off[n]);
  const tNode = new Float64Array(n);
  const mark = new Int32Array(n).fill(-1); // slot of u→x while processing u
  const mark2 = new Int32Array(n).fill(-1);
  const common: number[] = [];
  let T = 0;
  let K4 = 0;
  for (let u = 0; u < n; u++) {
    const ub = off[u + 1];
    for (let e = off[u]; e < ub; e++) if (nb[e] > u) mark[nb[e]] = e;
    for (let e1 = off[u]; e1 < ub; e1++) {
      const v = nb[e1];
      if (v <= u) continue;
      common.length = 0;
      const vb = off[v + 1];
      for (let e2 = off[v]; e2 < vb; e2++) {
        const w = nb[e2];
        if (w <= v) continue;
        const e3 = mark[w];
        if (e3 >= 0) {
          T++;
          tEdge[e1]++;
          tEdge[e2]++;
          tEdge[e3]++;
          tNode[u]++;
          tNode[v]++;
          tNode[w]++;
          common.push(w);
        }
      }
      if (common.length >= 2) {
        const stamp = e1; // unique per (u, v) pair
        for (const w of common) mark2[w] = stamp;
        for (const w of common) {
          for (let e4 = off[w]; e4 < off[w + 1]; e4++) {
            const x = nb[e4];
            if (x > w && mark2[x] === stamp) K4++;
          }
        }
      }
    }
    for (let e = off[u]; e < ub; e++) if (nb[e] > u) mark[nb[e]] = -1;
  }
  checkSafe(T, "triangles");
  checkSafe(K4, "K4");
  let pawNon = 0n;
  for (let v = 0; v < n; v++) {
    const d = off[v + 1] - off[v];
    if (tNode[v] > 0) pawNon += BigInt(checkSafe(tNode[v] * (d - 2), "T_v(d_v−2)"));
  }
  let diamondNon = 0n;
  for (let e = 0; e < tEdge.length; e++) {
    const t = tEdge[e];
    if (t > 1) diamondNon += BigInt((t * (t - 1)) / 2);
  }
  // 4-cycles, each counted once at its highest-ranked node u with w the node opposite u.
  const cnt = new Int32Array(n);
  const touched = new Int32Array(n);
  let C4non = 0n;
  const step = Math.max(1, Math.floor(n / 100));
  for (let u = 0; u < n; u++) {
    let nt = 0;
    const ub = off[u + 1];
    for (let e = off[u]; e < ub; e++) {
      const v = nb[e];
      if (v >= u) break;
      const vb = off[v + 1];
      for (let f = off[v]; f < vb; f++) {
        const w = nb[f];
        if (w >= u) break;
        if (cnt[w]++ === 0) touched[nt++] = w;
      }
    }
    let local = 0;
    for (let i = 0; i < nt; i++) {
      const c = cnt[touched[i]];
      local += (c * (c - 1)) / 2;
      cnt[touched[i]] = 0;
    }
    if (local > 0) C4non += BigInt(checkSafe(local, "4-cycles at a node"));
    if (progress && u % step === 0) progress.update(u, n, "4-cycles");
  }
  if (progress) progress.finish();
  const Tb = BigInt(T);
  const K4b = BigInt(K4);
  const diamond = diamondNon - 6n * K4b;
  const C4 = C4non - diamond - 3n * K4b;
  const paw = pawNon - 4n * diamond - 12n * K4b;
  const star = S3 - paw - 2n * diamond - 4n * K4b;
  const Pnon = Pdeg - 3n * Tb;
  const P4 = Pnon - 4n * C4 - 2n * paw - 6n * diamond - 12n * K4b;
  const connected3 = W - 2n * Tb;
  const connected4 = star + P4 + C4 + paw + diamond + K4b;
  for (const [name, v] of [["diamond", diamond], ["C4", C4], ["paw", paw], ["star", star], ["P4", P4]] as const) {
    if (v < 0n) throw new Error(`${MODULE}: internal error, induced ${name} count ${v} < 0`);
  }
  return {
    connected3: Number(connected3),
    connected4: Number(connected4),
    triangles: T,
    induced4ByType: {
      C4: Number(C4),
      paw: Number(paw),
      diamond: Number(diamond),
      K4,
      starPlusPath: Number(star + P4),
    },
    exact: { connected3, connected4, triangles: Tb },
    work,
  };
}

/** Node ids sorted by (degree, id) ascending: counting sort on degree, stable in id. */
function rankByDegree(deg: Int32Array): Int32Array {
  const n = deg.length;
  let maxD = 0;
  for (let v = 0; v < n; v++) if (deg[v] > maxD) maxD = deg[v];
  const start = new Int32Array(maxD + 2);
  for (let v = 0; v < n; v++) start[deg[v] + 1]++;
  for (let d = 0; d <= maxD; d++) start[d + 1] += start[d];
  const out = new Int32Array(n);
  for (let v = 0; v < n; v++) out[start[deg[v]]++] = v;
  return out;
}

export interface MotifEstimateOptions {
  readonly size: 3 | 4;
  /** Fraction of nodes used as roots when `sampleSize` is not given (default 0.001, as the reference). */
  readonly sampleFraction?: number;
  /** Number of roots (overrides sampleFraction); = N gives the exact total. */
  readonly sampleSize?: number;
  readonly seed: number;
  readonly progress?: Progress;
}

export interface MotifEstimate {
  readonly estimate: number;
  readonly standardError: number;
  readonly sampleSize: number;
}

/**
 * RAND-ESU estimate of the number of connected induced `size`-node subgraphs. The sample size is
 * `sampleSize` or floor(sampleFraction·N) (the reference's int(0.001·N)); 0 roots is refused with an
 * error, as igraph refuses it.
 */
export function estimateMotifs(graph: CsrGraph, options: MotifEstimateOptions, view?: SimpleUndirected): MotifEstimate {
  const s = view ?? simpleUndirected(graph, false);
  return estimateMotifsOfView(s, options);
}

export function estimateMotifsOfView(view: SimpleUndirected, options: MotifEstimateOptions): MotifEstimate {
  const n = view.numNodes;
  const size = options.size;
  if (size !== 3 && size !== 4) throw new Error(`${MODULE}: motif size ${String(size)} is not supported (3 or 4)`);
  const fraction = options.sampleFraction ?? 0.001;
  const s = options.sampleSize ?? Math.floor(fraction * n);
  if (!Number.isInteger(s) || s < 1 || s > n) {
    throw new Error(
      `${MODULE}: sample size ${s} (from ${options.sampleSize !== undefined ? "sampleSize" : `sampleFraction ${fraction} × ${n} nodes`}) must be an integer in 1..${n}`,
    );
  }
  const rng = new Rng(options.seed);
  // Partial Fisher–Yates: the first s entries are a uniform sample without replacement.
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < s; i++) {
    const j = i + rng.int(n - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const counter = new EsuCounter(view);
  let sum = 0;
  let sumSq = 0;
  const step = Math.max(1, Math.floor(s / 100));
  for (let i = 0; i < s; i++) {
    const c = size === 3 ? counter.count3(perm[i]) : counter.count4(perm[i]);
    sum += c;
    sumSq += c * c;
    if (options.progress && i % step === 0) options.progress.update(i, s, "RAND-ESU roots");
  }
  if (options.progress) options.progress.finish();
  const mean = sum / s;
  const estimate = (sum * n) / s;
  let standardError: number;
  if (s === n) standardError = 0;
  else if (s === 1) standardError = Number.NaN;
  else {
    const variance = Math.max(0, (sumSq - s * mean * mean) / (s - 1));
    standardError = n * Math.sqrt(((1 - s / n) * variance) / s);
  }
  return { estimate, standardError, sampleSize: s };
}

/** ESU counting from one root with stamped neighbourhood marks (no per-subgraph allocation). */
class EsuCounter {
  private readonly off: Int32Array;
  private readonly nb: Int32Array;
  private readonly markV: Int32Array;
  private readonly markW: Int32Array;
  private stampV = 0;
  private stampW = 0;
  private ext2: Int32Array;

  constructor(view: SimpleUndirected) {
    this.off = view.offsets;
    this.nb = view.neighbors;
    this.markV = new Int32Array(view.numNodes);
    this.markW = new Int32Array(view.numNodes);
    this.ext2 = new Int32Array(1024);
  }

  /** Connected 3-node sets whose smallest id is v. */
  count3(v: number): number {
    const { off, nb, markV } = this;
    const sv = ++this.stampV;
    markV[v] = sv;
    for (let e = off[v]; e < off[v + 1]; e++) markV[nb[e]] = sv;
    const first = firstAbove(nb, off[v], off[v + 1], v);
    const ext1Len = off[v + 1] - first;
    let total = 0;
    for (let i = first; i < off[v + 1]; i++) {
      const w = nb[i];
      let excl = 0;
      for (let f = off[w]; f < off[w + 1]; f++) {
        const u = nb[f];
        if (u > v && markV[u] !== sv) excl++;
      }
      total += ext1Len - (i - first) - 1 + excl;
    }
    return total;
  }

  /** Connected 4-node sets whose smallest id is v. */
  count4(v: number): number {
    const { off, nb, markV, markW } = this;
    const sv = ++this.stampV;
    markV[v] = sv;
    for (let e = off[v]; e < off[v + 1]; e++) markV[nb[e]] = sv;
    const first = firstAbove(nb, off[v], off[v + 1], v);
    const end1 = off[v + 1];
    let total = 0;
    for (let i = first; i < end1; i++) {
      const w = nb[i];
      // ext2 = remaining ext1 ∪ exclusive neighbours of w (> v, outside N[v]).
      let len = 0;
      const need = end1 - i - 1 + (off[w + 1] - off[w]);
      if (this.ext2.length < need) this.ext2 = new Int32Array(Math.max(need, 2 * this.ext2.length));
      const ext2 = this.ext2;
      for (let j = i + 1; j < end1; j++) ext2[len++] = nb[j];
      for (let f = off[w]; f < off[w + 1]; f++) {
        const u = nb[f];
        if (u > v && markV[u] !== sv) ext2[len++] = u;
      }
      const sw = ++this.stampW;
      markW[w] = sw;
      for (let f = off[w]; f < off[w + 1]; f++) markW[nb[f]] = sw;
      // Level 3: remove x from ext2 in order; the 4th node comes from the rest of ext2 or from
      // x's exclusive neighbours (> v, outside N[v] ∪ N[w]).
      for (let j = 0; j < len; j++) {
        const x = ext2[j];
        let excl = 0;
        for (let f = off[x]; f < off[x + 1]; f++) {
          const u = nb[f];
          if (u > v && markV[u] !== sv && markW[u] !== sw) excl++;
        }
        total += len - j - 1 + excl;
      }
    }
    return total;
  }
}

function firstAbove(nb: Int32Array, a: number, b: number, v: number): number {
  let lo = a;
  let hi = b;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nb[mid] > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
