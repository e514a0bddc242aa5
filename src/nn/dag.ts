/**
 * A general architecture: a directed acyclic graph of layers (any CNN a researcher can export from
 * PyTorch), beside the hand-written `ArchSpec`s of ./spec.ts. Plain data, independent of tfjs.
 *
 * Every node produces one tensor named after the node; `inputs` name the tensors it reads (the
 * network input is `dag.input.name`). Nodes are listed in a topological order (validated).
 * Layouts follow PyTorch: conv weight [out, in/groups, kh, kw], linear [out, in], feature maps
 * [C, H, W] (the batch axis is implicit), flatten in channel-major raster order. Pads are
 * [top, left, bottom, right] (ONNX order [x1_begin, x2_begin, x1_end, x2_end]).
 *
 * Supported ops: conv2d (any kernel, stride, padding, dilation; groups 1, depthwise, or any
 * divisor of both channel counts), linear, batchnorm, elementwise activations, dropout/identity,
 * max/avg pooling (padding, dilation, ceil mode), global and adaptive pooling, flatten, add, concat
 * (channel axis). Shape inference (`inferDagShapes`) uses the PyTorch size rules and names the node
 * on every inconsistency. O(nodes).
 */
import type { ArchSpec, LayerSpec } from "./spec";
import { numel } from "./tensors";

export type Pair = readonly [number, number];
/** [top, left, bottom, right]. */
export type Pads = readonly [number, number, number, number];

export interface DagConv {
  readonly kind: "conv2d";
  /** Name of the weight tensor (state_dict or ONNX initializer name). */
  readonly weight: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Pads;
  readonly dilation: Pair;
  readonly groups: number;
  readonly bias: boolean;
  /** "residual" for projection shortcuts (as the ArchSpecs and the official code name them). */
  readonly role: "conv" | "residual";
}

export interface DagLinear {
  readonly kind: "linear";
  readonly weight: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: boolean;
}

export interface DagBatchNorm {
  readonly kind: "batchnorm";
  readonly features: number;
}

/** Any elementwise activation (relu, relu6, sigmoid, tanh, …): an identity for the encoders. */
export interface DagActivation {
  readonly kind: "activation";
  readonly fn: string;
}

/** Dropout and explicit identities. */
export interface DagIdentity {
  readonly kind: "identity";
  readonly of: string;
}

export interface DagPool {
  readonly kind: "maxpool" | "avgpool";
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Pads;
  readonly dilation: Pair;
  readonly ceilMode: boolean;
}

/** Global (output 1×1) or adaptive pooling (PyTorch's adaptive windows). */
export interface DagAdaptivePool {
  readonly kind: "adaptivepool";
  readonly mode: "avg" | "max";
  readonly output: Pair;
}

export interface DagFlatten {
  readonly kind: "flatten";
}

export interface DagAdd {
  readonly kind: "add";
}

/** Concatenation along the channel axis. */
export interface DagConcat {
  readonly kind: "concat";
}

export type DagOp = DagConv | DagLinear | DagBatchNorm | DagActivation | DagIdentity | DagPool | DagAdaptivePool | DagFlatten | DagAdd | DagConcat;

export interface DagNode {
  /** Unique; also the name of the tensor the node produces. */
  readonly name: string;
  readonly op: DagOp;
  readonly inputs: readonly string[];
}

export interface DagSpec {
  readonly kind: "dag";
  readonly name: string;
  readonly input: { readonly name: string; readonly channels: number; readonly height: number; readonly width: number };
  /** Topologically ordered. */
  readonly nodes: readonly DagNode[];
  /** Name of the output tensor. */
  readonly output: string;
}

/** [C, H, W] for feature maps, [F] after flatten / linear. */
export type TensorShape = readonly number[];

export function isDagSpec(x: unknown): x is DagSpec {
  return typeof x === "object" && x !== null && (x as { kind?: unknown }).kind === "dag" && Array.isArray((x as { nodes?: unknown }).nodes);
}

/** Ops that the encoders treat as identities (no nodes, no edges of their own). */
export function isIdentityLike(op: DagOp): boolean {
  return op.kind === "batchnorm" || op.kind === "activation" || op.kind === "identity";
}

