/**
 * Per-layer bipartite graph encodings (BGE) of the sparse layers, the baselines the paper compares
 * the MGE against (official `Rolled_GE` and `Rolled_Channel_GE`):
 * - rolled (reference-notes §1.1; Hoang et al., ICLR 2023): the weight (c_out, c_in/g, k, k) is read
 *   as a (c_out, c_in/g·k²) matrix; left nodes = its columns (index j·k² + a·k + b), right = c_out;
 *   one edge per nonzero, weight |w|.
 * - rolled-channel (§1.2; Prabhu et al., ECCV 2018): left c_in, right c_out; an edge j → c iff the
 *   k×k kernel W[c, j] has a nonzero, weighted by the kernel's L2 norm; depthwise layers give j → j.
 * Linear layers are in → out, one edge per nonzero, in both (§1.4).
 * Weights are rounded to float16 as the official code does, unless `weightPrecision: "float32"`.
 * Edges exist where mask = 1 and w ≠ 0. O(numel(W)) time per layer.
 */
import type { Architecture } from "../nn/architecture";
import { isDagSpec } from "../nn/dag";
import type { MaskMap, WeightMap } from "../nn/tensors";
import { numel } from "../nn/tensors";
import { forEachLeafLayer } from "../nn/architectures";
import { roundToFloat16 } from "../io/float16";
import type { CsrGraph, Partition } from "./csr";
import { layerWeightAndMask } from "./layer-weights";
import { checkPrecision, type WeightPrecision } from "./mge";

/** As the MGE encoders' options (`(architecture, masks, { weights, … })`), without the MGE's plan options. */
export interface BgeOptions {
  /** Weights by parameter name; default none: topology only, every edge of weight 1. */
  readonly weights?: WeightMap | null;
  readonly weightPrecision?: WeightPrecision;
}

export interface LayerGraph {
  /** Module path of the layer. */
  readonly layer: string;
  readonly role: "conv" | "residual" | "linear";
  readonly graph: CsrGraph;
}

/** A conv or linear layer of either kind of architecture, as the BGEs need it. */
interface Param {
  readonly kind: "conv2d" | "linear";
  readonly name: string;
  readonly weight: string;
  readonly role: "conv" | "residual" | "linear";
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly kh: number;
  readonly kw: number;
}

function paramLayers(arch: Architecture): Param[] {
  if (isDagSpec(arch)) {
    const out: Param[] = [];
    for (const n of arch.nodes) {
      const op = n.op;
      if (op.kind === "conv2d") out.push({ kind: "conv2d", name: n.name, weight: op.weight, role: op.role, inChannels: op.inChannels, outChannels: op.outChannels, groups: op.groups, kh: op.kernel[0], kw: op.kernel[1] });
      else if (op.kind === "linear") out.push({ kind: "linear", name: n.name, weight: op.weight, role: "linear", inChannels: op.inFeatures, outChannels: op.outFeatures, groups: 1, kh: 1, kw: 1 });
    }
    return out;
  }
  const out: Param[] = [];
  forEachLeafLayer(arch.layers, (l) => {
    if (l.kind === "conv2d") out.push({ kind: "conv2d", name: l.name, weight: `${l.name}.weight`, role: l.role, inChannels: l.inChannels, outChannels: l.outChannels, groups: l.groups, kh: l.kernel, kw: l.kernel });
    else if (l.kind === "linear") out.push({ kind: "linear", name: l.name, weight: `${l.name}.weight`, role: "linear", inChannels: l.inFeatures, outChannels: l.outFeatures, groups: 1, kh: 1, kw: 1 });
  });
  return out;
}

/** Flat active flags and |w| of a layer's weight, checked against its shape. */
function layerData(where: string, name: string, shape: number[], weights: WeightMap | null, masks: MaskMap | null): { active: Uint8Array; absw: Float32Array | null } {
  const { w, m } = layerWeightAndMask(where, name, shape, weights, masks);
  const n = numel(shape);
  const active = new Uint8Array(n);
  for (let i = 0; i < n; i++) active[i] = (m === null || m.data[i] !== 0) && (w === null || w.data[i] !== 0) ? 1 : 0;
  let absw: Float32Array | null = null;
  if (w) {
    absw = new Float32Array(n);
    for (let i = 0; i < n; i++) absw[i] = Math.abs(w.data[i]);
  }
  return { active, absw };
}

