/**
 * tfjs implementation of `SparseModel` (./model-api) from an `ArchSpec` (./spec).
 *
 * - Initialisation as the reference (reference-notes §4): Kaiming-normal weights with fan-in mode and
 *   ReLU gain (std = √(2 / fan_in), fan_in = in/groups · k · k), biases zero and frozen (not trained:
 *   `frozen` lists them), BatchNorm γ = 1, β = 0, running mean 0 / var 1. Weights are drawn with the
 *   project's seeded `Rng` in PyTorch layout and layer order, so a seed fixes them exactly.
 * - Layouts: tfjs conv [kh, kw, in, out], depthwise [kh, kw, C, 1], linear [in, out], activations
 *   NHWC. `flatten` reorders to NCHW first so linear weights keep PyTorch's feature order.
 * - Padding: PyTorch's symmetric padding p; we use tfjs 'valid'/'same' where they coincide with it and
 *   an explicit pad otherwise (tfjs 'same' pads bottom/right first at stride 2).
 * - Masks: invariant "every masked weight is exactly 0 in the stored variable". `applyMasks()`
 *   restores it after masks change; the training loop also masks gradients and momentum.
 * - BatchNorm in training mode uses batch statistics (biased variance, eps 1e-5) and, when asked,
 *   updates running statistics as PyTorch does (momentum 0.1, unbiased variance).
 */
import * as tf from "@tensorflow/tfjs";
import type { ForwardOptions, SparseModel } from "./model-api";
import type { ArchSpec, BatchNormSpec, Conv2dSpec, LayerSpec, LinearSpec, PoolSpec, ResidualSpec } from "./spec";
import { numel, sameShape, type HostMask, type HostTensor, type MaskMap, type WeightMap } from "./tensors";
import { maxPoolFirstMax } from "./gradients";
import { batchNormInfer, batchNormReluTrain, batchNormTrain } from "./batchnorm-ops";
import { addRelu } from "./add-relu";
import { updateRunningStats } from "./running-stats";
import { Rng } from "../util/rng";
import { tfShapeOf, tfToTorch, torchToTf, type LayoutKind } from "./layout";
import { forEachLeafLayer } from "./architectures";
import { requireArchSpec, type Architecture } from "./architecture";

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

export interface BuildModelOptions {
  /** Seed of the Kaiming-normal initialisation (default 0). */
  seed?: number;
  /** Train conv/linear biases too (the reference freezes them at zero). Default false. */
  trainBiases?: boolean;
}

/** Forward options of this implementation: the shared ones plus running-statistics updates. */
export interface ModelForwardOptions extends ForwardOptions {
  /** In training mode, also update BatchNorm running statistics (the training loop sets this). */
  updateRunningStats?: boolean;
}

/** Host layout (PyTorch) ↔ tfjs layout of one parameter. */

interface ParamInfo {
  readonly name: string;
  /** PyTorch shape. */
  readonly hostShape: readonly number[];
  readonly layout: LayoutKind;
}

let modelCounter = 0;

export class TfSparseModel implements SparseModel {
  readonly spec: ArchSpec;
  readonly params = new Map<string, tf.Variable>();
  readonly buffers = new Map<string, tf.Variable>();
  readonly prunable: readonly string[];
  readonly masks = new Map<string, tf.Tensor>();
  /** Parameters that SGD must not update (conv/linear biases unless `trainBiases`). */
  readonly frozen: ReadonlySet<string>;
  /** PyTorch shape and layout of every parameter and buffer. */
  readonly info: ReadonlyMap<string, ParamInfo>;
  /** Prefix making tfjs variable names unique per model (variableGrads keys by variable name). */
  readonly id: string;

