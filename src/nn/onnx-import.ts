/**
 * ONNX graph → architecture DAG (./dag.ts) + weights: the operator semantics on top of the
 * format-only reader src/io/onnx/read.ts. Inference-mode graphs as `torch.onnx.export` writes them
 * (opsets 9–18), batch axis first.
 *
 * Op mapping: Conv → conv2d (weights from an initializer; auto_pad NOTSET/VALID/SAME_*); Gemm
 * (transA 0; transB 0 or 1; alpha scales |w|) and MatMul with a constant 2-D right operand → linear
 * (a following Add of a constant is the bias: identity); BatchNormalization → batchnorm; Relu,
 * LeakyRelu, PRelu, Elu, Selu, Celu, Sigmoid, HardSigmoid, HardSwish, Tanh, Softplus, Softsign, Gelu,
 * Erf-free activations, Clip (relu6 when [0, 6]) → activation; Softmax/LogSoftmax only as the last op
 * (a graph output no layer reads: they mix channels otherwise); MaxPool, AveragePool (pads,
 * dilations, ceil_mode) → pooling; GlobalAveragePool/GlobalMaxPool and ReduceMean/ReduceMax over the
 * spatial axes → adaptive 1×1 pooling (keepdims 0 adds a flatten); Flatten (axis 1) and Reshape to
 * [N, −1] → flatten (Reshape to the same shape → identity); Add/Sum of two tensors → add; Concat
 * on the channel axis → concat; Dropout, Identity, Pad of zero width (PyTorch's avg_pool2d export),
 * Mul/Div by a constant scalar → identity; x · σ(x) with σ an activation of x (SiLU, hard-swish) →
 * activation. Layers the output does not depend on are dropped.
 * Shape sub-graphs (Shape, Gather, Unsqueeze, Squeeze, Concat, Slice, Cast, Constant,
 * ConstantOfShape, Range-free arithmetic Add/Sub/Mul/Div/Floor on constants) are folded.
 *
 * Layer names: a parametric node is named after its weight initializer minus ".weight" when it has
 * that form (PyTorch keeps state_dict names), otherwise after the module path in the node name
 * ("/layer1/layer1.0/conv1/Conv" → "layer1.0.conv1"; BN-folded exports rename the weights); its
 * weight is `${layer}.weight` in the returned WeightMap. Projection shortcuts (names containing
 * "shortcut" or "downsample", as the official code detects them) get role "residual".
 * Refused, with the file, the node (index, name, op type, inputs → outputs): any other op, attributes
 * outside the mapping (non-channel concat, 3-D convs, non-constant weights, …), more than one
 * graph input, unknown spatial input sizes without `inputSize`. O(nodes + weights).
 */
import type { OnnxAttribute, OnnxModel, OnnxNode, OnnxTensor } from "../io/onnx/read";
import { decodedToFloat32 } from "../io/tensor";
import type { DagNode, DagOp, DagSpec, Pads, Pair } from "./dag";
import { inferDagShapes, nodeOutputShape } from "./dag";
import type { WeightMap } from "./tensors";

export interface OnnxImportOptions {
  /** Spatial side to use where the file's input height/width are symbolic. */
  readonly inputSize?: number;
  /** Model name (default: the file name without extension). */
  readonly name?: string;
}

export interface ImportedModel {
  readonly dag: DagSpec;
  /** Conv/linear weights in PyTorch layout, keyed `${layer}.weight`. */
  readonly weights: WeightMap;
  /** `${layer}.weight` → the ONNX initializer it came from (equal unless renamed, e.g. BN-folded). */
  readonly initializerNames: Map<string, string>;
}

const ACTIVATIONS = new Set(["Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Softplus", "Softsign", "Gelu", "Mish", "ThresholdedRelu"]);

/** A folded constant: numbers (int64 as doubles) with dims. */
interface Const {
  readonly dims: number[];
  readonly data: number[];
}

/** Module path from a scoped ONNX node name ("/layer1/layer1.0/conv1/Conv" → "layer1.0.conv1"). */
function modulePath(nodeName: string): string {
  const parts = nodeName.split("/").filter((p) => p.length > 0);
  if (parts.length > 1) parts.pop();
  const kept: string[] = [];
  for (let i = 0; i < parts.length; i++) if (!(i + 1 < parts.length && parts[i + 1].startsWith(`${parts[i]}.`))) kept.push(parts[i]);
  return kept.join(".");
}

