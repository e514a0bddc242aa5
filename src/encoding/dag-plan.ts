/**
 * The layout of the general MGE of a DAG (`exact` alignment; semantics in ./dag-mge.ts and
 * ./general-mge.md): its node sets (partitions), what every tensor of the network is in terms of
 * node sets (a `Value`), and the writers of every node set (the parametric layers, plus the identity
 * shortcuts when asked for). O(nodes + Σ map sizes); the maps are per spatial axis, so at most a few
 * thousand entries for ImageNet-size inputs.
 */
import {
  dagConsumers,
  inferDagShapes,
  isIdentityLike,
  isParametric,
  type DagConv,
  type DagLinear,
  type DagSpec,
  type TensorShape,
} from "../nn/dag";
import type { Partition } from "./csr";

/**
 * A sparse 0/count matrix from the positions of a value along one axis to the positions of a node
 * set along the same axis: value index i reads set indices idx[off[i]..off[i+1]) with multiplicities
 * cnt (the number of pooling-window paths from the set position to i).
 */
export interface AxisMap {
  readonly len: number;
  readonly off: Int32Array;
  readonly idx: Int32Array;
  readonly cnt: Float64Array;
  /** True when i ↦ i (len = set side), the fast path of the encoder. */
  readonly identity: boolean;
}

/** Channels [c0, c0 + n) of a value are channels [setC0, setC0 + n) of node set `set`, spatially through rows × cols. */
export interface Segment {
  readonly c0: number;
  readonly n: number;
  readonly set: number;
  readonly setC0: number;
  readonly rows: AxisMap;
  readonly cols: AxisMap;
}

/** A tensor of the network seen from the node sets. `flat`: the tensor is [C·H·W] (flatten order). */
export interface Value {
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly flat: boolean;
  readonly segments: readonly Segment[];
}

/** A layer writing into a node set: a conv (a linear is a conv whose kernel covers the whole grid) or an identity shortcut. */
export interface DagWriter {
  readonly kind: "conv" | "linear" | "identity";
  /** Node name (identity shortcuts: `${add}.identity.${k}`). */
  readonly name: string;
  readonly role: "conv" | "residual" | "linear" | "identity";
  /** Weight tensor name; null for identity shortcuts (weight 1). */
  readonly weight: string | null;
  readonly weightShape: readonly number[];
  readonly input: Value;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  /** Top and left padding (bottom/right are implied by the output size). */
  readonly padTop: number;
  readonly padLeft: number;
  readonly dilation: readonly [number, number];
  readonly groups: number;
  readonly outChannels: number;
  readonly outH: number;
  readonly outW: number;
  readonly targetSet: number;
}

export interface DagMgePlan {
  readonly dag: DagSpec;
  readonly partitions: Partition[];
  readonly numNodes: number;
  readonly writers: DagWriter[];
  /** Writer indices per partition (partition 0, the input, has none). */
  readonly setWriters: number[][];
  /** Per partition: may a (source, target) pair get several contributions (then they are summed)? */
  readonly mayRepeat: boolean[];
  /** Name of the conv whose padded input the input node set holds, or null (unpadded input). */
  readonly paddedFor: string | null;
}

export interface DagPlanOptions {
  /** Add identity shortcuts (skip operands of an add) as edges of weight 1 (default false). */
  readonly identityShortcuts?: boolean;
}

function axisFrom(len: number, lists: [number, number][][], identity: boolean): AxisMap {
  const off = new Int32Array(len + 1);
  for (let i = 0; i < len; i++) off[i + 1] = off[i] + lists[i].length;
  const idx = new Int32Array(off[len]);
  const cnt = new Float64Array(off[len]);
  for (let i = 0, k = 0; i < len; i++) for (const [s, c] of lists[i]) (idx[k] = s), (cnt[k++] = c);
  return { len, off, idx, cnt, identity };
}

export function identityAxis(len: number, shift = 0): AxisMap {
  return axisFrom(len, Array.from({ length: len }, (_, i) => [[i + shift, 1]]), shift === 0);
}

