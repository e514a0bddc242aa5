/**
 * The layout of a multipartite graph encoding (MGE, reference-notes §1.5–1.6, Appendix B): the
 * partitions (input layer with its padding nodes, one per conv/linear output) and, for every
 * parametric layer, how its weights map to edges between node indices. Shared by `encodeMge`
 * (materialises the CSR) and `countMge` (counts without materialising).
 *
 * Every layer's edges follow one formula. A weight tap (c, j, a, b) of a conv with stride s and
 * output size o gives, for each output position (r, q), an edge
 *   source = base + j·G² + ((r·s + a − pad)·ps + u)·G + (q·s + b − pad)·ps + v   for u, v < pk
 *   target = tgtBase + c·o² + r·o + q
 * when 0 ≤ r·s + a − pad < D and 0 ≤ q·s + b − pad < D. `D` is the side of the layer's logical
 * input grid, `G` the side of the grid its source partition stores, (pk, ps) a pooling window folded
 * into the layer (pooled nodes are not materialised: each window node gets the pooled node's edges,
 * §1.5). A linear layer is the same with o = 1, k = D and no padding (flatten order = channel-major).
 *
 * Alignments:
 * - `reference` reproduces the official builder's node indexing (§1.6, Appendix B.1): the input
 *   partition holds the padded input (trimmed to P = (o−1)·s + k when (P − k)/s is fractional); a conv
 *   fed by a partition sees a grid of side D = P − 2p laid over that partition by index, and its
 *   outputs start at base + c_in·D² — so at a stride-2 3×3 conv on an even map D = I − 1, the last
 *   real row/column is dropped and the next partition is shifted back by c_in·(2I − 1) nodes
 *   (intra-partition edges, structural sources and sinks). Projection shortcuts go from the block
 *   input partition p to p + w, w = number of convs in the block body (the official
 *   `window_residual`: 2 in the ResNet/WRN BasicBlocks, 3 in MobileNetV2's inverted residuals).
 *   The released code only recognises ResNet/WRN blocks and ships no MobileNetV2; that the paper's
 *   MobileNetV2 graphs include the shortcut edges is inferred from its data: layer-wise uniform
 *   masks give 18.15 / 9.07 / 4.54 M edges at sparsity 0.8 / 0.9 / 0.95 with them, 17.72 / 8.86 /
 *   4.43 M without, against 18.14 / 9.04 / 4.53 M (seed means) in unrolled.csv.
 * - `exact` is the spatially correct wiring: D = I, padding removed exactly, each layer's outputs
 *   form their own partition, every projection shortcut encoded (block input → block output).
 * Node counts and partition sizes are identical in both. A node's (channel, row, col) from its
 * partition's shape is its true position in `exact`; in `reference` it is the nominal position
 * (the official indexing shifts the layers after a stride-2 conv, see above).
 *
 * Where the official builder fails or drops layers, both alignments encode the network plainly
 * (documented, not reproduced): a first conv followed directly by pooling (the official code never
 * adds the first layer's graph and then crashes), and a linear layer fed by a conv through a plain
 * flatten without pooling (the official code computes but never appends that layer). Pooling is
 * reproduced exactly for windows that tile the map (k = s dividing the side, as in Conv-6 and the
 * global pools); other windows follow PyTorch's floor mode.
 *
 * Building the plan is O(layers); it validates the spec (shapes, supported pooling) first.
 */
import type { ArchSpec, Conv2dSpec, LayerSpec, LinearSpec, ResidualSpec } from "../nn/spec";
import { inferShapes, convOutputSize } from "../nn/shapes";
import type { Partition } from "./csr";

export type Alignment = "reference" | "exact";

export interface PlanOptions {
  /** Default "reference" (reproduces the paper's graphs). */
  readonly alignment?: Alignment;
  /** Add identity shortcuts as edges (c, y, x) → (c, y, x) of weight 1 (default false: the paper has none). */
  readonly identityShortcuts?: boolean;
}