function constOf(t: OnnxTensor): Const {
  const d = t.data;
  const data: number[] = new Array(d.length);
  if (d instanceof BigInt64Array) for (let i = 0; i < d.length; i++) data[i] = Number(d[i]);
  else for (let i = 0; i < d.length; i++) data[i] = d[i];
  return { dims: [...t.dims], data };
}

/**
 * @example const { dag, weights } = dagFromOnnx(readOnnx("resnet18.onnx.gz"));
 * @throws see the module comment; every message starts "nn/onnx-import: FILE".
 */
export function dagFromOnnx(model: OnnxModel, options: OnnxImportOptions = {}): ImportedModel {
  const file = model.file;
  const g = model.graph;
  const where = `nn/onnx-import: ${file}`;
  const consts = new Map<string, Const>();
  for (const [name, t] of g.initializers) if (t.data.length <= 64 || t.dims.length <= 1) consts.set(name, constOf(t));
  const realInputs = g.inputs.filter((i) => !g.initializers.has(i.name));
  if (realInputs.length !== 1) throw new Error(`${where}: expected one graph input (the image batch), found ${realInputs.length}: ${realInputs.map((i) => i.name).join(", ")}`);
  const inp = realInputs[0];
  if (!inp.dims || (inp.dims.length !== 4 && inp.dims.length !== 2)) throw new Error(`${where}: input '${inp.name}' must be [N, C, H, W] (or [N, F]), got ${inp.dims ? `[${inp.dims.join(", ")}]` : "no shape"}`);
  const dimOf = (k: number, what: string): number => {
    const d = (inp.dims as readonly (number | string | null)[])[k];
    if (typeof d === "number" && d > 0) {
      if (options.inputSize !== undefined && k >= 2 && d !== options.inputSize) throw new Error(`${where}: input '${inp.name}' has a fixed ${what} of ${d}; --input-size ${options.inputSize} contradicts it`);
      return d;
    }
    if (k >= 2 && options.inputSize !== undefined) return options.inputSize;
    throw new Error(`${where}: input '${inp.name}' has a symbolic ${what} (${String(d)}); give the input size`);
  };
  const nodes: DagNode[] = [];
  const used = new Set<string>();
  const unique = (base: string): string => {
    let n = base || "node";
    for (let k = 1; used.has(n); k++) n = `${base}_${k}`;
    used.add(n);
    return n;
  };
  // ONNX value name → DAG tensor name and shape (with the batch axis stripped).
  const alias = new Map<string, string>();
  const shapes = new Map<string, number[]>();
  const inputName = unique("input");
  let input: DagSpec["input"];
  if (inp.dims.length === 4) {
    input = { name: inputName, channels: dimOf(1, "channel count"), height: dimOf(2, "height"), width: dimOf(3, "width") };
    alias.set(inp.name, inputName);
    shapes.set(inputName, [input.channels, input.height, input.width]);
  } else {
    input = { name: inputName, channels: dimOf(1, "feature count"), height: 1, width: 1 };
    const flat = unique("input.flatten");
    nodes.push({ name: flat, op: { kind: "flatten" }, inputs: [inputName] });
    alias.set(inp.name, flat);
    shapes.set(inputName, [input.channels, 1, 1]);
    shapes.set(flat, [input.channels]);
  }
  const weights: WeightMap = new Map();
  const initializerNames = new Map<string, string>();
  const consumers = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const producer = new Map<string, OnnxNode>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);

  g.nodes.forEach((n, idx) => {
    const at = `${where}: node #${idx} '${n.name || n.outputs[0]}' (op ${n.opType}, ${n.inputs.join(", ")} → ${n.outputs.join(", ")})`;
    const attr = (k: string): OnnxAttribute | undefined => n.attributes[k];
    const ints = (k: string, def: number[]): number[] => {
      const a = attr(k);
      if (!a) return def;
      if (a.type !== "ints") throw new Error(`${at}: attribute ${k} is ${a.type}, expected ints`);
      return [...a.value];
    };
    const int = (k: string, def: number): number => {
      const a = attr(k);
      if (!a) return def;
      if (a.type !== "int") throw new Error(`${at}: attribute ${k} is ${a.type}, expected int`);
      return a.value;
    };
    const float = (k: string, def: number): number => {
      const a = attr(k);
      if (!a) return def;
      if (a.type !== "float") throw new Error(`${at}: attribute ${k} is ${a.type}, expected float`);
      return a.value;
    };
    const str = (k: string, def: string): string => {
      const a = attr(k);
      if (!a) return def;
      if (a.type !== "string") throw new Error(`${at}: attribute ${k} is ${a.type}, expected string`);
      return a.value;
    };
    if (n.domain !== "" && n.domain !== "ai.onnx") throw new Error(`${at}: operator domain '${n.domain}' is not supported`);
    const out = n.outputs[0];
    const isConst = (name: string): boolean => name === "" || consts.has(name);
    const c = (name: string): Const => {
      const v = consts.get(name);
      if (!v) throw new Error(`${at}: input '${name}' is not a constant`);
      return v;
    };
    const tensorIn = (k: number): { dag: string; shape: number[] } => {
      const name = n.inputs[k];
      const d = alias.get(name);
      if (d === undefined) throw new Error(`${at}: input '${name}' is neither a constant nor the output of a supported layer`);
      return { dag: d, shape: shapes.get(d) as number[] };
    };
    const emit = (base: string, op: DagOp, ins: string[]): void => {
      const name = unique(base);
      nodes.push({ name, op, inputs: ins });
      alias.set(out, name);
      shapes.set(name, [...nodeOutputShape(where, nodes[nodes.length - 1], ins.map((t) => shapes.get(t) as number[]))]);
    };
    const passThrough = (k = 0): void => {
      alias.set(out, tensorIn(k).dag);
    };
    const baseName = n.name ? n.name.replace(/^\//, "").replace(/\//g, ".") : out;

    // Constant folding first: every input constant (or an op on shapes only).
    const allConst = n.inputs.every(isConst);
    if (n.opType === "Constant") {
      const v = attr("value");
      if (v && v.type === "tensor") consts.set(out, constOf(v.value));
      else if (v && (v.type === "int" || v.type === "float")) consts.set(out, { dims: [], data: [v.value] });
      else if (attr("value_ints")?.type === "ints") consts.set(out, { dims: [ints("value_ints", []).length], data: ints("value_ints", []) });
      else throw new Error(`${at}: Constant without a tensor/int/ints value`);
      return;
    }
    if (n.opType === "Shape") {
      const s = alias.has(n.inputs[0]) ? [1, ...tensorIn(0).shape] : c(n.inputs[0]).dims;
      let a = int("start", 0);
      let b = attr("end") ? int("end", s.length) : s.length;
      if (a < 0) a += s.length;
      if (b < 0) b += s.length;
      const v = s.slice(a, b);
      consts.set(out, { dims: [v.length], data: v });
      return;
    }
    if (allConst && FOLD[n.opType]) {
      consts.set(out, FOLD[n.opType](n.inputs.map((i) => (i === "" ? { dims: [0], data: [] } : c(i))), { ints, int, float, at }));
      return;
    }
    switch (n.opType) {
      case "Conv": {
        const x = tensorIn(0);
        const wname = n.inputs[1];
        const w = g.initializers.get(wname);
        if (!w) throw new Error(`${at}: the weight '${wname}' is not an initializer (computed weights are not supported)`);
        if (w.dims.length !== 4 || x.shape.length !== 3) throw new Error(`${at}: only 2-D convolutions are supported (weight [${w.dims.join(", ")}], input [N, ${x.shape.join(", ")}])`);
        const [cout, cinG, kh, kw] = w.dims;
        const groups = int("group", 1);
        const kernel = ints("kernel_shape", [kh, kw]);
        if (kernel[0] !== kh || kernel[1] !== kw) throw new Error(`${at}: kernel_shape [${kernel}] disagrees with the weight [${w.dims.join(", ")}]`);
        const stride = ints("strides", [1, 1]);
        const dil = ints("dilations", [1, 1]);
        const pads = autoPads(at, str("auto_pad", "NOTSET"), ints("pads", [0, 0, 0, 0]), x.shape, [kh, kw], stride, dil);
        if (cinG * groups !== x.shape[0]) throw new Error(`${at}: weight [${w.dims.join(", ")}] with group ${groups} needs ${cinG * groups} input channels, the input has ${x.shape[0]}`);
        const layer = w.name.endsWith(".weight") ? w.name.slice(0, -7) : modulePath(n.name) || out;
        const name = unique(layer);
        used.delete(name);
        weights.set(`${name}.weight`, { shape: [...w.dims], data: decodedToFloat32(w) });
        initializerNames.set(`${name}.weight`, w.name);
        emit(name, { kind: "conv2d", weight: `${name}.weight`, inChannels: x.shape[0], outChannels: cout, kernel: [kh, kw], stride: pair(stride), padding: pads, dilation: pair(dil), groups, bias: n.inputs.length > 2 && n.inputs[2] !== "", role: /shortcut|downsample/i.test(name) ? "residual" : "conv" }, [x.dag]);
        return;
      }
      case "Gemm":
      case "MatMul": {
        const x = tensorIn(0);
        const wname = n.inputs[1];
        const w = g.initializers.get(wname);
        if (!w || w.dims.length !== 2) throw new Error(`${at}: the right operand '${wname}' must be a 2-D initializer (a linear layer)`);
        if (n.opType === "Gemm" && int("transA", 0) !== 0) throw new Error(`${at}: transA = 1 is not supported`);
        if (x.shape.length !== 1) throw new Error(`${at}: needs a flat [N, F] input, got [N, ${x.shape.join(", ")}]`);
        const transB = n.opType === "Gemm" ? int("transB", 0) : 0;
        const raw = decodedToFloat32(w);
        let data: Float32Array;
        let outF: number;
        let inF: number;
        if (transB) {
          [outF, inF] = w.dims;
          data = raw;
        } else {
          [inF, outF] = w.dims;
          data = new Float32Array(raw.length);
          for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) data[o * inF + i] = raw[i * outF + o];
        }
        const alpha = n.opType === "Gemm" ? float("alpha", 1) : 1;
        if (alpha !== 1) data = data.map((v) => v * alpha);
        const layer = w.name.endsWith(".weight") ? w.name.slice(0, -7) : modulePath(n.name) || out;
        const name = unique(layer);
        used.delete(name);
        weights.set(`${name}.weight`, { shape: [outF, inF], data });
        initializerNames.set(`${name}.weight`, w.name);
        emit(name, { kind: "linear", weight: `${name}.weight`, inFeatures: inF, outFeatures: outF, bias: n.opType === "Gemm" && n.inputs.length > 2 && n.inputs[2] !== "" }, [x.dag]);
        return;
      }
      case "BatchNormalization": {
        const x = tensorIn(0);
        const scale = g.initializers.get(n.inputs[1]);
        emit(modulePath(n.name) || baseName, { kind: "batchnorm", features: scale ? scale.dims[0] : x.shape[0] }, [x.dag]);
        return;
      }
      case "Clip": {
        const lo = n.inputs[1] ? c(n.inputs[1]).data[0] : float("min", -Infinity);
        const hi = n.inputs[2] ? c(n.inputs[2]).data[0] : float("max", Infinity);
        emit(baseName, { kind: "activation", fn: lo === 0 && hi === 6 ? "relu6" : "clip" }, [tensorIn(0).dag]);
        return;
      }
      case "Softmax":
      case "LogSoftmax":
        if ((consumers.get(out) ?? 0) !== 0 || !outputs.has(out)) throw new Error(`${at}: ${n.opType} is supported only as the network's last op (it mixes channels)`);
        emit(baseName, { kind: "activation", fn: n.opType.toLowerCase() }, [tensorIn(0).dag]);
        return;
      case "MaxPool":
      case "AveragePool": {
        const x = tensorIn(0);
        if (x.shape.length !== 3) throw new Error(`${at}: needs a [N, C, H, W] input`);
        if (n.outputs.length > 1 && n.outputs[1] !== "") throw new Error(`${at}: MaxPool indices output is not supported`);
        const k = ints("kernel_shape", []);
        if (k.length !== 2) throw new Error(`${at}: kernel_shape must have 2 entries, got [${k}]`);
        const stride = ints("strides", [1, 1]);
        const dil = ints("dilations", [1, 1]);
        const pads = autoPads(at, str("auto_pad", "NOTSET"), ints("pads", [0, 0, 0, 0]), x.shape, k, stride, dil);
        emit(baseName, { kind: n.opType === "MaxPool" ? "maxpool" : "avgpool", kernel: pair(k), stride: pair(stride), padding: pads, dilation: pair(dil), ceilMode: int("ceil_mode", 0) === 1 }, [x.dag]);
        return;
      }
      case "GlobalAveragePool":
      case "GlobalMaxPool":
        emit(baseName, { kind: "adaptivepool", mode: n.opType === "GlobalMaxPool" ? "max" : "avg", output: [1, 1] }, [tensorIn(0).dag]);
        return;
      case "ReduceMean":
      case "ReduceMax": {
        const x = tensorIn(0);
        const axes = (n.inputs[1] ? c(n.inputs[1]).data : ints("axes", [])).map((a) => (a < 0 ? a + 4 : a)).sort();
        if (x.shape.length !== 3 || axes.join(",") !== "2,3") throw new Error(`${at}: only a reduction over the two spatial axes of [N, C, H, W] is supported (axes [${axes}])`);
        emit(baseName, { kind: "adaptivepool", mode: n.opType === "ReduceMax" ? "max" : "avg", output: [1, 1] }, [x.dag]);
        if (int("keepdims", 1) === 0) emit(`${baseName}.flatten`, { kind: "flatten" }, [alias.get(out) as string]);
        return;
      }
      case "Flatten": {
        const x = tensorIn(0);
        const axis = int("axis", 1);
        if (axis !== 1) throw new Error(`${at}: Flatten with axis ${axis} (only 1: keep the batch axis)`);
        if (x.shape.length === 1) passThrough();
        else emit(baseName, { kind: "flatten" }, [x.dag]);
        return;
      }
      case "Reshape": {
        const x = tensorIn(0);
        const target = c(n.inputs[1]).data;
        const total = x.shape.reduce((a, b) => a * b, 1);
        const dims = target.map((d, i) => (d === 0 ? [1, ...x.shape][i] : d));
        const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        const resolved = dims.map((d) => (d === -1 ? total / known : d));
        if (resolved.length === 2 && resolved[0] === 1 && resolved[1] === total) {
          if (x.shape.length === 1) passThrough();
          else emit(baseName, { kind: "flatten" }, [x.dag]);
          return;
        }
        if (resolved.join(",") === [1, ...x.shape].join(",")) return passThrough();
        throw new Error(`${at}: Reshape of [N, ${x.shape.join(", ")}] to [${target.join(", ")}] is not a flatten to [N, −1]; only flatten-like reshapes are supported`);
      }
      case "Add":
      case "Sum": {
        const tensors = n.inputs.filter((i) => !isConst(i));
        if (tensors.length === 1) {
          // A bias (after MatMul) or a constant shift: no edges of its own.
          alias.set(out, tensorIn(n.inputs.indexOf(tensors[0])).dag);
          return;
        }
        emit(baseName, { kind: "add" }, tensors.map((t) => tensorIn(n.inputs.indexOf(t)).dag));
        return;
      }
      case "Mul":
      case "Div": {
        const tensors = n.inputs.filter((i) => !isConst(i));
        const k = n.inputs.find(isConst);
        if (tensors.length === 1 && k !== undefined && c(k).data.length === 1 && n.inputs[0] === tensors[0]) {
          if (c(k).data[0] === 0) throw new Error(`${at}: ${n.opType} by 0 removes every connection`);
          passThrough();
          return;
        }
        // x · σ(x) (SiLU / hard-swish as exported): elementwise, an activation of x.
        if (n.opType === "Mul" && tensors.length === 2) {
          for (const [a, b] of [[0, 1], [1, 0]]) {
            const p = producer.get(n.inputs[b]);
            if (p && ACTIVATIONS.has(p.opType) && p.inputs[0] === n.inputs[a]) {
              emit(baseName, { kind: "activation", fn: `${p.opType.toLowerCase()}-gated` }, [tensorIn(a).dag]);
              return;
            }
          }
        }
        throw new Error(`${at}: ${n.opType} of tensors (gating, attention) is not supported; only scaling by a constant scalar`);
      }
      case "Concat": {
        const axis = int("axis", 1);
        const ins = n.inputs.map((_, k) => tensorIn(k));
        if (axis !== 1 || ins.some((x) => x.shape.length !== 3)) throw new Error(`${at}: only channel concat (axis 1) of [N, C, H, W] maps is supported (axis ${axis})`);
        emit(baseName, { kind: "concat" }, ins.map((x) => x.dag));
        return;
      }
      case "Pad": {
        // PyTorch's avg_pool2d export puts a zero Pad in front of AveragePool.
        const pads = n.inputs[1] ? c(n.inputs[1]).data : ints("pads", []);
        if (pads.every((p) => p === 0)) {
          passThrough();
          return;
        }
        throw new Error(`${at}: Pad with non-zero pads [${pads.join(", ")}] is not supported (put the padding into the conv or pooling layer)`);
      }
      case "Dropout":
      case "Identity":
        if (n.outputs.length > 1 && n.outputs[1] !== "" && (consumers.get(n.outputs[1]) ?? 0) > 0) throw new Error(`${at}: the Dropout mask output is used`);
        passThrough();
        return;
      default:
        if (ACTIVATIONS.has(n.opType)) {
          emit(baseName, { kind: "activation", fn: n.opType.toLowerCase() }, [tensorIn(0).dag]);
          return;
        }
        throw new Error(`${at}: op ${n.opType} is not supported by the importer (supported: Conv, Gemm, MatMul, BatchNormalization, activations, pooling, Flatten/Reshape, Add, Concat, Dropout, Identity)`);
    }
  });
  const gout = g.outputs[0];
  if (!gout) throw new Error(`${where}: the graph has no output`);
  const outName = alias.get(gout.name);
  if (outName === undefined) throw new Error(`${where}: the graph output '${gout.name}' is not produced by a supported layer`);
  // Layers the output does not depend on (the σ(x) branch of a gated activation, unused heads) are dropped.
  const needed = new Set<string>([outName]);
  for (let i = nodes.length - 1; i >= 0; i--) if (needed.has(nodes[i].name)) for (const t of nodes[i].inputs) needed.add(t);
  const dag: DagSpec = { kind: "dag", name: options.name ?? file.replace(/^.*[\\/]/, "").replace(/\.onnx(\.gz)?$/i, ""), input, nodes: nodes.filter((n) => needed.has(n.name)), output: outName };
  for (const w of [...weights.keys()]) if (!dag.nodes.some((n) => (n.op.kind === "conv2d" || n.op.kind === "linear") && n.op.weight === w)) weights.delete(w);
  inferDagShapes(dag);
  return { dag, weights, initializerNames };
}