  constructor(spec: ArchSpec, options: BuildModelOptions = {}) {
    this.spec = spec;
    this.id = `m${modelCounter++}`;
    const seed = options.seed ?? 0;
    const rng = new Rng(seed);
    const info = new Map<string, ParamInfo>();
    const prunable: string[] = [];
    const frozen = new Set<string>();
    checkSpec(spec);
    forEachLeafLayer(spec.layers, (l) => {
      if (l.kind === "conv2d" || l.kind === "linear") {
        const depthwise = l.kind === "conv2d" && l.groups !== 1;
        const hostShape = l.kind === "conv2d" ? [l.outChannels, l.inChannels / l.groups, l.kernel, l.kernel] : [l.outFeatures, l.inFeatures];
        const fanIn = numel(hostShape.slice(1));
        const std = Math.sqrt(2 / fanIn);
        const data = new Float32Array(numel(hostShape));
        for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
        const wName = `${l.name}.weight`;
        const layout: LayoutKind = l.kind === "linear" ? "linear" : depthwise ? "depthwise" : "conv";
        this.addParam(info, { name: wName, hostShape, layout }, { shape: hostShape, data }, true);
        prunable.push(wName);
        this.masks.set(wName, tf.keep(tf.ones(tfShapeOf(hostShape, layout))));
        if (l.bias) {
          const bName = `${l.name}.bias`;
          const n = hostShape[0];
          this.addParam(info, { name: bName, hostShape: [n], layout: "vector" }, { shape: [n], data: new Float32Array(n) }, true);
          if (!options.trainBiases) frozen.add(bName);
        }
      } else if (l.kind === "batchnorm") {
        const n = l.features;
        const vec = (name: string, v: number, trainable: boolean): void =>
          this.addParam(info, { name, hostShape: [n], layout: "vector" }, { shape: [n], data: new Float32Array(n).fill(v) }, trainable);
        vec(`${l.name}.weight`, 1, true);
        vec(`${l.name}.bias`, 0, true);
        vec(`${l.name}.running_mean`, 0, false);
        vec(`${l.name}.running_var`, 1, false);
      }
    });
    this.prunable = prunable;
    this.frozen = frozen;
    this.info = info;
  }

  private addParam(info: Map<string, ParamInfo>, p: ParamInfo, host: HostTensor, trainable: boolean): void {
    if (info.has(p.name)) throw new Error(`nn/model: ${this.spec.name}: duplicate parameter name '${p.name}'`);
    info.set(p.name, p);
    const init = hostToTf(host, p.layout);
    const v = tf.variable(init, trainable, `${this.id}/${p.name}`);
    // The variable holds its own reference to the data: the initial tensor would otherwise stay
    // registered after model.dispose() (one leaked tensor per parameter and buffer).
    init.dispose();
    (trainable ? this.params : this.buffers).set(p.name, v);
  }

  /** Parameters SGD updates, in state_dict order. */
  trainableNames(): string[] {
    return [...this.params.keys()].filter((n) => !this.frozen.has(n));
  }

  /** Replaces a mask (tfjs layout or PyTorch-shaped HostMask) and zeroes the pruned weights. */
  setMask(name: string, mask: tf.Tensor | HostMask): void {
    const w = this.params.get(name);
    if (!w || !this.prunable.includes(name)) throw new Error(`nn/model: ${this.spec.name}: '${name}' is not a prunable weight`);
    let t: tf.Tensor;
    if (mask instanceof tf.Tensor) {
      if (!sameShape(mask.shape, w.shape)) throw new Error(`nn/model: mask for ${name} has shape [${mask.shape}], weight has [${w.shape}] (tfjs layout)`);
      t = tf.keep(tf.cast(mask, "float32"));
    } else {
      const p = this.info.get(name);
      if (!p) throw new Error(`nn/model: no layout info for ${name}`);
      if (!sameShape(mask.shape, p.hostShape)) throw new Error(`nn/model: mask for ${name} has shape [${mask.shape}], the PyTorch weight has [${p.hostShape}]`);
      t = tf.keep(hostToTf({ shape: mask.shape, data: Float32Array.from(mask.data) }, p.layout));
    }
    const old = this.masks.get(name);
    this.masks.set(name, t);
    if (old && old !== t) old.dispose();
    tf.tidy(() => w.assign(tf.mul(w, t)));
  }

  /** Zeroes every masked weight (after masks were replaced through `model.masks.set`). */
  applyMasks(): void {
    tf.tidy(() => {
      for (const name of this.prunable) {
        const m = this.masks.get(name);
        const w = this.params.get(name);
        if (!m || !w) throw new Error(`nn/model: ${this.spec.name}: no mask or weight for ${name}`);
        if (!sameShape(m.shape, w.shape)) throw new Error(`nn/model: mask for ${name} has shape [${m.shape}], weight has [${w.shape}]`);
        w.assign(tf.mul(w, m));
      }
    });
  }