export function isParametric(op: DagOp): op is DagConv | DagLinear {
  return op.kind === "conv2d" || op.kind === "linear";
}

/** Output length of a window op along one axis (PyTorch rule, ceil mode as PyTorch clips it). */
export function windowOutputSize(size: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number, ceilMode: boolean): number {
  const span = size + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let o = Math.ceil(span / stride) + 1;
  // PyTorch: the last window must start inside the input or the left padding.
  if ((o - 1) * stride >= size + padBegin) o--;
  return o;
}

function fmt(s: TensorShape): string {
  return `[${s.join(", ")}]`;
}

function positive(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= 1;
}

/** Output shape of one node from its input shapes (PyTorch rules); `where` prefixes the errors. */
export function nodeOutputShape(where: string, n: DagNode, ins: readonly TensorShape[]): TensorShape {
  const at = `${where}: node '${n.name}' (${n.op.kind})`;
  const one = (): TensorShape => {
    if (ins.length !== 1) throw new Error(`${at}: needs exactly 1 input, got ${ins.length}`);
    return ins[0];
  };
  const map = (): TensorShape => {
    const x = one();
    if (x.length !== 3) throw new Error(`${at}: needs a [C, H, W] input, got ${fmt(x)} (after a flatten?)`);
    return x;
  };
  let y: TensorShape;
  const op = n.op;
  switch (op.kind) {
    case "conv2d": {
      const x = map();
      if (![op.inChannels, op.outChannels, op.groups, ...op.kernel, ...op.stride, ...op.dilation].every(positive) || !op.padding.every((p) => Number.isInteger(p) && p >= 0)) {
        throw new Error(`${at}: invalid conv attributes (kernel ${op.kernel}, stride ${op.stride}, padding ${op.padding}, dilation ${op.dilation}, groups ${op.groups})`);
      }
      if (x[0] !== op.inChannels) throw new Error(`${at}: expects ${op.inChannels} input channels, its input ${n.inputs[0]} has shape ${fmt(x)}`);
      if (op.inChannels % op.groups !== 0 || op.outChannels % op.groups !== 0) throw new Error(`${at}: groups=${op.groups} does not divide ${op.inChannels} input and ${op.outChannels} output channels`);
      const h = windowOutputSize(x[1], op.kernel[0], op.stride[0], op.padding[0], op.padding[2], op.dilation[0], false);
      const w = windowOutputSize(x[2], op.kernel[1], op.stride[1], op.padding[1], op.padding[3], op.dilation[1], false);
      if (h < 1 || w < 1) throw new Error(`${at}: kernel ${op.kernel.join("×")} on a ${x[1]}×${x[2]} map (padding ${op.padding}) gives an empty output`);
      y = [op.outChannels, h, w];
      break;
    }
    case "linear": {
      const x = one();
      if (x.length !== 1) throw new Error(`${at}: needs a flat input (add a flatten), got ${fmt(x)}`);
      if (x[0] !== op.inFeatures) throw new Error(`${at}: expects ${op.inFeatures} input features, its input ${n.inputs[0]} has ${x[0]}`);
      if (!positive(op.outFeatures)) throw new Error(`${at}: invalid output features ${op.outFeatures}`);
      y = [op.outFeatures];
      break;
    }
    case "batchnorm": {
      const x = one();
      if (x[0] !== op.features) throw new Error(`${at}: has ${op.features} features but its input is ${fmt(x)}`);
      y = x;
      break;
    }
    case "activation":
    case "identity":
      y = one();
      break;
    case "maxpool":
    case "avgpool": {
      const x = map();
      if (![...op.kernel, ...op.stride, ...op.dilation].every(positive) || !op.padding.every((p) => Number.isInteger(p) && p >= 0)) throw new Error(`${at}: invalid pooling attributes`);
      const h = windowOutputSize(x[1], op.kernel[0], op.stride[0], op.padding[0], op.padding[2], op.dilation[0], op.ceilMode);
      const w = windowOutputSize(x[2], op.kernel[1], op.stride[1], op.padding[1], op.padding[3], op.dilation[1], op.ceilMode);
      if (h < 1 || w < 1) throw new Error(`${at}: window ${op.kernel.join("×")} on a ${x[1]}×${x[2]} map gives an empty output`);
      y = [x[0], h, w];
      break;
    }
    case "adaptivepool": {
      const x = map();
      if (!op.output.every(positive)) throw new Error(`${at}: invalid output size ${op.output}`);
      y = [x[0], op.output[0], op.output[1]];
      break;
    }
    case "flatten":
      y = [numel(one())];
      break;
    case "add": {
      if (ins.length < 2) throw new Error(`${at}: needs at least 2 inputs, got ${ins.length}`);
      for (let i = 1; i < ins.length; i++) {
        if (fmt(ins[i]) !== fmt(ins[0])) throw new Error(`${at}: operands ${n.inputs[0]} ${fmt(ins[0])} and ${n.inputs[i]} ${fmt(ins[i])} differ (broadcasting adds are not supported)`);
      }
      y = ins[0];
      break;
    }
    case "concat": {
      if (ins.length < 1) throw new Error(`${at}: needs inputs`);
      let c = 0;
      for (let i = 0; i < ins.length; i++) {
        const s = ins[i];
        if (s.length !== 3 || s[1] !== ins[0][1] || s[2] !== ins[0][2]) throw new Error(`${at}: operand ${n.inputs[i]} ${fmt(s)} does not match ${n.inputs[0]} ${fmt(ins[0])} on the spatial axes (channel concat of [C, H, W] maps only)`);
        c += s[0];
      }
      y = [c, ins[0][1], ins[0][2]];
      break;
    }
    default:
      throw new Error(`${at}: unknown op kind`);
  }
  return y;
}

