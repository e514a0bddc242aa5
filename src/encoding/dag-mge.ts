/**
 * The general multipartite graph encoding (MGE) of any CNN given as a DAG (src/nn/dag.ts); prose
 * version in ./general-mge.md.
 *
 * Definition (`exact` alignment):
 * - Node sets (partitions), in order of first appearance: the network input, then every tensor a
 *   parametric layer (conv, linear) writes into. The outputs of parametric layers summed by an add
 *   (main branch + projection shortcut) are one node set: an add operand is *own* when it is, through
 *   batch norm / activations / dropout / identity only, the output of a conv, linear or add that
 *   nothing else reads; the own operands of an add share its node set. The other operands (identity
 *   skips) contribute no edges, unless `identityShortcuts`: then each skip node (c, y, x) → the add's
 *   node (c, y, x) with weight 1 (through pooling on the skip path, every window node). An add
 *   without an own operand is refused. A concat stacks the node sets of its operands channel-wise
 *   and creates no nodes. Batch norm, activations and dropout are identities.
 * - The input node set holds the padded input of the first conv when the input feeds exactly one
 *   layer that is a conv (through identity-like ops): C × (H + pt + pb) × (W + pl + pr), and that
 *   conv reads it unpadded, so padding nodes get the edges of the taps that fall on them (as the
 *   paper's graphs and the ArchSpec encoder's `exact` alignment). Otherwise (no conv, or several
 *   readers) the input set is C × H × W.
 * - Edges of a parametric layer = the non-zero pattern of the Jacobian of its output with respect to
 *   the node sets upstream, computed with every weight w replaced by its |w|·mask, activations and
 *   batch norm as identities and each pooling window as the sum over its window (max pooling: every
 *   node of the window connects like the pooled node, §1.5 of reference-notes). A pooled value read
 *   by a layer is thus expanded to its window, composed over consecutive pooling ops. One edge per
 *   (source, target) pair; its weight is the sum of the contributions |w| (float16-rounded by
 *   default, summed in float32): a pair gets several only through overlapping pooling windows
 *   (e.g. ResNet-50's 3×3/2 max-pool followed by a 3×3 conv), a concat reading one node set twice,
 *   or two layers of one add reading one node set.
 * - `reference` alignment reproduces the official builder's node indexing (./plan.ts): it is
 *   defined for the paper's chain + residual-block architectures only; the DAG is lifted to an
 *   ArchSpec (src/nn/dag-lift.ts) and encoded by `encodeMge`. Other DAGs are refused.
 *
 * Construction: a counting pass and a fill pass, each enumerating node sets in order and every
 * target node in ascending order, with all its in-edges from all the set's writers, so CSR rows come
 * out sorted without a sort. Where pairs can repeat (`plan.mayRepeat`), a per-source stamp of the
 * last target merges them in O(1). Memory: 8 bytes per edge + 12 per node; time O(E + taps·positions).
 */
import type { DagSpec } from "../nn/dag";
import type { ArchSpec } from "../nn/spec";
import type { Architecture } from "../nn/architecture";
import { isDagSpec } from "../nn/dag";
import { liftDagToArchSpec } from "../nn/dag-lift";
import type { MaskMap, WeightMap } from "../nn/tensors";
import { roundToFloat16 } from "../io/float16";
import { silentProgress } from "../util/progress";
import { MAX_EDGES, type CsrGraph } from "./csr";
import { layerWeightAndMask } from "./layer-weights";
import { checkPrecision, countMge, encodeMge, type LayerEdgeCount, type MgeCountOptions, type MgeCounts, type MgeGraph, type MgeOptions, type WeightPrecision } from "./mge";
import type { PlanOptions } from "./plan";
import { buildDagMgePlan, type DagMgePlan, type DagWriter } from "./dag-plan";

/** The nonzero taps of one writer, grouped by output channel (see the module comment). */
interface WriterTaps {
  readonly start: Int32Array;
  readonly dy: Int32Array;
  readonly dx: Int32Array;
  readonly wt: Float32Array;
  readonly rLo: Int32Array;
  readonly rHi: Int32Array;
  readonly qLo: Int32Array;
  readonly qHi: Int32Array;
  /** Node of the tap's source channel at set position (0, 0). */
  readonly chanBase: Int32Array;
  /** Width of the tap's source node set. */
  readonly setW: Int32Array;
  /** Segment index of the tap (general path). */
  readonly seg: Int32Array;
  readonly fast: boolean;
  readonly sh: number;
  readonly sw: number;
  /** Value width (fast path: node = chanBase + (r·sh + dy)·W + q·sw + dx). */
  readonly W: number;
}