function pair(v: readonly number[]): Pair {
  return [v[0], v.length > 1 ? v[1] : v[0]];
}

/** Explicit pads [top, left, bottom, right] from ONNX pads [h_begin, w_begin, h_end, w_end] or auto_pad. */
function autoPads(at: string, autoPad: string, pads: number[], x: readonly number[], k: readonly number[], stride: readonly number[], dil: readonly number[]): Pads {
  if (autoPad === "NOTSET") {
    if (pads.length !== 4 || pads.some((p) => !(Number.isInteger(p) && p >= 0))) throw new Error(`${at}: pads must be 4 non-negative integers, got [${pads}]`);
    return [pads[0], pads[1], pads[2], pads[3]];
  }
  if (autoPad === "VALID") return [0, 0, 0, 0];
  if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    const p: number[] = [];
    for (let a = 0; a < 2; a++) {
      const out = Math.ceil(x[a + 1] / stride[a]);
      const total = Math.max(0, (out - 1) * stride[a] + dil[a] * (k[a] - 1) + 1 - x[a + 1]);
      const small = Math.floor(total / 2);
      p.push(autoPad === "SAME_UPPER" ? small : total - small, autoPad === "SAME_UPPER" ? total - small : small);
    }
    return [p[0], p[2], p[1], p[3]];
  }
  throw new Error(`${at}: auto_pad '${autoPad}' is not supported`);
}