/** Window lists of a pooling op along one axis: output i ← inputs i·s − pb + a·d, a < k, inside the map. */
export function poolWindows(size: number, out: number, k: number, s: number, pb: number, d: number): number[][] {
  const w: number[][] = [];
  for (let i = 0; i < out; i++) {
    const l: number[] = [];
    for (let a = 0; a < k; a++) {
      const p = i * s - pb + a * d;
      if (p >= 0 && p < size) l.push(p);
    }
    w.push(l);
  }
  return w;
}

/** PyTorch's adaptive pooling windows: output i ← [⌊i·L/o⌋, ⌈(i+1)·L/o⌉). */
export function adaptiveWindows(size: number, out: number): number[][] {
  const w: number[][] = [];
  for (let i = 0; i < out; i++) {
    const a = Math.floor((i * size) / out);
    const b = Math.ceil(((i + 1) * size) / out);
    w.push(Array.from({ length: b - a }, (_, t) => a + t));
  }
  return w;
}

/** The map of pooled positions: windows (output → value positions) composed with the value's map. */
function composeAxis(inner: AxisMap, windows: number[][]): AxisMap {
  const lists = windows.map((win) => {
    const acc = new Map<number, number>();
    for (const j of win) for (let e = inner.off[j]; e < inner.off[j + 1]; e++) acc.set(inner.idx[e], (acc.get(inner.idx[e]) ?? 0) + inner.cnt[e]);
    return [...acc.entries()].sort((x, y) => x[0] - y[0]);
  });
  return axisFrom(windows.length, lists, false);
}

/** Does any set position appear more than once over all value positions (or with a count > 1)? */
function repeats(m: AxisMap): boolean {
  if (m.identity) return false;
  const seen = new Set<number>();
  for (let e = 0; e < m.idx.length; e++) {
    if (m.cnt[e] !== 1 || seen.has(m.idx[e])) return true;
    seen.add(m.idx[e]);
  }
  return false;
}

/**
 * Node sets, values and writers of a DAG (see the module comment of ./dag-mge.ts for the rules).
 * @throws naming the node on shapes the MGE does not define (an add with no parametric operand of
 * its own, a conv after a flatten, pooling of a flat tensor).
 */
