/**
 * The inverse of `archToDag` for the architecture family the paper's official code encodes: a chain
 * of layers with residual blocks (one fork whose two branches — body, and a shortcut of at most one
 * conv or nothing — meet again in one add). It gives the ArchSpec that `reference` alignment needs
 * (the official node indexing is defined only there, src/encoding/plan.ts), e.g. for the official
 * Conv-6 / ResNet-20/32 / WRN-28-2 models exported to ONNX. Layer names are the DAG's node names
 * (weights `${node}.weight`); activations become `relu` (the encoders treat them as identities),
 * dropout and identities vanish. O(nodes).
 */
import type { DagNode, DagSpec } from "./dag";
import { dagConsumers, inferDagShapes } from "./dag";
import type { ArchSpec, LayerSpec } from "./spec";

/**
 * @example const spec = liftDagToArchSpec(dagFromOnnx(readOnnx("resnet20.onnx")));
 * @throws when the DAG is not a chain of layers and residual blocks with square kernels, symmetric
 * padding, no dilation, a square input, or when a layer has no ArchSpec counterpart — naming the node.
 */
export function liftDagToArchSpec(dag: DagSpec): ArchSpec {
  const where = `nn/dag-lift: ${dag.name}: reference alignment is defined only for the paper's chain + residual-block architectures`;
  const shapes = inferDagShapes(dag);
  const consumers = dagConsumers(dag);
  const byName = new Map<string, DagNode>(dag.nodes.map((n) => [n.name, n]));
  if (dag.input.height !== dag.input.width) throw new Error(`${where}; the input ${dag.input.height}×${dag.input.width} is not square`);
  const cons = (t: string): DagNode[] => (consumers.get(t) ?? []).map((i) => dag.nodes[i]);

  const leaf = (n: DagNode): LayerSpec | null => {
    const op = n.op;
    const at = `${where}; node '${n.name}' (${op.kind})`;
    const square = (p: readonly number[], what: string): number => {
      if (p[0] !== p[1]) throw new Error(`${at}: ${what} ${p.join("×")} is not square`);
      return p[0];
    };
    const symmetric = (p: readonly number[]): number => {
      if (!p.every((v) => v === p[0])) throw new Error(`${at}: padding [${p.join(", ")}] is not symmetric`);
      return p[0];
    };
    switch (op.kind) {
      case "conv2d":
        if (op.dilation[0] !== 1 || op.dilation[1] !== 1) throw new Error(`${at}: dilation ${op.dilation.join("×")}`);
        if (op.groups !== 1 && op.groups !== op.inChannels) throw new Error(`${at}: groups=${op.groups}`);
        return { kind: "conv2d", name: n.name, inChannels: op.inChannels, outChannels: op.outChannels, kernel: square(op.kernel, "kernel"), stride: square(op.stride, "stride"), padding: symmetric(op.padding), groups: op.groups, bias: op.bias, role: op.role };
      case "linear":
        return { kind: "linear", name: n.name, inFeatures: op.inFeatures, outFeatures: op.outFeatures, bias: op.bias };
      case "batchnorm":
        return { kind: "batchnorm", name: n.name, features: op.features };
      case "activation":
        return { kind: op.fn === "relu6" ? "relu6" : "relu" };
      case "identity":
        return null;
      case "maxpool":
      case "avgpool":
        if (op.ceilMode || op.dilation[0] !== 1 || op.dilation[1] !== 1) throw new Error(`${at}: ceil mode or dilation`);
        return { kind: op.kind, kernel: square(op.kernel, "kernel"), stride: square(op.stride, "stride"), padding: symmetric(op.padding) };
      case "adaptivepool": {
        const x = shapes.get(n.inputs[0]) as readonly number[];
        if (op.mode !== "avg") throw new Error(`${at}: adaptive max pooling`);
        if (op.output[0] === 1 && op.output[1] === 1) return { kind: "globalavgpool" };
        if (x[1] % op.output[0] === 0 && x[1] === x[2] && op.output[0] === op.output[1]) {
          const k = x[1] / op.output[0];
          return { kind: "avgpool", kernel: k, stride: k, padding: 0 };
        }
        throw new Error(`${at}: adaptive pooling ${x[1]}×${x[2]} → ${op.output.join("×")} is not a tiling`);
      }
      case "flatten":
        return { kind: "flatten" };
      default:
        throw new Error(`${at}: not a chain layer here`);
    }
  };

  // A branch from a fork: single-consumer layers up to the join (an add); returns its layers and the add.
  const branch = (first: DagNode, from: string): { layers: LayerSpec[]; join: DagNode } => {
    const layers: LayerSpec[] = [];
    let n = first;
    for (;;) {
      if (n.op.kind === "add") {
        if (n.inputs.length !== 2) throw new Error(`${where}; add '${n.name}' has ${n.inputs.length} operands`);
        return { layers, join: n };
      }
      if (n.inputs.length !== 1) throw new Error(`${where}; node '${n.name}' (${n.op.kind}) inside a residual branch from '${from}'`);
      const l = leaf(n);
      if (l) layers.push(l);
      const next = cons(n.name);
      if (next.length !== 1) throw new Error(`${where}; node '${n.name}' inside a residual branch from '${from}' has ${next.length} consumers (nested branches)`);
      n = next[0];
    }
  };

  const layers: LayerSpec[] = [];
  let cur = dag.input.name;
  while (cur !== dag.output) {
    const next = cons(cur);
    if (next.length === 0) throw new Error(`${where}; tensor '${cur}' is read by nothing but is not the output`);
    if (next.length === 1 && next[0].op.kind !== "add") {
      const l = leaf(next[0]);
      if (l) layers.push(l);
      cur = next[0].name;
      continue;
    }
    if (next.length > 2) throw new Error(`${where}; tensor '${cur}' is read by ${next.length} layers`);
    // A residual block: the branches are the non-add consumers; a consumer that is the add itself is the identity shortcut.
    const branches = next.filter((n) => n.op.kind !== "add").map((n) => branch(n, cur));
    const joins = new Set([...branches.map((b) => b.join.name), ...next.filter((n) => n.op.kind === "add").map((n) => n.name)]);
    if (joins.size !== 1 || branches.length === 0) throw new Error(`${where}; the branches from '${cur}' do not meet in one add`);
    const join = byName.get([...joins][0]) as DagNode;
    const convs = (b: LayerSpec[]): number => b.filter((l) => l.kind === "conv2d").length;
    branches.sort((a, b) => convs(b.layers) - convs(a.layers));
    const body = branches[0].layers;
    const shortcut = branches.length > 1 ? branches[1].layers : [];
    if (convs(shortcut) > 1) throw new Error(`${where}; the shortcut into '${join.name}' has ${convs(shortcut)} convs`);
    layers.push({ kind: "residual", name: join.name, pre: [], body, shortcut, shortcutFromPre: false, post: [] });
    cur = join.name;
  }
  const out = shapes.get(dag.output) as readonly number[];
  if (out.length !== 1) throw new Error(`${where}; the output ${dag.output} is not flat`);
  return { name: dag.name, inputChannels: dag.input.channels, inputSize: dag.input.height, classes: out[0], layers };
}