/** How a layer's left side maps onto nodes (see the module comment). */
export interface LeftMap {
  readonly base: number;
  /** Channels of the logical input. */
  readonly channels: number;
  /** Side of the logical input grid: valid positions 0 ≤ y, x < D. */
  readonly D: number;
  /** Side of the grid stored in the source partition (node index stride). */
  readonly G: number;
  readonly pad: number;
  /** Folded pooling window (1, 1 for none). */
  readonly pk: number;
  readonly ps: number;
}

export interface ConvStep {
  readonly kind: "conv";
  readonly layer: Conv2dSpec;
  readonly weightName: string;
  readonly role: "conv" | "residual";
  readonly left: LeftMap;
  readonly outSize: number;
  readonly tgtBase: number;
  readonly srcPartition: number;
  readonly tgtPartition: number;
}

export interface LinearStep {
  readonly kind: "linear";
  readonly layer: LinearSpec;
  readonly weightName: string;
  /** Features i = c·D² + y·D + x of the logical input, mapped as for a conv. */
  readonly left: LeftMap;
  readonly tgtBase: number;
  readonly srcPartition: number;
  readonly tgtPartition: number;
}

export interface IdentityStep {
  readonly kind: "identity";
  readonly name: string;
  readonly srcBase: number;
  readonly tgtBase: number;
  readonly count: number;
  readonly srcPartition: number;
  readonly tgtPartition: number;
}

export type Step = ConvStep | LinearStep | IdentityStep;

export interface MgePlan {
  readonly spec: ArchSpec;
  readonly alignment: Alignment;
  readonly partitions: Partition[];
  readonly numNodes: number;
  /** Main-path steps first (in layer order), then shortcut steps; see encodeMge for why. */
  readonly steps: Step[];
}

interface State {
  /** Partition holding the current activations, -1 before the first parametric layer. */
  part: number;
  C: number;
  H: number;
  /** Pending pooling folded into the next parametric layer. */
  pool: { pk: number; ps: number; out: number } | null;
  flat: boolean;
}