/**
 * Shape of every tensor (the input included), validating the graph on the way: unique names,
 * inputs defined before use, channel counts, kernel fits, add/concat operands, linear features.
 * @throws naming the model, node and op on any inconsistency.
 * @example const shapes = inferDagShapes(resnetDag("resnet18")); shapes.get("fc") // [1000]
 */
export function inferDagShapes(dag: DagSpec): Map<string, TensorShape> {
  const where = `nn/dag: ${dag.name}`;
  const shapes = new Map<string, TensorShape>();
  const { input } = dag;
  if (![input.channels, input.height, input.width].every(positive)) throw new Error(`${where}: input '${input.name}' has shape ${fmt([input.channels, input.height, input.width])}; need positive integers`);
  shapes.set(input.name, [input.channels, input.height, input.width]);
  for (const n of dag.nodes) {
    const at = `${where}: node '${n.name}' (${n.op.kind})`;
    if (shapes.has(n.name)) throw new Error(`${at}: its name is already used by ${n.name === input.name ? "the input" : "another node"}`);
    const ins = n.inputs.map((t) => {
      const s = shapes.get(t);
      if (!s) throw new Error(`${at}: input '${t}' is not defined before it (nodes must be in topological order)`);
      return s;
    });
    const y = nodeOutputShape(where, n, ins);
    shapes.set(n.name, y);
  }
  if (!shapes.has(dag.output)) throw new Error(`${where}: output '${dag.output}' is not a tensor of the graph`);
  return shapes;
}

/** Consumers of every tensor (node indices, in order; a node reading a tensor twice counts twice). */
export function dagConsumers(dag: DagSpec): Map<string, number[]> {
  const m = new Map<string, number[]>();
  dag.nodes.forEach((n, i) => {
    for (const t of n.inputs) {
      let l = m.get(t);
      if (!l) m.set(t, (l = []));
      l.push(i);
    }
  });
  return m;
}

/** One conv or linear weight of a DAG, in node order (= the export's state_dict order for PyTorch models). */
export interface DagWeight {
  /** Weight tensor name. */
  readonly name: string;
  /** Node name. */
  readonly layer: string;
  readonly shape: readonly number[];
  readonly role: "conv" | "residual" | "linear";
  readonly biasShape?: readonly number[];
}

export function dagWeightShape(op: DagConv | DagLinear): number[] {
  return op.kind === "conv2d" ? [op.outChannels, op.inChannels / op.groups, op.kernel[0], op.kernel[1]] : [op.outFeatures, op.inFeatures];
}

