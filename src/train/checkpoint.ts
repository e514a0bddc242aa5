/**
 * Training checkpoints and trained/pruned networks as safetensors (io/safetensors):
 * - weights by state_dict name (F32, PyTorch layout; BN running statistics included),
 * - masks as `<weight>_mask` (U8), the layout of the reference fixtures (io/network-file, through
 *   which the checkpoint adds its own tensors),
 * - momentum buffers as `optimizer.momentum.<param>` (F32, PyTorch layout),
 * - metadata: format, architecture, completed epochs, seed, recipe, per-epoch history and the
 *   states of the stateful training hooks (`hook_states`: JSON [{kind, state}], e.g. a DST
 *   pruner's Rng and update log) — absent in checkpoints written before hook states were saved.
 * Files are written to a temporary name and renamed, so an interrupted write leaves the previous
 * checkpoint intact.
 */
import * as tf from "@tensorflow/tfjs";
import { renameSync } from "node:fs";
import { modelToHost, loadHostWeights, paramTensorFromHost, paramTensorToHost, type TfSparseModel } from "../nn/model";
import type { HostMask, MaskMap, WeightMap } from "../nn/tensors";
import { readSafetensors, toFloat32, writeSafetensors, type TensorToWrite } from "../io/safetensors";
import { MASK_SUFFIX, networkTensors, readMask } from "../io/network-file";
import type { MaskedSgd } from "./sgd";
import type { TrainRecipe } from "./recipes";
import type { EpochRecord } from "./train";
import type { HookStateRecord, JsonValue } from "./hooks";

export const CHECKPOINT_FORMAT = "snn-topology-checkpoint-1";
const MOMENTUM_PREFIX = "optimizer.momentum.";
const HOOK_STATES_KEY = "hook_states";

export interface CheckpointState {
  /** Completed epochs. */
  readonly epoch: number;
  readonly seed: number;
  readonly recipe: TrainRecipe;
  readonly history: readonly EpochRecord[];
  /**
   * States of the run's stateful hooks, in hook order ([] for a run without any). On reading,
   * undefined means the file predates hook states (the training loop then refuses stateful hooks).
   */
  readonly hookStates?: readonly HookStateRecord[];
}

/** Writes the model (weights + masks), the optimizer's momentum and the training state. */
export function saveCheckpoint(path: string, model: TfSparseModel, optimizer: MaskedSgd | null, state: CheckpointState): void {
  const extra: [string, TensorToWrite][] = [];
  if (optimizer) {
    for (const [name, buf] of optimizer.momentum) {
      const h = paramTensorToHost(model, name, buf);
      extra.push([MOMENTUM_PREFIX + name, { dtype: "F32", shape: h.shape, data: h.data }]);
    }
  }
  saveModel(path, model, {
    format: CHECKPOINT_FORMAT,
    epoch: String(state.epoch),
    seed: String(state.seed),
    recipe: JSON.stringify(state.recipe),
    history: JSON.stringify(state.history),
    [HOOK_STATES_KEY]: JSON.stringify(state.hookStates ?? []),
  }, extra);
}

/** Writes a model's weights and masks (the fixtures' layout) plus string metadata and extra tensors. */
export function saveModel(path: string, model: TfSparseModel, metadata: Record<string, string> = {}, extra: [string, TensorToWrite][] = []): void {
  const { weights, masks } = modelToHost(model);
  const list = networkTensors(weights, masks, "F32", extra);
  const tmp = `${path}.tmp-${process.pid}`;
  writeSafetensors(tmp, list, { arch: model.spec.name, ...metadata });
  renameSync(tmp, path);
}

export interface ModelFile {
  readonly weights: WeightMap;
  readonly masks: MaskMap;
  readonly momentum: WeightMap;
  readonly metadata: Record<string, string>;
}

/** Reads every tensor of a model file: weights, `_mask` masks (U8/BOOL or 0/1 floats) and momentum buffers. */
export function readModelFile(path: string): ModelFile {
  const st = readSafetensors(path);
  const weights: WeightMap = new Map();
  const masks: MaskMap = new Map();
  const momentum: WeightMap = new Map();
  for (const [name, t] of st.tensors) {
    if (name.endsWith(MASK_SUFFIX)) {
      const data = Uint8Array.from(readMask(`train/checkpoint: ${path}`, name, t));
      const mask: HostMask = { shape: t.shape, data };
      masks.set(name.slice(0, -MASK_SUFFIX.length), mask);
      continue;
    }
    if (t.dtype === "I64" || t.dtype === "I32" || t.dtype === "I16" || t.dtype === "I8" || t.dtype === "U8" || t.dtype === "BOOL") {
      if (name.endsWith("num_batches_tracked")) continue;
      throw new Error(`train/checkpoint: ${path}: tensor '${name}' has dtype ${t.dtype}, expected a float dtype`);
    }
    const h = { shape: t.shape, data: toFloat32(t) };
    if (name.startsWith(MOMENTUM_PREFIX)) momentum.set(name.slice(MOMENTUM_PREFIX.length), h);
    else weights.set(name, h);
  }
  return { weights, masks, momentum, metadata: st.metadata };
}