  /** Fraction of prunable weights kept by the masks. */
  density(): number {
    let kept = 0;
    let total = 0;
    for (const name of this.prunable) {
      const m = this.masks.get(name);
      if (!m) continue;
      kept += tf.tidy(() => tf.sum(m).dataSync()[0]);
      total += m.size;
    }
    return total === 0 ? 1 : kept / total;
  }

  forward(x: tf.Tensor4D, options: ModelForwardOptions, params?: ReadonlyMap<string, tf.Tensor>): tf.Tensor2D {
    if (x.rank !== 4 || x.shape[3] !== this.spec.inputChannels) {
      throw new Error(`nn/model: ${this.spec.name}: input must be [batch, H, W, ${this.spec.inputChannels}], got [${x.shape}]`);
    }
    const get = (name: string): tf.Tensor => {
      const t = params?.get(name) ?? this.params.get(name) ?? this.buffers.get(name);
      if (!t) throw new Error(`nn/model: ${this.spec.name}: missing parameter '${name}'`);
      return t;
    };
    const frozenZero = (name: string): boolean => {
      if (!this.frozen.has(name) || params?.has(name)) return false;
      const v = this.params.get(name);
      return v !== undefined && isAllZero(v);
    };
    const out = runLayers(this.spec.layers, x, { get, frozenZero, options, model: this });
    if (out.rank !== 2) throw new Error(`nn/model: ${this.spec.name}: output has rank ${out.rank} (shape [${out.shape}]); the spec must end in a linear layer`);
    return out as tf.Tensor2D;
  }

  /** Frees every tensor the model holds. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    for (const v of this.buffers.values()) v.dispose();
    for (const m of this.masks.values()) m.dispose();
  }
}

/** Builds a model from a spec with Kaiming-normal weights (seeded), zero frozen biases and all-ones masks. */
export function buildModel(spec: ArchSpec, options: BuildModelOptions = {}): TfSparseModel {
  // An imported DAG has no tfjs counterpart: refuse it by name rather than fail inside the builder.
  return new TfSparseModel(requireArchSpec(spec as Architecture, "nn/model: buildModel"), options);
}

// ---------------------------------------------------------------------------------------------
// forward

interface Ctx {
  get(name: string): tf.Tensor;
  /** True when `name` is a frozen model variable (not overridden) holding only zeros. */
  frozenZero(name: string): boolean;
  options: ModelForwardOptions;
  model: TfSparseModel;
}

function runLayers(layers: readonly LayerSpec[], x: tf.Tensor, ctx: Ctx): tf.Tensor {
  let h = x;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const reluNext = layers[i + 1]?.kind === "relu";
    // BatchNorm + ReLU as one op: the backend's fused kernels make one pass each way
    if (l.kind === "batchnorm" && reluNext && !ctx.options.noBatchNorm) {
      h = batchNorm(l, h, ctx, true);
      i++;
      continue;
    }
    // a block lifted from a DAG ends at its add, and the ReLU after it is the next layer
    if (l.kind === "residual" && l.post.length === 0 && reluNext) {
      h = residual(l, h, ctx, true);
      i++;
      continue;
    }
    h = runLayer(l, h, ctx);
  }
  return h;
}

function runLayer(l: LayerSpec, x: tf.Tensor, ctx: Ctx): tf.Tensor {
  switch (l.kind) {
    case "conv2d":
      return conv(l, x as tf.Tensor4D, ctx);
    case "linear":
      return linear(l, x, ctx);
    case "batchnorm":
      return batchNorm(l, x, ctx);
    case "maxpool":
    case "avgpool":
      return pool(l, x as tf.Tensor4D, ctx.options.maxPoolTies === "first");
    case "globalavgpool":
      if (x.rank !== 4) throw new Error(`nn/model: globalavgpool needs a [N,H,W,C] input, got [${x.shape}]`);
      return tf.mean(x, [1, 2]);
    case "flatten":
      // NCHW order, as torch.flatten / view(N, -1) of the official models
      // (the transpose is skipped when it is the identity: one channel or a 1×1 map)
      if (x.rank === 2) return x;
      if (x.rank === 4 && x.shape[3] !== 1 && (x.shape[1] ?? 1) * (x.shape[2] ?? 1) !== 1) return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [x.shape[0], -1]);
      return tf.reshape(x, [x.shape[0], -1]);
    case "relu":
      return tf.relu(x);
    case "relu6":
      return tf.relu6(x);
    case "residual":
      return residual(l, x, ctx, false);
  }
}