export function buildDagMgePlan(dag: DagSpec, options: DagPlanOptions = {}): DagMgePlan {
  const where = `encoding/dag-mge: ${dag.name}`;
  const shapes = inferDagShapes(dag);
  const consumers = dagConsumers(dag);
  const index = new Map<string, number>();
  dag.nodes.forEach((n, i) => index.set(n.name, i));
  const nConsumers = (t: string): number => consumers.get(t)?.length ?? 0;

  // Union-find over node indices: the parametric layers and adds that write one node set.
  const parent = dag.nodes.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  // Origin of a tensor through identity-like ops; exclusive when every tensor on the way has one consumer.
  const origin = (t: string): { node: number; exclusive: boolean } => {
    let exclusive = true;
    let cur = t;
    for (;;) {
      if (nConsumers(cur) !== 1) exclusive = false;
      const i = index.get(cur);
      if (i === undefined) return { node: -1, exclusive };
      if (!isIdentityLike(dag.nodes[i].op)) return { node: i, exclusive };
      cur = dag.nodes[i].inputs[0];
    }
  };
  const skips = new Map<number, string[]>();
  dag.nodes.forEach((n, i) => {
    if (n.op.kind !== "add") return;
    const fresh: number[] = [];
    const skip: string[] = [];
    for (const t of n.inputs) {
      const o = origin(t);
      const k = o.node >= 0 ? dag.nodes[o.node].op.kind : "input";
      if (o.exclusive && o.node >= 0 && (k === "conv2d" || k === "linear" || k === "add")) fresh.push(o.node);
      else skip.push(t);
    }
    if (fresh.length === 0) {
      throw new Error(`${where}: add '${n.name}' (inputs ${n.inputs.join(", ")}): no operand is the output of a conv/linear layer used only by this add, so the MGE defines no node set for it (an add of existing node sets only is not supported)`);
    }
    for (const f of fresh) parent[find(f)] = find(i);
    skips.set(i, skip);
  });

  // The input node set, padded for the one conv it feeds directly (through identity-like ops).
  const direct: number[] = [];
  const stack = [dag.input.name];
  while (stack.length) {
    const t = stack.pop() as string;
    for (const c of consumers.get(t) ?? []) {
      if (isIdentityLike(dag.nodes[c].op)) stack.push(dag.nodes[c].name);
      else direct.push(c);
    }
  }
  const firstConv = direct.length === 1 && dag.nodes[direct[0]].op.kind === "conv2d" ? direct[0] : -1;
  const partitions: Partition[] = [];
  let next = 0;
  const addSet = (name: string, C: number, H: number, W: number): number => {
    partitions.push({ name, start: next, size: C * H * W, channels: C, height: H, width: W });
    next += C * H * W;
    return partitions.length - 1;
  };
  const inp = dag.input;
  let inputValue: Value;
  if (firstConv >= 0) {
    const pad = (dag.nodes[firstConv].op as DagConv).padding;
    const s = addSet("input", inp.channels, inp.height + pad[0] + pad[2], inp.width + pad[1] + pad[3]);
    inputValue = { C: inp.channels, H: inp.height, W: inp.width, flat: false, segments: [{ c0: 0, n: inp.channels, set: s, setC0: 0, rows: identityAxis(inp.height, pad[0]), cols: identityAxis(inp.width, pad[1]) }] };
  } else {
    const s = addSet("input", inp.channels, inp.height, inp.width);
    inputValue = { C: inp.channels, H: inp.height, W: inp.width, flat: false, segments: [{ c0: 0, n: inp.channels, set: s, setC0: 0, rows: identityAxis(inp.height), cols: identityAxis(inp.width) }] };
  }

  const setOfRoot = new Map<number, number>();
  const values = new Map<string, Value>([[inp.name, inputValue]]);
  const writers: DagWriter[] = [];
  const setValue = (s: number, flat: boolean): Value => {
    const p = partitions[s];
    return { C: p.channels, H: p.height, W: p.width, flat, segments: [{ c0: 0, n: p.channels, set: s, setC0: 0, rows: identityAxis(p.height), cols: identityAxis(p.width) }] };
  };
  const setFor = (i: number, shape: TensorShape): number => {
    const root = find(i);
    let s = setOfRoot.get(root);
    if (s === undefined) {
      s = shape.length === 3 ? addSet(dag.nodes[i].name, shape[0], shape[1], shape[2]) : addSet(dag.nodes[i].name, shape[0], 1, 1);
      setOfRoot.set(root, s);
    }
    return s;
  };
  const pooled = (v: Value, at: string, rows: number[][], cols: number[][]): Value => {
    if (v.flat) throw new Error(`${at}: pooling of a flat tensor is not supported`);
    return { C: v.C, H: rows.length, W: cols.length, flat: false, segments: v.segments.map((g) => ({ ...g, rows: composeAxis(g.rows, rows), cols: composeAxis(g.cols, cols) })) };
  };

  dag.nodes.forEach((n, i) => {
    const at = `${where}: node '${n.name}' (${n.op.kind})`;
    const op = n.op;
    const shape = shapes.get(n.name) as TensorShape;
    const inV = n.inputs.length > 0 ? (values.get(n.inputs[0]) as Value) : null;
    if (isParametric(op)) {
      const s = setFor(i, shape);
      writers.push(parametricWriter(at, n.name, op, inV as Value, i === firstConv, shape, s));
      values.set(n.name, setValue(s, op.kind === "linear"));
      return;
    }
    switch (op.kind) {
      case "batchnorm":
      case "activation":
      case "identity":
        values.set(n.name, inV as Value);
        return;
      case "maxpool":
      case "avgpool": {
        const v = inV as Value;
        const rows = poolWindows(v.H, shape[1], op.kernel[0], op.stride[0], op.padding[0], op.dilation[0]);
        const cols = poolWindows(v.W, shape[2], op.kernel[1], op.stride[1], op.padding[1], op.dilation[1]);
        values.set(n.name, pooled(v, at, rows, cols));
        return;
      }
      case "adaptivepool": {
        const v = inV as Value;
        values.set(n.name, pooled(v, at, adaptiveWindows(v.H, op.output[0]), adaptiveWindows(v.W, op.output[1])));
        return;
      }
      case "flatten":
        values.set(n.name, { ...(inV as Value), flat: true });
        return;
      case "concat": {
        const segments: Segment[] = [];
        let c = 0;
        for (const t of n.inputs) {
          const v = values.get(t) as Value;
          if (v.flat) throw new Error(`${at}: operand ${t} is flat; only [C, H, W] maps are concatenated`);
          for (const g of v.segments) segments.push({ ...g, c0: g.c0 + c });
          c += v.C;
        }
        values.set(n.name, { C: c, H: shape[1], W: shape[2], flat: false, segments });
        return;
      }
      case "add": {
        const s = setFor(i, shape);
        const target = setValue(s, shape.length === 1);
        values.set(n.name, target);
        if (!options.identityShortcuts) return;
        (skips.get(i) ?? []).forEach((t, k) => {
          const v = values.get(t) as Value;
          const p = partitions[s];
          writers.push({
            kind: "identity", name: `${n.name}.identity.${k}`, role: "identity", weight: null, weightShape: [p.channels, 1, 1, 1],
            input: v.flat ? { ...v, flat: false } : v, kernel: [1, 1], stride: [1, 1], padTop: 0, padLeft: 0, dilation: [1, 1], groups: p.channels,
            outChannels: p.channels, outH: p.height, outW: p.width, targetSet: s,
          });
        });
        return;
      }
      default:
        throw new Error(`${at}: not supported by the MGE`);
    }
  });

  const setWriters: number[][] = partitions.map(() => []);
  writers.forEach((w, k) => setWriters[w.targetSet].push(k));
  const mayRepeat = setWriters.map((ws) => {
    const seen = new Map<number, [number, number][]>();
    for (const k of ws) {
      for (const g of writers[k].input.segments) {
        if (repeats(g.rows) || repeats(g.cols)) return true;
        const l = seen.get(g.set) ?? [];
        if (l.some(([a, b]) => g.setC0 < b && a < g.setC0 + g.n)) return true;
        l.push([g.setC0, g.setC0 + g.n]);
        seen.set(g.set, l);
      }
    }
    return false;
  });
  return { dag, partitions, numNodes: next, writers, setWriters, mayRepeat, paddedFor: firstConv >= 0 ? dag.nodes[firstConv].name : null };
}