/**
 * Loads a model file into `model`: weights (a file with only some tensors, e.g. only the prunable
 * weights, is accepted when `allowMissing`), masks for prunable weights, and nothing else.
 */
export function loadModelFile(path: string, model: TfSparseModel, options: { allowMissing?: boolean } = {}): ModelFile {
  const f = readModelFile(path);
  if (f.metadata.arch !== undefined && f.metadata.arch !== model.spec.name) {
    throw new Error(`train/checkpoint: ${path} holds a '${f.metadata.arch}' network, the model is '${model.spec.name}'`);
  }
  const masks: MaskMap = new Map();
  for (const [k, v] of f.masks) {
    if (model.prunable.includes(k)) masks.set(k, v);
    else if (!model.info.has(k)) throw new Error(`train/checkpoint: ${path}: mask for '${k}', which ${model.spec.name} does not have`);
  }
  try {
    loadHostWeights(model, f.weights, masks, { allowMissing: options.allowMissing ?? false });
  } catch (err) {
    throw new Error(`train/checkpoint: ${path}: ${(err as Error).message}`);
  }
  return f;
}

function parseJson(path: string, key: string, raw: string | undefined): unknown {
  if (raw === undefined) throw new Error(`train/checkpoint: ${path}: metadata '${key}' is missing (not a training checkpoint?)`);
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error(`train/checkpoint: ${path}: metadata '${key}' is not valid JSON`);
  }
}

/** Restores model, momentum and training state from a checkpoint written by `saveCheckpoint`. */
export function loadCheckpoint(path: string, model: TfSparseModel, optimizer: MaskedSgd | null): CheckpointState {
  const f = loadModelFile(path, model);
  const md = f.metadata;
  if (md.format !== CHECKPOINT_FORMAT) throw new Error(`train/checkpoint: ${path}: format '${md.format}' is not ${CHECKPOINT_FORMAT}`);
  if (md.arch !== model.spec.name) throw new Error(`train/checkpoint: ${path}: checkpoint of '${md.arch}', model is '${model.spec.name}'`);
  const epoch = Number(md.epoch);
  const seed = Number(md.seed);
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`train/checkpoint: ${path}: bad epoch '${md.epoch}'`);
  if (!Number.isFinite(seed)) throw new Error(`train/checkpoint: ${path}: bad seed '${md.seed}'`);
  if (optimizer) {
    const bufs = new Map<string, tf.Tensor>();
    try {
      for (const [name, h] of f.momentum) bufs.set(name, paramTensorFromHost(model, name, h));
      optimizer.loadMomentum(bufs);
    } finally {
      for (const t of bufs.values()) t.dispose();
    }
  }
  const hookStates = md[HOOK_STATES_KEY] === undefined ? undefined : parseHookStates(path, parseJson(path, HOOK_STATES_KEY, md[HOOK_STATES_KEY]));
  return {
    epoch,
    seed,
    recipe: parseJson(path, "recipe", md.recipe) as TrainRecipe,
    history: parseJson(path, "history", md.history) as EpochRecord[],
    ...(hookStates !== undefined ? { hookStates } : {}),
  };
}

function parseHookStates(path: string, v: unknown): HookStateRecord[] {
  if (!Array.isArray(v)) throw new Error(`train/checkpoint: ${path}: metadata '${HOOK_STATES_KEY}' must be a JSON array, got ${typeof v}`);
  const list: readonly unknown[] = v;
  return list.map((e, i) => {
    if (typeof e !== "object" || e === null || Array.isArray(e) || !("kind" in e) || !("state" in e) || typeof e.kind !== "string") {
      throw new Error(`train/checkpoint: ${path}: metadata '${HOOK_STATES_KEY}'[${i}] must be {kind: string, state}`);
    }
    // parsed from JSON text, so it is a JsonValue
    return { kind: e.kind, state: e.state as JsonValue };
  });
}