/** Bipartite CSR from a dense (rows = right units, cols = left nodes) activity matrix; rows of the CSR are left nodes. */
function bipartite(leftN: number, rightN: number, value: (c: number, i: number) => number, present: (c: number, i: number) => boolean, left: Omit<Partition, "start" | "size">, right: Omit<Partition, "start" | "size">): CsrGraph {
  const offsets = new Int32Array(leftN + rightN + 1);
  for (let c = 0; c < rightN; c++) for (let i = 0; i < leftN; i++) if (present(c, i)) offsets[i + 1]++;
  for (let v = 0; v < leftN + rightN; v++) offsets[v + 1] += offsets[v];
  const m = offsets[leftN + rightN];
  const targets = new Int32Array(m);
  const weights = new Float32Array(m);
  const cursor = offsets.slice(0, leftN);
  // c ascending outside, so every row's targets come out ascending.
  for (let c = 0; c < rightN; c++) {
    for (let i = 0; i < leftN; i++) {
      if (!present(c, i)) continue;
      const slot = cursor[i]++;
      targets[slot] = leftN + c;
      weights[slot] = value(c, i);
    }
  }
  return {
    numNodes: leftN + rightN,
    numEdges: m,
    offsets,
    targets,
    weights,
    partitions: [
      { ...left, start: 0, size: leftN },
      { ...right, start: leftN, size: rightN },
    ],
  };
}

function shapeOf(l: Param): number[] {
  return l.kind === "conv2d" ? [l.outChannels, l.inChannels / l.groups, l.kh, l.kw] : [l.outChannels, l.inChannels];
}

function round(precision: WeightPrecision): (x: number) => number {
  return precision === "float16" ? roundToFloat16 : Math.fround;
}

/** Rolled BGE of every conv (incl. shortcut) and linear layer, in layer order. */
export function encodeRolledBge(spec: Architecture, masks: MaskMap | null, options: BgeOptions = {}): LayerGraph[] {
  const where = `encoding/bge: ${spec.name}`;
  const rnd = round(checkPrecision(options.weightPrecision));
  return paramLayers(spec).map((l) => {
    const shape = shapeOf(l);
    const { active, absw } = layerData(where, l.weight, shape, options.weights ?? null, masks);
    const rightN = shape[0];
    const leftN = numel(shape) / rightN;
    const left = l.kind === "conv2d"
      ? { name: "left", channels: shape[1], height: l.kh, width: l.kw }
      : { name: "left", channels: leftN, height: 1, width: 1 };
    const graph = bipartite(
      leftN,
      rightN,
      (c, i) => (absw ? rnd(absw[c * leftN + i]) : 1),
      (c, i) => active[c * leftN + i] === 1,
      left,
      { name: "right", channels: rightN, height: 1, width: 1 },
    );
    return { layer: l.name, role: l.kind === "linear" ? "linear" : l.role, graph };
  });
}

/** Rolled-channel BGE of every conv (incl. shortcut) and linear layer, in layer order. */
export function encodeRolledChannelBge(spec: Architecture, masks: MaskMap | null, options: BgeOptions = {}): LayerGraph[] {
  const where = `encoding/bge: ${spec.name}`;
  const rnd = round(checkPrecision(options.weightPrecision));
  return paramLayers(spec).map((l) => {
    const shape = shapeOf(l);
    const { active, absw } = layerData(where, l.weight, shape, options.weights ?? null, masks);
    if (l.kind === "linear") {
      const inF = l.inChannels;
      const graph = bipartite(
        inF,
        l.outChannels,
        (c, i) => (absw ? rnd(absw[c * inF + i]) : 1),
        (c, i) => active[c * inF + i] === 1,
        { name: "left", channels: inF, height: 1, width: 1 },
        { name: "right", channels: l.outChannels, height: 1, width: 1 },
      );
      return { layer: l.name, role: "linear" as const, graph };
    }
    const cin = l.inChannels;
    const cout = l.outChannels;
    const cinG = cin / l.groups;
    const outPerGroup = cout / l.groups;
    const kk = l.kh * l.kw;
    // Kernel (c, j) occupies W[c, jj] with jj = j − group(c)·cinG; other j have no kernel.
    const kernelIndex = (c: number, j: number): number => {
      const jj = j - Math.floor(c / outPerGroup) * cinG;
      return jj >= 0 && jj < cinG ? (c * cinG + jj) * kk : -1;
    };
    const present = (c: number, j: number): boolean => {
      const b = kernelIndex(c, j);
      if (b < 0) return false;
      for (let t = 0; t < kk; t++) if (active[b + t] === 1) return true;
      return false;
    };
    const value = (c: number, j: number): number => {
      if (!absw) return 1;
      const b = kernelIndex(c, j);
      let s = 0;
      for (let t = 0; t < kk; t++) if (active[b + t] === 1) s += absw[b + t] * absw[b + t];
      return rnd(Math.fround(Math.sqrt(s)));
    };
    const graph = bipartite(
      cin,
      cout,
      value,
      present,
      { name: "left", channels: cin, height: 1, width: 1 },
      { name: "right", channels: cout, height: 1, width: 1 },
    );
    return { layer: l.name, role: l.role, graph };
  });
}
