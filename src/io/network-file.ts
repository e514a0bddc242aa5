/**
 * The network-file format: a sparse network as one safetensors file — weights by state_dict name
 * (PyTorch layout, any float dtype on reading, F32 by default on writing), masks as `<weight>_mask`
 * (U8 on writing; U8/BOOL or 0/1 floats on reading), string metadata, and any extra tensors a
 * caller adds (a checkpoint's momentum buffers). The layout of the reference fixtures and of the
 * official code's `torch.save` converted with safetensors.
 *
 * A pure format layer: it knows names, dtypes and shapes, never an architecture. What a network of
 * a given architecture must hold (which weights, which shapes) is checked by nn/network-file's
 * `loadNetwork(file, spec)`, which hands this reader the expected names and shapes.
 */
import type { HostMask, HostTensor, MaskMap, WeightMap } from "../nn/tensors";
import { numel } from "../nn/tensors";
import { FLOAT_DTYPES, readSafetensors, toFloat32, writeSafetensors, type RawTensor, type TensorToWrite } from "./safetensors";

/** Suffix of a weight's mask tensor: `conv1.weight` → `conv1.weight_mask`. */
export const MASK_SUFFIX = "_mask";

export interface LoadedNetwork {
  readonly weights: WeightMap;
  readonly masks: MaskMap;
  readonly metadata: Record<string, string>;
}

/** A stored mask as 0/1 bytes. @throws naming the tensor and index of a value other than 0 or 1. */
export function readMask(where: string, name: string, t: RawTensor): Uint8Array {
  const n = numel(t.shape);
  if (t.dtype === "U8" || t.dtype === "BOOL") {
    for (let i = 0; i < n; i++) if (t.bytes[i] > 1) throw new Error(`${where}: mask '${name}' has value ${t.bytes[i]} at flat index ${i} (expected 0 or 1)`);
    return t.bytes.subarray(0, n);
  }
  const f = toFloat32(t);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (f[i] !== 0 && f[i] !== 1) throw new Error(`${where}: mask '${name}' has value ${f[i]} at flat index ${i} (expected 0 or 1)`);
    out[i] = f[i];
  }
  return out;
}

/** The tensors of a network file: each weight followed by its mask (U8), then the extra tensors. */
export function networkTensors(weights: WeightMap, masks: MaskMap | null, weightDtype: "F32" | "F16" | "BF16" = "F32", extra: readonly [string, TensorToWrite][] = []): [string, TensorToWrite][] {
  const list: [string, TensorToWrite][] = [];
  for (const [name, w] of weights) {
    list.push([name, { dtype: weightDtype, shape: w.shape, data: w.data }]);
    const m = masks?.get(name);
    if (m) {
      if (m.shape.join(",") !== w.shape.join(",")) throw new Error(`io/network-file: mask of '${name}' has shape [${m.shape.join(", ")}], weight has [${w.shape.join(", ")}]`);
      list.push([name + MASK_SUFFIX, { dtype: "U8", shape: m.shape, data: m.data }]);
    }
  }
  list.push(...extra);
  return list;
}

/** Writes weights (F32 by default), their masks (U8, `<name>_mask`) and metadata in the fixtures' layout. */
export function saveNetwork(file: string, weights: WeightMap, masks: MaskMap | null, metadata: Record<string, string> = {}, weightDtype: "F32" | "F16" | "BF16" = "F32"): void {
  writeSafetensors(file, networkTensors(weights, masks, weightDtype), metadata);
}

export interface ReadNetworkOptions {
  /** Weights that must be present, with these shapes; every other non-mask tensor is then unknown. */
  readonly expected?: ReadonlyMap<string, readonly number[]>;
  /** Names accepted besides `expected` and skipped (biases, BN parameters and buffers). */
  readonly others?: ReadonlySet<string>;
  /** Accept and skip tensors that are neither expected, other, nor masks. */
  readonly allowUnknown?: boolean;
  /** What the expected weights belong to, for messages (an architecture's name). */
  readonly label?: string;
}

function checkFinite(where: string, name: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new Error(`${where}: tensor '${name}' has a non-finite value ${data[i]} at flat index ${i}`);
  }
}

/**
 * Reads a network file: weights (widened to Float32) and masks (where absent, mask = weight ≠ 0).
 * With `expected`, every expected weight must be present with its shape and unknown tensors are
 * errors. NaN/Inf weights are errors.
 */
export function readNetwork(file: string, options: ReadNetworkOptions = {}): LoadedNetwork {
  const where = `io/network-file: ${file}`;
  const st = readSafetensors(file);
  const weights: WeightMap = new Map();
  const masks: MaskMap = new Map();
  const expected = options.expected ?? null;
  const others = options.others ?? new Set<string>();
  const label = options.label ?? "the network";
  if (expected) {
    for (const [name, shape] of expected) {
      const t = st.tensors.get(name);
      if (!t) throw new Error(`${where}: missing tensor '${name}' (layer ${name.slice(0, -".weight".length)} of ${label}, shape [${shape.join(", ")}])`);
      if (t.shape.join(",") !== shape.join(",")) {
        throw new Error(`${where}: layer ${name.slice(0, -".weight".length)}: '${name}' has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}] for ${label}`);
      }
    }
  }
  for (const [name, t] of st.tensors) {
    if (name.endsWith(MASK_SUFFIX)) {
      const wname = name.slice(0, -MASK_SUFFIX.length);
      const w = st.tensors.get(wname);
      if (!w) throw new Error(`${where}: mask '${name}' has no weight '${wname}'`);
      if (w.shape.join(",") !== t.shape.join(",")) throw new Error(`${where}: mask '${name}' has shape [${t.shape.join(", ")}] but '${wname}' has [${w.shape.join(", ")}]`);
      continue;
    }
    if (expected && !expected.has(name)) {
      if (others.has(name) || options.allowUnknown) continue;
      throw new Error(`${where}: unknown tensor '${name}' (not a weight of ${label}; pass allowUnknown to ignore it)`);
    }
    if (!FLOAT_DTYPES.includes(t.dtype)) throw new Error(`${where}: tensor '${name}' has dtype ${t.dtype}, expected a float dtype (F32, F16, BF16, F64)`);
    const data = toFloat32(t);
    checkFinite(where, name, data);
    const weight: HostTensor = { shape: t.shape, data };
    weights.set(name, weight);
    const mt = st.tensors.get(name + MASK_SUFFIX);
    let mdata: Uint8Array;
    if (mt) mdata = readMask(where, name + MASK_SUFFIX, mt);
    else {
      mdata = new Uint8Array(data.length);
      for (let i = 0; i < data.length; i++) mdata[i] = data[i] !== 0 ? 1 : 0;
    }
    const mask: HostMask = { shape: t.shape, data: mdata };
    masks.set(name, mask);
  }
  return { weights, masks, metadata: st.metadata };
}