export function buildMgePlan(spec: ArchSpec, options: PlanOptions = {}): MgePlan {
  const alignment = options.alignment ?? "reference";
  if (alignment !== "reference" && alignment !== "exact") throw new Error(`encoding/mge: unknown alignment '${String(alignment)}' (reference | exact)`);
  const where = `encoding/mge: ${spec.name}`;
  inferShapes(spec);
  const ref = alignment === "reference";
  const partitions: Partition[] = [];
  const main: Step[] = [];
  const shortcuts: Step[] = [];
  let next = 0;
  const addPartition = (name: string, channels: number, height: number, width: number): number => {
    const size = channels * height * width;
    partitions.push({ name, start: next, size, channels, height, width });
    next += size;
    return partitions.length - 1;
  };
  const st: State = { part: -1, C: spec.inputChannels, H: spec.inputSize, pool: null, flat: false };

  const leftOf = (layerName: string): { left: LeftMap; refTgt: number } => {
    const p = partitions[st.part];
    if (st.pool) {
      const { pk, ps, out } = st.pool;
      const maxNode = (st.C - 1) * st.H * st.H + ((out - 1) * ps + pk - 1) * st.H + (out - 1) * ps + pk - 1;
      return { left: { base: p.start, channels: st.C, D: out, G: st.H, pad: 0, pk, ps }, refTgt: p.start + maxNode + 1 };
    }
    if (p.size !== st.C * st.H * st.H) throw new Error(`${where}: layer ${layerName}: internal size mismatch`);
    return { left: { base: p.start, channels: st.C, D: st.H, G: st.H, pad: 0, pk: 1, ps: 1 }, refTgt: p.start + p.size };
  };

  const conv = (l: Conv2dSpec, weightName: string): void => {
    const k = l.kernel;
    const s = l.stride;
    const pad = l.padding;
    if (st.flat) throw new Error(`${where}: conv ${l.name} after a flatten is not supported`);
    if (st.part < 0) {
      // First layer: the input partition keeps its padding nodes (§1.5).
      const o = convOutputSize(st.H, k, s, pad);
      let P = st.H + 2 * pad;
      if (ref && (P - k) % s !== 0) P = (o - 1) * s + k;
      const inPart = addPartition("input", st.C, P, P);
      const outPart = addPartition(l.name, l.outChannels, o, o);
      main.push({
        kind: "conv", layer: l, weightName, role: l.role, outSize: o,
        left: { base: partitions[inPart].start, channels: st.C, D: P, G: P, pad: 0, pk: 1, ps: 1 },
        tgtBase: ref ? partitions[inPart].start + st.C * P * P : partitions[outPart].start,
        srcPartition: inPart, tgtPartition: outPart,
      });
      st.part = outPart;
      st.C = l.outChannels;
      st.H = o;
      return;
    }
    const { left, refTgt } = leftOf(l.name);
    const I = left.D;
    const o = convOutputSize(I, k, s, pad);
    let D = I;
    let tgtRef = refTgt;
    if (ref && !st.pool) {
      // Official feature_map_size + remove_padding (§1.6.1): trimmed padded side, symmetric frame removed.
      let P = I + 2 * pad;
      if ((P - k) % s !== 0) P = (o - 1) * s + k;
      D = P - 2 * pad;
      tgtRef = left.base + st.C * D * D;
    }
    const outPart = addPartition(l.name, l.outChannels, o, o);
    main.push({
      kind: "conv", layer: l, weightName, role: l.role, outSize: o,
      // Without pooling the grid read is D wide (D < I only for the reference's trimmed stride-2 case).
      left: { ...left, D, G: st.pool ? left.G : D, pad },
      tgtBase: ref ? tgtRef : partitions[outPart].start,
      srcPartition: st.part, tgtPartition: outPart,
    });
    st.part = outPart;
    st.C = l.outChannels;
    st.H = o;
    st.pool = null;
  };

  const linear = (l: LinearSpec, weightName: string): void => {
    if (st.part < 0) {
      const inPart = st.flat && st.H > 1
        ? addPartition("input", st.C, st.H, st.H)
        : addPartition("input", l.inFeatures, 1, 1);
      st.part = inPart;
      if (partitions[inPart].size !== l.inFeatures) throw new Error(`${where}: linear ${l.name} expects ${l.inFeatures} inputs, the input has ${partitions[inPart].size}`);
    }
    const { left, refTgt } = leftOf(l.name);
    const feats = left.channels * left.D * left.D;
    if (feats !== l.inFeatures) throw new Error(`${where}: linear ${l.name} expects ${l.inFeatures} input features, its input has ${feats}`);
    const outPart = addPartition(l.name, l.outFeatures, 1, 1);
    main.push({
      kind: "linear", layer: l, weightName, left,
      tgtBase: ref ? refTgt : partitions[outPart].start,
      srcPartition: st.part, tgtPartition: outPart,
    });
    st.part = outPart;
    st.C = l.outFeatures;
    st.H = 1;
    st.pool = null;
  };

  const walk = (layers: readonly LayerSpec[]): void => {
    for (const l of layers) {
      switch (l.kind) {
        case "conv2d":
          conv(l, `${l.name}.weight`);
          break;
        case "linear":
          linear(l, `${l.name}.weight`);
          break;
        case "maxpool":
        case "avgpool": {
          if (st.pool) throw new Error(`${where}: two pooling layers in a row are not supported`);
          if (l.padding !== 0) throw new Error(`${where}: ${l.kind} with padding ${l.padding} is not supported by the MGE`);
          if (st.part < 0) throw new Error(`${where}: pooling before the first parametric layer is not supported`);
          st.pool = { pk: l.kernel, ps: l.stride, out: convOutputSize(st.H, l.kernel, l.stride, 0) };
          break;
        }
        case "globalavgpool":
          if (st.pool) throw new Error(`${where}: two pooling layers in a row are not supported`);
          if (st.part < 0) throw new Error(`${where}: pooling before the first parametric layer is not supported`);
          st.pool = { pk: st.H, ps: st.H, out: 1 };
          break;
        case "flatten":
          st.flat = true;
          break;
        case "residual":
          block(l);
          break;
        default:
          break;
      }
    }
  };

  const block = (b: ResidualSpec): void => {
    for (const l of b.pre) if (l.kind !== "batchnorm" && l.kind !== "relu" && l.kind !== "relu6") throw new Error(`${where}: block ${b.name}: only BN/ReLU are supported before the branches, got ${l.kind}`);
    if (st.part < 0) throw new Error(`${where}: block ${b.name} before the first parametric layer is not supported`);
    if (st.pool) throw new Error(`${where}: block ${b.name} directly after a pooling layer is not supported`);
    const inPart = st.part;
    const inC = st.C;
    const inH = st.H;
    const bodyConvs = b.body.filter((l) => l.kind === "conv2d").length;
    if (bodyConvs === 0 || b.body.some((l) => l.kind === "linear" || l.kind === "residual" || l.kind === "maxpool" || l.kind === "avgpool" || l.kind === "globalavgpool" || l.kind === "flatten")) {
      throw new Error(`${where}: block ${b.name}: the body must be convs with BN/ReLU only`);
    }
    walk(b.body);
    const outPart = st.part;
    const scConvs = b.shortcut.filter((l): l is Conv2dSpec => l.kind === "conv2d");
    if (b.shortcut.some((l) => l.kind !== "conv2d" && l.kind !== "batchnorm" && l.kind !== "relu" && l.kind !== "relu6")) {
      throw new Error(`${where}: block ${b.name}: the shortcut may hold one conv with BN only`);
    }
    if (scConvs.length > 1) throw new Error(`${where}: block ${b.name}: shortcuts with ${scConvs.length} convs are not supported`);
    const src = partitions[inPart];
    const tgt = partitions[outPart];
    if (scConvs.length === 1) {
      const l = scConvs[0];
      const o = convOutputSize(inH, l.kernel, l.stride, l.padding);
      if (l.outChannels * o * o !== tgt.size) throw new Error(`${where}: block ${b.name}: shortcut ${l.name} gives ${l.outChannels}×${o}×${o}, the body ${tgt.channels}×${tgt.height}×${tgt.width}`);
      // Official add_all_residual with window w = number of body convs:
      // target = start(p) + (shortcut's own left count) + dim[p + 1] + … + dim[p + w − 1].
      let refTgt = src.start + inC * inH * inH;
      for (let i = 1; i < bodyConvs; i++) refTgt += partitions[inPart + i].size;
      shortcuts.push({
        kind: "conv", layer: l, weightName: `${l.name}.weight`, role: "residual", outSize: o,
        left: { base: src.start, channels: inC, D: inH, G: inH, pad: l.padding, pk: 1, ps: 1 },
        tgtBase: ref ? refTgt : tgt.start,
        srcPartition: inPart, tgtPartition: outPart,
      });
    } else if (options.identityShortcuts) {
      if (src.size !== tgt.size || inC !== tgt.channels) throw new Error(`${where}: block ${b.name}: identity shortcut between ${inC}×${inH}×${inH} and ${tgt.channels}×${tgt.height}×${tgt.width}`);
      shortcuts.push({ kind: "identity", name: `${b.name}.identity`, srcBase: src.start, tgtBase: tgt.start, count: src.size, srcPartition: inPart, tgtPartition: outPart });
    }
  };

  walk(spec.layers);
  if (st.part < 0) throw new Error(`${where}: no parametric layer`);
  if (st.pool) throw new Error(`${where}: the network ends with a pooling layer`);
  return { spec, alignment, partitions, numNodes: next, steps: [...main, ...shortcuts] };
}

/** Name of the weight a step reads, or null for identity shortcuts. */
export function stepWeightName(s: Step): string | null {
  return s.kind === "identity" ? null : s.weightName;
}

/** Display name of a step (layer module path). */
export function stepName(s: Step): string {
  return s.kind === "identity" ? s.name : s.layer.name;
}