interface FoldCtx {
  ints(k: string, def: number[]): number[];
  int(k: string, def: number): number;
  float(k: string, def: number): number;
  at: string;
}

function broadcast(at: string, a: Const, b: Const, f: (x: number, y: number) => number): Const {
  if (a.data.length === b.data.length) return { dims: a.dims, data: a.data.map((x, i) => f(x, b.data[i])) };
  if (b.data.length === 1) return { dims: a.dims, data: a.data.map((x) => f(x, b.data[0])) };
  if (a.data.length === 1) return { dims: b.dims, data: b.data.map((y) => f(a.data[0], y)) };
  throw new Error(`${at}: constant operands of ${a.data.length} and ${b.data.length} values do not broadcast`);
}

/** Folding of the shape sub-graphs around flatten/reshape (constants only, small vectors). */
const FOLD: Record<string, (ins: Const[], ctx: FoldCtx) => Const> = {
  Identity: ([a]) => a,
  Cast: ([a]) => a,
  Floor: ([a]) => ({ dims: a.dims, data: a.data.map(Math.floor) }),
  Add: ([a, b], x) => broadcast(x.at, a, b, (p, q) => p + q),
  Sub: ([a, b], x) => broadcast(x.at, a, b, (p, q) => p - q),
  Mul: ([a, b], x) => broadcast(x.at, a, b, (p, q) => p * q),
  Div: ([a, b], x) => broadcast(x.at, a, b, (p, q) => (Number.isInteger(p) && Number.isInteger(q) ? Math.trunc(p / q) : p / q)),
  Gather: ([a, idx], x) => {
    if (x.int("axis", 0) !== 0 || a.dims.length > 1) throw new Error(`${x.at}: constant Gather supported on 1-D data, axis 0`);
    const data = idx.data.map((i) => {
      const j = i < 0 ? i + a.data.length : i;
      if (!(j >= 0 && j < a.data.length)) throw new Error(`${x.at}: Gather index ${i} outside 0..${a.data.length - 1}`);
      return a.data[j];
    });
    return { dims: [...idx.dims], data };
  },
  Unsqueeze: ([a, axes], x) => {
    const ax = axes ? axes.data : x.ints("axes", []);
    const dims = [...a.dims];
    for (const k of [...ax].sort((p, q) => p - q)) dims.splice(k < 0 ? k + dims.length + 1 : k, 0, 1);
    return { dims, data: a.data };
  },
  Squeeze: ([a, axes], x) => {
    const ax = (axes ? axes.data : x.ints("axes", [])).map((k) => (k < 0 ? k + a.dims.length : k));
    return { dims: a.dims.filter((d, i) => (ax.length ? !ax.includes(i) : d !== 1)), data: a.data };
  },
  Concat: (ins, x) => {
    if (ins.some((t) => t.dims.length > 1)) throw new Error(`${x.at}: constant Concat supported on 1-D vectors`);
    const data = ins.flatMap((t) => t.data);
    return { dims: [data.length], data };
  },
  Slice: ([a, starts, ends, axes, steps], x) => {
    if (a.dims.length > 1) throw new Error(`${x.at}: constant Slice supported on 1-D vectors`);
    const s0 = starts ? starts.data[0] : x.ints("starts", [0])[0];
    const e0 = ends ? ends.data[0] : x.ints("ends", [a.data.length])[0];
    const st = steps && steps.data.length ? steps.data[0] : 1;
    if (axes && axes.data.length && axes.data[0] !== 0) throw new Error(`${x.at}: constant Slice on axis ${axes.data[0]}`);
    if (st !== 1) throw new Error(`${x.at}: constant Slice with step ${st}`);
    const n = a.data.length;
    const clamp = (v: number): number => Math.min(n, Math.max(0, v < 0 ? v + n : v));
    const data = a.data.slice(clamp(s0), clamp(e0));
    return { dims: [data.length], data };
  },
  ConstantOfShape: ([shape], x) => {
    const n = shape.data.reduce((p, q) => p * q, 1);
    if (n > 1 << 16) throw new Error(`${x.at}: ConstantOfShape of ${n} values`);
    return { dims: [...shape.data], data: new Array(n).fill(0) };
  },
};