/**
 * A residual block. The add and a ReLU right after it (the block's first `post` layer, or with
 * `reluAfter` the layer after a block without post layers, which the caller then skips) run as one
 * op: the backend's fused kernel makes one pass.
 */
function residual(l: ResidualSpec, x: tf.Tensor, ctx: Ctx, reluAfter: boolean): tf.Tensor {
  const pre = runLayers(l.pre, x, ctx);
  const body = runLayers(l.body, pre, ctx);
  const sc = l.shortcut.length === 0 ? (l.shortcutFromPre ? pre : x) : runLayers(l.shortcut, l.shortcutFromPre ? pre : x, ctx);
  if (!sameShape(body.shape, sc.shape)) {
    throw new Error(`nn/model: residual block ${l.name}: body output [${body.shape}] and shortcut [${sc.shape}] differ`);
  }
  if (l.post.length === 0) return reluAfter ? addRelu(body, sc) : tf.add(body, sc);
  if (l.post[0].kind === "relu") return runLayers(l.post.slice(1), addRelu(body, sc), ctx);
  return runLayers(l.post, tf.add(body, sc), ctx);
}

/** tfjs padding equivalent to PyTorch's symmetric padding p, or null when an explicit pad is needed. */
function tfPadding(H: number, W: number, k: number, s: number, p: number): "same" | "valid" | null {
  if (p === 0) return "valid";
  const outT = Math.floor((H + 2 * p - k) / s) + 1;
  const outS = Math.ceil(H / s);
  const total = Math.max((outS - 1) * s + k - H, 0);
  const outTW = Math.floor((W + 2 * p - k) / s) + 1;
  const totalW = Math.max((Math.ceil(W / s) - 1) * s + k - W, 0);
  if (outT === outS && Math.floor(total / 2) === p && outTW === Math.ceil(W / s) && Math.floor(totalW / 2) === p) return "same";
  return null;
}

function padded(x: tf.Tensor4D, p: number, value = 0): tf.Tensor4D {
  return tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], value);
}

function conv(l: Conv2dSpec, x: tf.Tensor4D, ctx: Ctx): tf.Tensor {
  const w = ctx.get(`${l.name}.weight`) as tf.Tensor4D;
  // PyTorch's symmetric padding as tfjs's numeric pad where 'same'/'valid' differ from it (stride 2
  // pads 0/1 under 'same', PyTorch 1/1): the conv kernels pad inside, with no PadV2 pass and no
  // Slice in the gradient
  const pad = tfPadding(x.shape[1], x.shape[2], l.kernel, l.stride, l.padding) ?? l.padding;
  const y = l.groups === 1 ? tf.conv2d(x, w, l.stride, pad) : tf.depthwiseConv2d(x, w, l.stride, pad);
  return addBias(y, `${l.name}.bias`, l.bias, ctx);
}

/**
 * y + bias, skipped when the bias is the model's own frozen variable and all zero (the reference
 * freezes conv/linear biases at 0): the broadcast add costs as much as a small conv on wasm, and
 * y + 0 = y. An override in `params` (pruning scores differentiate w.r.t. biases) is always added.
 */
function addBias(y: tf.Tensor, name: string, hasBias: boolean, ctx: Ctx): tf.Tensor {
  if (!hasBias) return y;
  if (ctx.frozenZero(name)) return y;
  return tf.add(y, ctx.get(name));
}

const zeroData = new WeakMap<object, boolean>();

/** Whether a tensor is all zero, cached by data id (variables get a new data id on every assign). */
function isAllZero(t: tf.Tensor): boolean {
  const key: object = t.dataId;
  let v = zeroData.get(key);
  if (v === undefined) {
    const d = t.dataSync();
    v = true;
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== 0) {
        v = false;
        break;
      }
    }
    zeroData.set(key, v);
  }
  return v;
}

