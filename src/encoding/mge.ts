/**
 * The multipartite graph encoding (MGE) of a whole sparse network (reference-notes §1.5–1.6,
 * Appendix B; layout and alignments in ./plan.ts): every conv is unrolled over its input (§1.3), so
 * one kernel weight gives up to o² edges; layers are chained by node index; pooling windows are
 * folded into the next layer; projection shortcuts add edges from the block input to the block
 * output. Edge weight = |w| rounded to float16 and widened to float32, as the official code stores
 * it (option `weightPrecision: "float32"` keeps full precision). An edge exists iff the mask is 1
 * and the weight is nonzero (the official code reads the masked weight and tests w ≠ 0).
 *
 * Construction (built for 10^8–2·10^8 edges): a counting pass computes every node's out-degree,
 * a prefix sum gives the CSR offsets, and a fill pass writes targets and weights straight into their
 * slots. Both passes enumerate, for each layer, the targets in ascending order and all in-edges of
 * each target, so every row comes out sorted by target without a sort; main-path layers are filled
 * before shortcuts, whose targets lie further on. Memory: 8 bytes per edge + 4 per node (+ the masks);
 * no per-edge objects and no intermediate edge list. Time O(E + Σ_layers o²·nnz(W_c) bound checks).
 *
 * `countMge` gives nodes, edges and per-layer edge counts in O(nnz) from the masks alone.
 */
import type { ArchSpec, Conv2dSpec } from "../nn/spec";
import type { HostMask, HostTensor, MaskMap, WeightMap } from "../nn/tensors";
import { roundToFloat16 } from "../io/float16";
import type { Progress } from "../util/progress";
import { silentProgress } from "../util/progress";
import { MAX_EDGES, sortRows, type CsrGraph, type Partition } from "./csr";
import { layerWeightAndMask } from "./layer-weights";
import { buildMgePlan, stepName, type Alignment, type ConvStep, type LinearStep, type MgePlan, type PlanOptions, type Step } from "./plan";

export type WeightPrecision = "float16" | "float32";

/**
 * What the MGE counters read besides the architecture and the masks. Every encoder of this stage
 * takes `(architecture, masks, options)` with the weights here: the masks decide the topology, the
 * weights are an optional extra (edge weights |w|, and the mask of a layer whose mask is absent).
 */
export interface MgeCountOptions extends PlanOptions {
  /** Weights by parameter name; default none: topology only, every edge of weight 1. */
  readonly weights?: WeightMap | null;
}

export interface MgeOptions extends MgeCountOptions {
  /** "float16" (default, as the official code) or "float32". */
  readonly weightPrecision?: WeightPrecision;
  readonly progress?: Progress;
}

export interface LayerEdgeCount {
  /** Module path of the layer (or `<block>.identity`). */
  readonly layer: string;
  readonly role: "conv" | "residual" | "linear" | "identity";
  readonly edges: number;
  readonly sourcePartition: number;
  readonly targetPartition: number;
}

export interface MgeCounts {
  readonly nodes: number;
  readonly edges: number;
  readonly partitions: readonly Partition[];
  readonly edgesPerLayer: readonly LayerEdgeCount[];
  readonly alignment: Alignment;
}

export interface MgeGraph extends CsrGraph {
  readonly alignment: Alignment;
  readonly edgesPerLayer: readonly LayerEdgeCount[];
}

/** Flat nonzero taps of one layer, grouped by output unit (c for convs, o for linears). */
interface Taps {
  /** Taps of output unit c are start[c] .. start[c+1]-1. */
  readonly start: Int32Array;
  /** Node offset of the tap at output position (0, 0), relative to the left base. */
  readonly off: Int32Array;
  /** Valid output rows [rLo, rHi) and columns [qLo, qHi) for this tap. */
  readonly rLo: Int32Array;
  readonly rHi: Int32Array;
  readonly qLo: Int32Array;
  readonly qHi: Int32Array;
  readonly w: Float32Array;
}