function validRange(d: number, s: number, size: number, o: number): [number, number] {
  const lo = Math.max(0, Math.ceil(-d / s));
  const hi = Math.min(o, Math.floor((size - 1 - d) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

function buildWriterTaps(where: string, plan: DagMgePlan, w: DagWriter, weights: WeightMap | null, masks: MaskMap | null, precision: WeightPrecision | null): WriterTaps {
  const v = w.input;
  const units = w.outChannels;
  const [kh, kw] = w.kernel;
  const [dh, dw] = w.dilation;
  const cinG = w.kind === "identity" ? 1 : v.C / w.groups;
  const outPerGroup = units / w.groups;
  let wd: Float32Array | null = null;
  let md: Uint8Array | null = null;
  if (w.weight !== null) {
    const { w: wt, m } = layerWeightAndMask(where, w.weight, w.weightShape, weights, masks);
    wd = wt ? wt.data : null;
    md = m ? m.data : null;
  }
  const per = cinG * kh * kw;
  const active = (i: number): boolean => (md === null || md[i] !== 0) && (wd === null || wd[i] !== 0);
  let nnz = 0;
  for (let i = 0; i < units * per; i++) if (active(i)) nnz++;
  const start = new Int32Array(units + 1);
  const mk = (): Int32Array => new Int32Array(nnz);
  const dy = mk(), dx = mk(), rLo = mk(), rHi = mk(), qLo = mk(), qHi = mk(), chanBase = mk(), setW = mk(), seg = mk();
  const wt = new Float32Array(nnz);
  const chanSeg = new Int32Array(v.C).fill(-1);
  v.segments.forEach((g, k) => chanSeg.fill(k, g.c0, g.c0 + g.n));
  const fast = v.segments.every((g) => g.rows.identity && g.cols.identity && g.rows.len === plan.partitions[g.set].height && g.cols.len === plan.partitions[g.set].width);
  const [sh, sw] = w.stride;
  let t = 0;
  for (let c = 0; c < units; c++) {
    start[c] = t;
    const g0 = Math.floor(c / outPerGroup) * cinG;
    for (let jj = 0, i = c * per; jj < cinG; jj++) {
      const j = w.kind === "identity" ? c : g0 + jj;
      const k = chanSeg[j];
      const g = v.segments[k];
      const p = plan.partitions[g.set];
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++, i++) {
          if (!active(i)) continue;
          dy[t] = a * dh - w.padTop;
          dx[t] = b * dw - w.padLeft;
          [rLo[t], rHi[t]] = validRange(dy[t], sh, v.H, w.outH);
          [qLo[t], qHi[t]] = validRange(dx[t], sw, v.W, w.outW);
          chanBase[t] = p.start + (j - g.c0 + g.setC0) * p.height * p.width;
          setW[t] = p.width;
          seg[t] = k;
          const x = wd ? Math.abs(wd[i]) : 1;
          wt[t] = precision === "float16" ? roundToFloat16(x) : x;
          t++;
        }
      }
    }
  }
  start[units] = t;
  return { start, dy, dx, wt, rLo, rHi, qLo, qHi, chanBase, setW, seg, fast, sh, sw, W: v.W };
}

/** Mutable state of one pass. `fill` false: degrees into deg[node + 1]; true: slots at deg[node]++ (a cursor). */
interface Pass {
  readonly fill: boolean;
  readonly dedup: boolean;
  readonly deg: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float32Array;
  /** Last target + 1 each source node got an edge to (dedup only). */
  readonly stamp: Int32Array;
  /** Slot of that edge (dedup fill only). */
  readonly slotOf: Int32Array;
}

/** One source contribution; returns 1 when it makes a new edge. */
function put(p: Pass, node: number, tgt: number, w: number): number {
  if (p.dedup) {
    if (p.stamp[node] === tgt + 1) {
      if (p.fill) p.weights[p.slotOf[node]] += w;
      return 0;
    }
    p.stamp[node] = tgt + 1;
    if (p.fill) {
      const slot = p.deg[node]++;
      p.slotOf[node] = slot;
      p.targets[slot] = tgt;
      p.weights[slot] = w;
    } else p.deg[node + 1]++;
    return 1;
  }
  if (p.fill) {
    const slot = p.deg[node]++;
    p.targets[slot] = tgt;
    p.weights[slot] = w;
  } else p.deg[node + 1]++;
  return 1;
}

/** All contributions of writer `w` to output (c, r, q) = node `tgt`. */
function emit(p: Pass, w: DagWriter, taps: WriterTaps, c: number, r: number, q: number, tgt: number): number {
  const t0 = taps.start[c];
  const t1 = taps.start[c + 1];
  const { rLo, rHi, qLo, qHi, dy, dx, wt, chanBase } = taps;
  let made = 0;
  if (taps.fast) {
    const pos = r * taps.sh * taps.W + q * taps.sw;
    const W = taps.W;
    for (let t = t0; t < t1; t++) {
      if (r < rLo[t] || r >= rHi[t] || q < qLo[t] || q >= qHi[t]) continue;
      made += put(p, chanBase[t] + pos + dy[t] * W + dx[t], tgt, wt[t]);
    }
    return made;
  }
  const segs = w.input.segments;
  for (let t = t0; t < t1; t++) {
    if (r < rLo[t] || r >= rHi[t] || q < qLo[t] || q >= qHi[t]) continue;
    const y = r * taps.sh + dy[t];
    const x = q * taps.sw + dx[t];
    const g = segs[taps.seg[t]];
    const rows = g.rows;
    const cols = g.cols;
    const sw = taps.setW[t];
    for (let i = rows.off[y]; i < rows.off[y + 1]; i++) {
      const rowNode = chanBase[t] + rows.idx[i] * sw;
      const wy = wt[t] * rows.cnt[i];
      for (let k = cols.off[x]; k < cols.off[x + 1]; k++) made += put(p, rowNode + cols.idx[k], tgt, wy * cols.cnt[k]);
    }
  }
  return made;
}

/** One pass over every target of every node set; returns edges per writer. */
function runPass(plan: DagMgePlan, taps: readonly WriterTaps[], fill: boolean, deg: Int32Array, targets: Int32Array, weights: Float32Array, stamp: Int32Array, slotOf: Int32Array, onSet: (k: number) => void): Float64Array {
  const perWriter = new Float64Array(plan.writers.length);
  for (let s = 1; s < plan.partitions.length; s++) {
    onSet(s);
    const part = plan.partitions[s];
    const ws = plan.setWriters[s];
    const p: Pass = { fill, dedup: plan.mayRepeat[s], deg, targets, weights, stamp, slotOf };
    const hw = part.height * part.width;
    for (let c = 0; c < part.channels; c++) {
      for (let r = 0; r < part.height; r++) {
        for (let q = 0; q < part.width; q++) {
          const tgt = part.start + c * hw + r * part.width + q;
          for (let k = 0; k < ws.length; k++) {
            const wi = ws[k];
            perWriter[wi] += emit(p, plan.writers[wi], taps[wi], c, r, q, tgt);
          }
        }
      }
    }
  }
  return perWriter;
}

function prepareDag(dag: DagSpec, weights: WeightMap | null, masks: MaskMap | null, options: PlanOptions, precision: WeightPrecision | null) {
  const where = `encoding/dag-mge: ${dag.name}`;
  if (!weights && !masks) throw new Error(`${where}: need weights or masks`);
  const plan = buildDagMgePlan(dag, options);
  const taps = plan.writers.map((w) => buildWriterTaps(where, plan, w, weights, masks, precision));
  return { where, plan, taps };
}

function perLayer(plan: DagMgePlan, counts: Float64Array): LayerEdgeCount[] {
  return plan.writers.map((w, i) => {
    const src = w.input.segments.length > 0 ? w.input.segments[0].set : 0;
    return { layer: w.name, role: w.role, edges: counts[i], sourcePartition: src, targetPartition: w.targetSet };
  });
}

function refuseReference(dag: DagSpec, options: PlanOptions): ArchSpec | null {
  const alignment = options.alignment ?? "exact";
  if (alignment === "exact") return null;
  if (alignment !== "reference") throw new Error(`encoding/dag-mge: unknown alignment '${String(alignment)}' (reference | exact)`);
  return liftDagToArchSpec(dag);
}

/** Weight/mask maps re-keyed to the lifted spec's `${layer}.weight` names. */
function rekey<T>(m: Map<string, T> | null, names: ReadonlyMap<string, string>): Map<string, T> | null {
  if (!m) return null;
  const out = new Map<string, T>(m);
  for (const [from, to] of names) {
    const v = m.get(from);
    if (v !== undefined) out.set(to, v);
  }
  return out;
}

/**
 * Nodes, edges, partitions and per-layer edge counts of the general MGE without storing edges:
 * one counting pass, O(E) time, O(N) memory (`reference`: the ArchSpec counter, O(nnz)).
 * @example countDagMge(torchvisionResnet("resnet18"), masks, { alignment: "exact" }).edges
 * @throws as encodeDagMge.
 */
export function countDagMge(dag: DagSpec, masks: MaskMap | null, options: MgeCountOptions = {}): MgeCounts {
  const lifted = refuseReference(dag, options);
  if (lifted) {
    const names = liftedWeightNames(dag);
    return countMge(lifted, rekey(masks, names), { ...options, weights: rekey(options.weights ?? null, names) });
  }
  const { plan, taps } = prepareDag(dag, options.weights ?? null, masks, options, null);
  const n = plan.numNodes;
  const repeat = plan.mayRepeat.some(Boolean);
  const deg = new Int32Array(n + 1);
  const counts = runPass(plan, taps, false, deg, new Int32Array(0), new Float32Array(0), repeat ? new Int32Array(n) : new Int32Array(0), new Int32Array(0), () => {});
  let edges = 0;
  for (const c of counts) edges += c;
  return { nodes: n, edges, partitions: plan.partitions, edgesPerLayer: perLayer(plan, counts), alignment: "exact" };
}

/**
 * The general MGE of a DAG as a CSR graph (module comment). `options.weights` absent = topology only
 * (weight 1); `masks` null = mask from weights ≠ 0. Default alignment `exact`.
 * @example const g = encodeDagMge(archToDag(buildArchitecture("resnet20")), masks, { weights, alignment: "exact" });
 * @throws on unsupported structures (named node), missing/mis-shaped weights, `reference` on a DAG
 * outside the paper's architecture family, or more than 2^31 − 1 edges.
 */
export function encodeDagMge(dag: DagSpec, masks: MaskMap | null, options: MgeOptions = {}): MgeGraph {
  const precision = checkPrecision(options.weightPrecision);
  const lifted = refuseReference(dag, options);
  if (lifted) {
    const names = liftedWeightNames(dag);
    return encodeMge(lifted, rekey(masks, names), { ...options, weights: rekey(options.weights ?? null, names) });
  }
  const { where, plan, taps } = prepareDag(dag, options.weights ?? null, masks, options, precision);
  const progress = options.progress ?? silentProgress;
  const n = plan.numNodes;
  const repeat = plan.mayRepeat.some(Boolean);
  const stamp = repeat ? new Int32Array(n) : new Int32Array(0);
  const offsets = new Int32Array(n + 1);
  const sets = plan.partitions.length - 1;
  const counts = runPass(plan, taps, false, offsets, new Int32Array(0), new Float32Array(0), stamp, new Int32Array(0), (s) => progress.update(s - 1, 2 * sets, `count ${plan.partitions[s].name}`));
  let edges = 0;
  for (const c of counts) edges += c;
  if (edges > MAX_EDGES) throw new Error(`${where}: ${edges} edges exceed the CSR limit of ${MAX_EDGES}`);
  for (let v = 0; v < n; v++) offsets[v + 1] += offsets[v];
  if (offsets[n] !== edges) throw new Error(`${where}: internal error: counted ${offsets[n]} edges, expected ${edges}`);
  const targets = new Int32Array(edges);
  const wts = new Float32Array(edges);
  const cursor = offsets.slice(0, n);
  if (repeat) stamp.fill(0);
  runPass(plan, taps, true, cursor, targets, wts, stamp, repeat ? new Int32Array(n) : new Int32Array(0), (s) => progress.update(sets + s - 1, 2 * sets, `fill ${plan.partitions[s].name}`));
  progress.finish(`${n} nodes, ${edges} edges`);
  const g: CsrGraph = { numNodes: n, numEdges: edges, offsets, targets, weights: wts, partitions: plan.partitions };
  return { ...g, alignment: "exact", edgesPerLayer: perLayer(plan, counts) };
}

/** Weight name → `${layer}.weight` of the lifted ArchSpec, where they differ. */
function liftedWeightNames(dag: DagSpec): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of dag.nodes) if ((n.op.kind === "conv2d" || n.op.kind === "linear") && n.op.weight !== `${n.name}.weight`) m.set(n.op.weight, `${n.name}.weight`);
  return m;
}

/**
 * The MGE of either kind of architecture: ArchSpecs go to `encodeMge` (default `reference`), DAGs
 * to `encodeDagMge` (default `exact`).
 * @example encodeArchitectureMge(model.architecture, model.masks, { weights: model.weights, alignment: "exact" })
 */
export function encodeArchitectureMge(arch: Architecture, masks: MaskMap | null, options: MgeOptions = {}): MgeGraph {
  return isDagSpec(arch) ? encodeDagMge(arch, masks, options) : encodeMge(arch, masks, options);
}

/** Counting counterpart of `encodeArchitectureMge`. */
export function countArchitectureMge(arch: Architecture, masks: MaskMap | null, options: MgeCountOptions = {}): MgeCounts {
  return isDagSpec(arch) ? countDagMge(arch, masks, options) : countMge(arch, masks, options);
}