function linear(l: LinearSpec, x: tf.Tensor, ctx: Ctx): tf.Tensor {
  if (x.rank !== 2 || x.shape[1] !== l.inFeatures) throw new Error(`nn/model: linear ${l.name} expects [N, ${l.inFeatures}], got [${x.shape}]`);
  const y = tf.matMul(x as tf.Tensor2D, ctx.get(`${l.name}.weight`) as tf.Tensor2D);
  return addBias(y, `${l.name}.bias`, l.bias, ctx);
}

/** BatchNorm; `relu`: followed by ReLU, as one op. */
function batchNorm(l: BatchNormSpec, x: tf.Tensor, ctx: Ctx, relu = false): tf.Tensor {
  if (ctx.options.noBatchNorm) return x;
  const gamma = ctx.get(`${l.name}.weight`);
  const beta = ctx.get(`${l.name}.bias`);
  if (ctx.options.training) {
    const train = relu ? batchNormReluTrain : batchNormTrain;
    if (!ctx.options.updateRunningStats) return train(x, gamma, beta, BN_EPS);
    const rm = ctx.model.buffers.get(`${l.name}.running_mean`);
    const rv = ctx.model.buffers.get(`${l.name}.running_var`);
    if (!rm || !rv) throw new Error(`nn/model: missing running statistics of ${l.name}`);
    const M = x.size / x.shape[x.rank - 1];
    if (M < 2) throw new Error(`nn/model: BatchNorm ${l.name} in training mode needs more than 1 value per channel, got input [${x.shape}]`);
    return train(x, gamma, beta, BN_EPS, (mean, variance) => updateRunningStats(rm, rv, mean, variance, M, BN_MOMENTUM));
  }
  return batchNormInfer(x, gamma, beta, ctx.get(`${l.name}.running_mean`), ctx.get(`${l.name}.running_var`), BN_EPS, relu);
}

function pool(l: PoolSpec, x: tf.Tensor4D, firstMax: boolean): tf.Tensor {
  if (x.rank !== 4) throw new Error(`nn/model: ${l.kind} needs a [N,H,W,C] input, got [${x.shape}]`);
  let xi = x;
  if (l.padding > 0) xi = padded(x, l.padding, l.kind === "maxpool" ? -3.4e38 : 0);
  if (l.kind === "avgpool") return tf.avgPool(xi, l.kernel, l.stride, "valid");
  return firstMax ? maxPoolFirstMax(xi, l.kernel, l.stride) : tf.maxPool(xi, l.kernel, l.stride, "valid");
}

// ---------------------------------------------------------------------------------------------
// layouts and host conversion

function hostToTf(h: HostTensor, layout: LayoutKind): tf.Tensor {
  return tf.tidy(() => torchToTf(tf.tensor(h.data, [...h.shape], "float32"), layout, tfShapeOf(h.shape, layout)));
}

function tfToHost(t: tf.Tensor, layout: LayoutKind): HostTensor {
  return tf.tidy(() => {
    const h = tfToTorch(t, layout);
    return { shape: [...h.shape], data: Float32Array.from(h.dataSync() as Float32Array) };
  });
}

/** Weights (parameters + BN running statistics) and masks in PyTorch layout, by state_dict name. */
export function modelToHost(model: TfSparseModel): { weights: WeightMap; masks: MaskMap } {
  const weights: WeightMap = new Map();
  for (const [name, p] of model.info) {
    const v = model.params.get(name) ?? model.buffers.get(name);
    if (!v) throw new Error(`nn/model: missing tensor ${name}`);
    weights.set(name, tfToHost(v, p.layout));
  }
  const masks: MaskMap = new Map();
  for (const name of model.prunable) {
    const m = model.masks.get(name);
    const p = model.info.get(name);
    if (!m || !p) throw new Error(`nn/model: missing mask of ${name}`);
    const h = tfToHost(m, p.layout);
    const data = new Uint8Array(h.data.length);
    for (let i = 0; i < data.length; i++) data[i] = h.data[i] !== 0 ? 1 : 0;
    masks.set(name, { shape: h.shape, data });
  }
  return { weights, masks };
}

export interface LoadHostOptions {
  /** Accept weight maps that lack some of the model's tensors (they keep their current values). Default false. */
  allowMissing?: boolean;
}