/** Valid range [lo, hi) of output index r with 0 ≤ r·s + a − pad < D, r < o. */
function validRange(a: number, s: number, pad: number, D: number, o: number): [number, number] {
  // r·s ≥ pad − a  →  r ≥ ceil((pad − a)/s);  r·s ≤ D − 1 + pad − a  →  r ≤ floor((D − 1 + pad − a)/s).
  const lo = Math.max(0, Math.ceil((pad - a) / s));
  const hi = Math.min(o, Math.floor((D - 1 + pad - a) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

function buildTaps(where: string, step: ConvStep | LinearStep, weights: WeightMap | null, masks: MaskMap | null, precision: WeightPrecision | null): Taps {
  const L = step.left;
  const ps = L.ps;
  const G = L.G;
  let units: number;
  let perUnit: number;
  let shape: number[];
  let k: number;
  let s: number;
  let o: number;
  let pad: number;
  let inOf: (c: number, jj: number) => number;
  if (step.kind === "conv") {
    const l = step.layer;
    units = l.outChannels;
    const cinG = l.inChannels / l.groups;
    k = l.kernel;
    s = l.stride;
    o = step.outSize;
    pad = L.pad;
    perUnit = cinG * k * k;
    shape = [l.outChannels, cinG, k, k];
    const outPerGroup = l.outChannels / l.groups;
    inOf = (c, jj) => Math.floor(c / outPerGroup) * cinG + jj;
  } else {
    const l = step.layer;
    units = l.outFeatures;
    // A linear layer is a conv whose kernel covers the whole logical input grid (D×D), o = 1.
    k = L.D;
    s = 1;
    o = 1;
    pad = 0;
    perUnit = l.inFeatures;
    shape = [l.outFeatures, l.inFeatures];
    inOf = (_c, jj) => jj;
  }
  const kk = step.kind === "conv" ? k * k : L.D * L.D;
  const { w, m } = layerWeightAndMask(where, step.weightName, shape, weights, masks);
  const wd = w ? w.data : null;
  const md = m ? m.data : null;
  const active = (i: number): boolean => (md === null || md[i] !== 0) && (wd === null || wd[i] !== 0);
  let nnz = 0;
  const total = units * perUnit;
  for (let i = 0; i < total; i++) if (active(i)) nnz++;
  const start = new Int32Array(units + 1);
  const off = new Int32Array(nnz);
  const rLo = new Int32Array(nnz);
  const rHi = new Int32Array(nnz);
  const qLo = new Int32Array(nnz);
  const qHi = new Int32Array(nnz);
  const wt = new Float32Array(nnz);
  const ranges: [number, number][] = [];
  for (let a = 0; a < k; a++) ranges.push(validRange(a, s, pad, L.D, o));
  let t = 0;
  for (let c = 0; c < units; c++) {
    start[c] = t;
    for (let i = c * perUnit, jj = 0; jj < perUnit / kk; jj++) {
      const j = inOf(c, jj);
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++, i++) {
          if (!active(i)) continue;
          off[t] = j * G * G + (a - pad) * ps * G + (b - pad) * ps;
          rLo[t] = ranges[a][0];
          rHi[t] = ranges[a][1];
          qLo[t] = ranges[b][0];
          qHi[t] = ranges[b][1];
          const v = wd ? Math.abs(wd[i]) : 1;
          wt[t] = precision === "float16" ? roundToFloat16(v) : v;
          t++;
        }
      }
    }
  }
  start[units] = t;
  return { start, off, rLo, rHi, qLo, qHi, w: wt };
}

/** Edges a layer produces, from its taps alone: Σ (valid rows × valid cols) × window. O(nnz). */
function countTaps(taps: Taps, pk: number): number {
  let e = 0;
  const n = taps.off.length;
  for (let t = 0; t < n; t++) e += (taps.rHi[t] - taps.rLo[t]) * (taps.qHi[t] - taps.qLo[t]);
  return e * pk * pk;
}

/**
 * One pass over a layer's edges in target order. `fill` false: increments out-degrees in
 * `deg[node + 1]`; true: writes targets/weights at `cursor[node]++`.
 */
function runLayer(
  step: ConvStep | LinearStep,
  taps: Taps,
  fill: boolean,
  deg: Int32Array,
  targets: Int32Array,
  weights: Float32Array,
): void {
  const L = step.left;
  const G = L.G;
  const pk = L.pk;
  const base = L.base;
  const o = step.kind === "conv" ? step.outSize : 1;
  const s = step.kind === "conv" ? step.layer.stride : 1;
  const rowStep = s * L.ps * G;
  const colStep = s * L.ps;
  const units = taps.start.length - 1;
  const { start, off, rLo, rHi, qLo, qHi, w } = taps;
  let tgt = step.tgtBase;
  for (let c = 0; c < units; c++) {
    const t0 = start[c];
    const t1 = start[c + 1];
    if (t0 === t1) {
      tgt += o * o;
      continue;
    }
    for (let r = 0; r < o; r++) {
      for (let q = 0; q < o; q++, tgt++) {
        const pos = base + r * rowStep + q * colStep;
        for (let t = t0; t < t1; t++) {
          if (r < rLo[t] || r >= rHi[t] || q < qLo[t] || q >= qHi[t]) continue;
          const node = pos + off[t];
          if (pk === 1) {
            if (fill) {
              const slot = deg[node]++;
              targets[slot] = tgt;
              weights[slot] = w[t];
            } else deg[node + 1]++;
          } else {
            for (let u = 0; u < pk; u++) {
              for (let v = 0; v < pk; v++) {
                const nd = node + u * G + v;
                if (fill) {
                  const slot = deg[nd]++;
                  targets[slot] = tgt;
                  weights[slot] = w[t];
                } else deg[nd + 1]++;
              }
            }
          }
        }
      }
    }
  }
}

function checkLayerTargets(where: string, plan: MgePlan, step: Step, taps: Taps | null): void {
  // Every target must be a node of the graph (the official add_all_residual would drop such a shortcut silently).
  const n = plan.numNodes;
  const lo = step.tgtBase;
  const hi = step.kind === "identity" ? step.tgtBase + step.count : step.tgtBase + (taps ? taps.start.length - 1 : 0) * (step.kind === "conv" ? step.outSize * step.outSize : 1);
  if (lo < 0 || hi > n) throw new Error(`${where}: layer ${stepName(step)}: its targets ${lo}..${hi - 1} fall outside the ${n} nodes`);
}

function prepare(spec: ArchSpec, weights: WeightMap | null, masks: MaskMap | null, options: MgeOptions, precision: WeightPrecision | null) {
  const where = `encoding/mge: ${spec.name}`;
  if (!weights && !masks) throw new Error(`${where}: need weights or masks`);
  const plan = buildMgePlan(spec, options);
  const taps: (Taps | null)[] = plan.steps.map((st) => (st.kind === "identity" ? null : buildTaps(where, st, weights, masks, precision)));
  const perLayer: LayerEdgeCount[] = plan.steps.map((st, i) => {
    const t = taps[i];
    const edges = st.kind === "identity" ? st.count : countTaps(t as Taps, st.left.pk);
    checkLayerTargets(where, plan, st, t);
    return {
      layer: stepName(st),
      role: st.kind === "identity" ? "identity" : st.kind === "linear" ? "linear" : st.role,
      edges,
      sourcePartition: st.srcPartition,
      targetPartition: st.tgtPartition,
    };
  });
  const edges = perLayer.reduce((a, l) => a + l.edges, 0);
  return { where, plan, taps, perLayer, edges };
}

/**
 * Nodes, edges, partitions and per-layer edge counts of the MGE without building it: O(nnz) time,
 * O(nnz) memory. `masks` (or, where a mask is absent, `weights ≠ 0`) decide which weights exist.
 * @example
 *   const { nodes, edges, edgesPerLayer } = countMge(spec, net.masks);
 * @throws as encodeMge, except for the CSR size limit.
 */
export function countMge(spec: ArchSpec, masks: MaskMap | null, options: MgeCountOptions = {}): MgeCounts {
  const { plan, perLayer, edges } = prepare(spec, options.weights ?? null, masks, options, null);
  return { nodes: plan.numNodes, edges, partitions: plan.partitions, edgesPerLayer: perLayer, alignment: plan.alignment };
}

/**
 * Builds the MGE as a CSR graph. `options.weights` absent = topology only (weight 1); `masks` null =
 * mask from weights ≠ 0 (then `options.weights` is required).
 * @example
 *   const spec = buildArchitecture("resnet20");
 *   const net = loadNetwork("resnet-20_er_0.9.safetensors", spec);
 *   const mge = encodeMge(spec, net.masks, { weights: net.weights });   // CsrGraph with partitions
 * @throws when neither weight nor mask is given for a layer, one has another shape than the spec,
 *   or the graph exceeds the Int32 CSR limit (2^31 − 1 edges).
 */
export function encodeMge(spec: ArchSpec, masks: MaskMap | null, options: MgeOptions = {}): MgeGraph {
  const precision = checkPrecision(options.weightPrecision);
  const { where, plan, taps, perLayer, edges } = prepare(spec, options.weights ?? null, masks, options, precision);
  const g = fillCsr(where, plan.numNodes, plan.partitions, plan.steps, taps, perLayer, edges, options.progress);
  return { ...g, alignment: plan.alignment, edgesPerLayer: perLayer };
}

export function checkPrecision(p: WeightPrecision | undefined): WeightPrecision {
  const precision = p ?? "float16";
  if (precision !== "float16" && precision !== "float32") throw new Error(`encoding/mge: unknown weightPrecision '${String(precision)}' (float16 | float32)`);
  return precision;
}

/** The two passes (count, fill) over a list of steps; see the module comment. */
function fillCsr(
  where: string,
  n: number,
  partitions: readonly Partition[],
  steps: readonly Step[],
  taps: readonly (Taps | null)[],
  perLayer: readonly LayerEdgeCount[],
  edges: number,
  progressSink?: Progress,
): CsrGraph {
  if (edges > MAX_EDGES) throw new Error(`${where}: ${edges} edges exceed the CSR limit of ${MAX_EDGES}`);
  const progress = progressSink ?? silentProgress;
  const offsets = new Int32Array(n + 1);
  const targets = new Int32Array(edges);
  const wts = new Float32Array(edges);
  const total = 2 * edges;
  let done = 0;
  // Pass 1: out-degrees into offsets[v + 1].
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i];
    progress.update(done, total, `count ${stepName(st)}`);
    if (st.kind === "identity") for (let v = 0; v < st.count; v++) offsets[st.srcBase + v + 1]++;
    else runLayer(st, taps[i] as Taps, false, offsets, targets, wts);
    done += perLayer[i].edges;
  }
  for (let v = 0; v < n; v++) offsets[v + 1] += offsets[v];
  if (offsets[n] !== edges) throw new Error(`${where}: internal error: counted ${offsets[n]} edges, expected ${edges}`);
  // Pass 2: fill, using a cursor copy of the offsets.
  const cursor = offsets.slice(0, n);
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i];
    progress.update(done, total, `fill ${stepName(st)}`);
    if (st.kind === "identity") {
      for (let v = 0; v < st.count; v++) {
        const slot = cursor[st.srcBase + v]++;
        targets[slot] = st.tgtBase + v;
        wts[slot] = 1;
      }
    } else runLayer(st, taps[i] as Taps, true, cursor, targets, wts);
    done += perLayer[i].edges;
  }
  // Rows are sorted by construction; sortRows only touches unsorted rows (one O(E) check otherwise),
  // a safety net for shortcut targets interleaving with main targets under unusual layouts.
  sortRows(offsets, targets, wts);
  progress.finish(`${n} nodes, ${edges} edges`);
  return { numNodes: n, numEdges: edges, offsets, targets, weights: wts, partitions };
}