function parametricWriter(at: string, name: string, op: DagConv | DagLinear, input: Value, padded: boolean, shape: TensorShape, targetSet: number): DagWriter {
  if (op.kind === "conv2d") {
    if (input.flat) throw new Error(`${at}: a conv after a flatten is not supported`);
    let v = input;
    let padTop = op.padding[0];
    let padLeft = op.padding[1];
    if (padded) {
      // The input node set holds the padded input: the conv reads it whole, with no padding of its own.
      const g = v.segments[0];
      v = { C: v.C, H: v.H + op.padding[0] + op.padding[2], W: v.W + op.padding[1] + op.padding[3], flat: false, segments: [{ ...g, rows: identityAxis(v.H + op.padding[0] + op.padding[2]), cols: identityAxis(v.W + op.padding[1] + op.padding[3]) }] };
      padTop = 0;
      padLeft = 0;
    }
    return {
      kind: "conv", name, role: op.role, weight: op.weight, weightShape: [op.outChannels, op.inChannels / op.groups, op.kernel[0], op.kernel[1]],
      input: v, kernel: op.kernel, stride: op.stride, padTop, padLeft, dilation: op.dilation, groups: op.groups,
      outChannels: op.outChannels, outH: shape[1], outW: shape[2], targetSet,
    };
  }
  if (input.C * input.H * input.W !== op.inFeatures) throw new Error(`${at}: expects ${op.inFeatures} features, its input has ${input.C}×${input.H}×${input.W}`);
  return {
    kind: "linear", name, role: "linear", weight: op.weight, weightShape: [op.outFeatures, op.inFeatures],
    input: { ...input, flat: false }, kernel: [input.H, input.W], stride: [1, 1], padTop: 0, padLeft: 0, dilation: [1, 1], groups: 1,
    outChannels: op.outFeatures, outH: 1, outW: 1, targetSet,
  };
}