/**
 * Loads PyTorch-layout weights (and optionally masks) into the model. Unknown names are an error
 * (except PyTorch's `num_batches_tracked` counters); shapes must match exactly. Masks given are
 * applied, so masked weights become exactly 0 even when the file stored nonzero values there.
 */
export function loadHostWeights(model: TfSparseModel, weights: WeightMap, masks?: MaskMap, options: LoadHostOptions = {}): void {
  for (const [name, h] of weights) {
    if (name.endsWith("num_batches_tracked")) continue;
    const p = model.info.get(name);
    if (!p) throw new Error(`nn/model: ${model.spec.name}: the weights have '${name}', which the model does not (model tensors: ${[...model.info.keys()].slice(0, 6).join(", ")}, …)`);
    if (!sameShape(h.shape, p.hostShape)) throw new Error(`nn/model: ${model.spec.name}: '${name}' has shape [${h.shape}], the model expects [${p.hostShape}]`);
    if (h.data.length !== numel(h.shape)) throw new Error(`nn/model: '${name}' has ${h.data.length} values for shape [${h.shape}]`);
  }
  if (!options.allowMissing) {
    const missing = [...model.info.keys()].filter((n) => !weights.has(n));
    if (missing.length > 0) throw new Error(`nn/model: ${model.spec.name}: the weights lack ${missing.length} tensor(s): ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`);
  }
  if (masks) {
    for (const [name, m] of masks) {
      const p = model.info.get(name);
      if (!p || !model.prunable.includes(name)) throw new Error(`nn/model: ${model.spec.name}: mask for '${name}', which is not a prunable weight`);
      if (!sameShape(m.shape, p.hostShape)) throw new Error(`nn/model: ${model.spec.name}: mask '${name}' has shape [${m.shape}], the weight has [${p.hostShape}]`);
      for (let i = 0; i < m.data.length; i++) {
        if (m.data[i] > 1) throw new Error(`nn/model: mask '${name}' has value ${m.data[i]} at ${i}; masks are 0/1`);
      }
    }
  }
  for (const [name, h] of weights) {
    if (name.endsWith("num_batches_tracked")) continue;
    const p = model.info.get(name);
    const v = model.params.get(name) ?? model.buffers.get(name);
    if (!p || !v) continue;
    const t = hostToTf(h, p.layout);
    v.assign(t);
    t.dispose();
  }
  if (masks) for (const [name, m] of masks) model.setMask(name, m);
  model.applyMasks();
}

// ---------------------------------------------------------------------------------------------
// helpers

function checkSpec(spec: ArchSpec): void {
  forEachLeafLayer(spec.layers, (l) => {
    if (l.kind === "conv2d") {
      if (l.groups !== 1 && !(l.groups === l.inChannels && l.outChannels === l.inChannels)) {
        throw new Error(`nn/model: ${spec.name}: conv ${l.name} has groups=${l.groups} (in ${l.inChannels}, out ${l.outChannels}); only dense and depthwise (groups = in = out) convs are supported`);
      }
      if (l.kernel < 1 || l.stride < 1 || l.padding < 0) throw new Error(`nn/model: ${spec.name}: conv ${l.name} has kernel ${l.kernel}, stride ${l.stride}, padding ${l.padding}`);
    }
  });
}

/** A tensor laid out like parameter `name` (a gradient, a momentum buffer) in PyTorch layout. */
export function paramTensorToHost(model: TfSparseModel, name: string, t: tf.Tensor): HostTensor {
  const p = model.info.get(name);
  if (!p) throw new Error(`nn/model: ${model.spec.name}: unknown parameter '${name}'`);
  return tfToHost(t, p.layout);
}

/** The inverse of `paramTensorToHost`: a PyTorch-layout tensor in parameter `name`'s tfjs layout. */
export function paramTensorFromHost(model: TfSparseModel, name: string, h: HostTensor): tf.Tensor {
  const p = model.info.get(name);
  if (!p) throw new Error(`nn/model: ${model.spec.name}: unknown parameter '${name}'`);
  if (!sameShape(h.shape, p.hostShape)) throw new Error(`nn/model: ${model.spec.name}: '${name}' has shape [${h.shape}], expected [${p.hostShape}]`);
  return hostToTf(h, p.layout);
}