/** As the whole-network encoders' `(architecture, masks, { weights })`, for one layer's tensors. */
export interface UnrolledLayerOptions {
  /** The layer's weight; default none: topology only, every edge of weight 1. */
  readonly weight?: HostTensor | null;
  /** Keep the padding nodes on the left (default true, as §1.3) or drop them with their edges. */
  readonly keepPadding?: boolean;
  readonly weightPrecision?: WeightPrecision;
}

/**
 * The unrolled, input-aware bipartite graph of one conv layer (reference-notes §1.3): left nodes
 * c_in·P² (padded input; P trimmed to (o−1)·s + k when (P − k)/s is fractional), or c_in·I² with
 * `keepPadding: false`; right nodes c_out·o²; an edge (j, r·s + a, q·s + b) → (c, r, q) per nonzero
 * tap. Depthwise convs connect channel j to its own outputs only. O(E + o²·nnz) time.
 */
export function encodeUnrolledLayer(layer: Conv2dSpec, inputSize: number, mask: HostMask | null, options: UnrolledLayerOptions = {}): CsrGraph {
  const weight = options.weight ?? null;
  const where = `encoding/unrolled: ${layer.name}`;
  const precision = checkPrecision(options.weightPrecision);
  const keep = options.keepPadding ?? true;
  const { kernel: k, stride: s, padding: p } = layer;
  if (layer.groups !== 1 && layer.groups !== layer.inChannels) throw new Error(`${where}: groups=${layer.groups} is not supported (1 or depthwise)`);
  const o = Math.floor((inputSize + 2 * p - k) / s) + 1;
  if (!(o >= 1)) throw new Error(`${where}: input ${inputSize} too small for kernel ${k}, padding ${p}`);
  let P = inputSize + 2 * p;
  if ((P - k) % s !== 0) P = (o - 1) * s + k;
  const side = keep ? P : inputSize;
  const leftN = layer.inChannels * side * side;
  const partitions: Partition[] = [
    { name: "left", start: 0, size: leftN, channels: layer.inChannels, height: side, width: side },
    { name: "right", start: leftN, size: layer.outChannels * o * o, channels: layer.outChannels, height: o, width: o },
  ];
  const step: ConvStep = {
    kind: "conv", layer, weightName: `${layer.name}.weight`, role: layer.role, outSize: o,
    left: { base: 0, channels: layer.inChannels, D: side, G: side, pad: keep ? 0 : p, pk: 1, ps: 1 },
    tgtBase: leftN, srcPartition: 0, tgtPartition: 1,
  };
  const wm: WeightMap | null = weight ? new Map([[step.weightName, weight]]) : null;
  const mm: MaskMap | null = mask ? new Map([[step.weightName, mask]]) : null;
  const taps = buildTaps(where, step, wm, mm, precision);
  const edges = countTaps(taps, 1);
  const per: LayerEdgeCount[] = [{ layer: layer.name, role: layer.role, edges, sourcePartition: 0, targetPartition: 1 }];
  return fillCsr(where, leftN + layer.outChannels * o * o, partitions, [step], [taps], per, edges);
}