/** The conv and linear weights of a DAG. O(nodes). @throws on a weight name used twice (shared weights are not supported). */
export function dagWeights(dag: DagSpec): DagWeight[] {
  const out: DagWeight[] = [];
  const seen = new Set<string>();
  for (const n of dag.nodes) {
    const op = n.op;
    if (!isParametric(op)) continue;
    if (seen.has(op.weight)) throw new Error(`nn/dag: ${dag.name}: weight '${op.weight}' is used by more than one layer (shared weights are not supported)`);
    seen.add(op.weight);
    const shape = dagWeightShape(op);
    const bias = op.bias ? [shape[0]] : undefined;
    out.push({ name: op.weight, layer: n.name, shape, role: op.kind === "linear" ? "linear" : op.role, biasShape: bias });
  }
  return out;
}

/**
 * The DAG of a built-in ArchSpec: the same layers and names (weights `${name}.weight`), a residual
 * block as out = post(add(body(pre(x)), shortcut(pre(x) or x))). Unnamed layers get `${kind}_${i}`.
 * @example const dag = archToDag(buildArchitecture("resnet20")); encodeDagMge(dag, m, { weights: w, alignment: "exact" })
 */
export function archToDag(spec: ArchSpec): DagSpec {
  const nodes: DagNode[] = [];
  const used = new Set<string>(["input"]);
  let counter = 0;
  const fresh = (base: string): string => {
    let n = base;
    while (used.has(n)) n = `${base}_${counter++}`;
    used.add(n);
    return n;
  };
  const sq = (v: number): Pair => [v, v];
  const leaf = (l: Exclude<LayerSpec, { kind: "residual" }>, x: string): string => {
    let op: DagOp;
    let name: string;
    switch (l.kind) {
      case "conv2d":
        name = fresh(l.name);
        op = { kind: "conv2d", weight: `${l.name}.weight`, inChannels: l.inChannels, outChannels: l.outChannels, kernel: sq(l.kernel), stride: sq(l.stride), padding: [l.padding, l.padding, l.padding, l.padding], dilation: [1, 1], groups: l.groups, bias: l.bias, role: l.role };
        break;
      case "linear":
        name = fresh(l.name);
        op = { kind: "linear", weight: `${l.name}.weight`, inFeatures: l.inFeatures, outFeatures: l.outFeatures, bias: l.bias };
        break;
      case "batchnorm":
        name = fresh(l.name);
        op = { kind: "batchnorm", features: l.features };
        break;
      case "relu":
      case "relu6":
        name = fresh(`${l.kind}_${counter++}`);
        op = { kind: "activation", fn: l.kind };
        break;
      case "maxpool":
      case "avgpool":
        name = fresh(`${l.kind}_${counter++}`);
        op = { kind: l.kind, kernel: sq(l.kernel), stride: sq(l.stride), padding: [l.padding, l.padding, l.padding, l.padding], dilation: [1, 1], ceilMode: false };
        break;
      case "globalavgpool":
        name = fresh(`globalavgpool_${counter++}`);
        op = { kind: "adaptivepool", mode: "avg", output: [1, 1] };
        break;
      case "flatten":
        name = fresh(`flatten_${counter++}`);
        op = { kind: "flatten" };
        break;
    }
    nodes.push({ name, op, inputs: [x] });
    return name;
  };
  const run = (layers: readonly LayerSpec[], x: string): string => {
    let cur = x;
    for (const l of layers) {
      if (l.kind !== "residual") {
        cur = leaf(l, cur);
        continue;
      }
      const pre = run(l.pre, cur);
      const body = run(l.body, pre);
      const sc = run(l.shortcut, l.shortcutFromPre ? pre : cur);
      const add = fresh(`${l.name}.add`);
      nodes.push({ name: add, op: { kind: "add" }, inputs: [body, sc] });
      cur = run(l.post, add);
    }
    return cur;
  };
  const out = run(spec.layers, "input");
  return { kind: "dag", name: spec.name, input: { name: "input", channels: spec.inputChannels, height: spec.inputSize, width: spec.inputSize }, nodes, output: out };
}
