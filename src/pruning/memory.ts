import * as os from "os";
import * as tf from "@tensorflow/tfjs";
import { WASM_HEAP_LIMIT_BYTES } from "../nn/backend";
import { forEachLeafLayer } from "../nn/architectures";
import { inferShapes } from "../nn/shapes";
import type { ArchSpec } from "../nn/spec";

/**
 * Memory planning for the data-driven pruners (SNIP, GraSP, ProsPr): how many examples one
 * differentiation pass may take at once, decided *before* anything is allocated. On wasm this is
 * the only protection there is: a failed allocation breaks the wasm module for the rest of the
 * process (nn/backend `guardWasm`), so retrying with a smaller batch after an out-of-memory error
 * is impossible.
 *
 * Model of the peak bytes of one pass over n examples (calibrated by bench/prune-memory.ts, which
 * measures tfjs's peak tensor bytes and the wasm heap on LeNet-5, Conv-6 and ResNet-20):
 *
 *   bytes(kind, n) = n · α_kind · 4·A  +  β_kind · 4·P  +  64 MiB
 *
 * where A = floats of one example's activations (the input plus every leaf layer's output, from
 * nn/shapes) and P = parameter floats. `grad` is one forward + backward (SNIP, GraSP's g, ProsPr's
 * inner gradients and final loss gradient); `hvp` is a Hessian-vector product by double
 * back-propagation (GraSP's Hg, ProsPr's reverse sweep), which keeps the first backward pass on
 * the tape of the second. The plan multiplies the estimate by SAFETY (allocator fragmentation,
 * kernel workspaces) and compares it with the budget minus the tensor bytes already held.
 * Calibration (wasm, bench/prune-memory.ts): the measured per-example slopes are α ≈ 6.0–6.6 (grad)
 * and 25–29.4 (hvp) across LeNet-5, Conv-6 (×¼ and full), ResNet-20/32, WRN-28-2 and MobileNetV2,
 * with intercepts ≤ 2 P (grad) and ≤ 15 P (hvp); the largest measured peak (the larger of tfjs's
 * peak tensor bytes and the wasm heap's growth) is 0.80–0.99 of the estimate at the largest chunk
 * of each model (e.g. Conv-6 at 32×32×3, hvp on 32 examples: 2,475 MiB of tensors, 2,404 MiB of
 * heap, estimate 2,859 MiB).
 *
 * Budget: `memoryBudget` bytes when given; otherwise 4 GiB on wasm (the wasm32 heap cap) and half
 * of the machine's RAM on the cpu and native backends (no hard cap there, but swapping is no
 * better than failing).
 *
 * Cost: O(layers) to estimate; nothing is allocated.
 */

export type PassKind = "grad" | "hvp";

/** Peak bytes per byte of one example's activations, by pass kind (calibrated; see the header). */
export const PER_EXAMPLE_FACTOR: Readonly<Record<PassKind, number>> = { grad: 7, hvp: 30 };
/** Peak bytes per byte of parameters, by pass kind (gradients, tapes of the weight ops, accumulators). */
export const PARAM_FACTOR: Readonly<Record<PassKind, number>> = { grad: 4, hvp: 16 };
/** Bytes of every pass regardless of size (wasm runtime, small tensors, allocator granularity). */
export const BASE_BYTES = 64 * 1024 ** 2;
/** Multiplier on the estimate before it is compared with the budget. */
export const SAFETY = 1.3;

export interface MemoryOptions {
  /** Bytes the pruning passes may use (default: 4 GiB on wasm, half the RAM elsewhere). */
  memoryBudget?: number;
  /** Examples per pass, overriding the planned chunk size (still checked against the budget). */
  chunkSize?: number;
}

export interface ChunkPlan {
  /** Examples in the whole batch. */
  readonly total: number;
  /** Sizes of the chunks, in order (balanced: they differ by at most one). */
  readonly sizes: readonly number[];
  /** Largest chunk. */
  readonly chunkSize: number;
  /** Estimated peak bytes of one pass over the largest chunk (before the safety factor). */
  readonly estimateBytes: number;
  readonly budgetBytes: number;
  /** Where the budget came from: "option", "wasm heap cap", "half of RAM". */
  readonly budgetSource: string;
  /** Tensor bytes already held when planning (subtracted from the budget). */
  readonly heldBytes: number;
}

/** Floats of one example's activations: the input and every leaf layer's output. */
export function activationFloats(spec: ArchSpec): number {
  let a = spec.inputChannels * spec.inputSize * spec.inputSize;
  for (const s of inferShapes(spec)) a += s.output.reduce((x, y) => x * y, 1);
  return a;
}

/** Trainable parameter floats of a spec (conv/linear weights and biases, BatchNorm γ and β). */
export function parameterFloats(spec: ArchSpec): number {
  let p = 0;
  forEachLeafLayer(spec.layers, (l) => {
    if (l.kind === "conv2d") p += l.outChannels * (l.inChannels / l.groups) * l.kernel * l.kernel + (l.bias ? l.outChannels : 0);
    else if (l.kind === "linear") p += l.outFeatures * l.inFeatures + (l.bias ? l.outFeatures : 0);
    else if (l.kind === "batchnorm") p += 2 * l.features;
  });
  return p;
}

/** Estimated peak bytes of one `kind` pass over `n` examples (no safety factor). */
export function estimatePassBytes(spec: ArchSpec, kind: PassKind, n: number): number {
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`pruning/memory: example count must be a non-negative integer, got ${n}`);
  return n * PER_EXAMPLE_FACTOR[kind] * 4 * activationFloats(spec) + PARAM_FACTOR[kind] * 4 * parameterFloats(spec) + BASE_BYTES;
}

/** The budget in force: the option when given, else the backend's default. */
export function memoryBudget(option?: number): { bytes: number; source: string } {
  if (option !== undefined) {
    if (!(typeof option === "number" && Number.isFinite(option) && option > 0)) throw new Error(`pruning/memory: memoryBudget must be a positive number of bytes, got ${String(option)}`);
    return { bytes: option, source: "option" };
  }
  if (tf.getBackend() === "wasm") return { bytes: WASM_HEAP_LIMIT_BYTES, source: "wasm heap cap" };
  return { bytes: os.totalmem() / 2, source: "half of RAM" };
}

function gib(b: number): string {
  if (b >= 1024 ** 3) return `${(b / 1024 ** 3).toFixed(2)} GiB`;
  if (b >= 1024 ** 2) return `${(b / 1024 ** 2).toFixed(1)} MiB`;
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${Math.round(b)} B`;
}

/** `total` split into `k` balanced chunks (sizes differ by at most one, larger first). */
export function balancedChunks(total: number, k: number): number[] {
  const base = Math.floor(total / k);
  const extra = total % k;
  return Array.from({ length: k }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Chooses how to split a batch of `total` examples for `kind` passes on `spec` so that one pass fits
 * the budget. Throws, naming the model, the batch and the budget, when even one example does not
 * fit, or when a forced `chunkSize` does not. `module` prefixes the messages.
 */
export interface PlanContext {
  /** Tensor bytes held now (default: tfjs's count). */
  heldBytes?: number;
  /** How the batch is described in errors (default "batch <total>"). */
  batchText?: string;
}

export function planChunks(module: string, spec: ArchSpec, kind: PassKind, total: number, options: MemoryOptions = {}, context: PlanContext = {}): ChunkPlan {
  if (!(Number.isInteger(total) && total > 0)) throw new Error(`${module}: batch must be a positive integer, got ${total}`);
  const { bytes: budget, source } = memoryBudget(options.memoryBudget);
  const held = context.heldBytes ?? tf.memory().numBytes;
  const avail = budget - held;
  const need = (n: number): number => SAFETY * estimatePassBytes(spec, kind, n);
  const what = `${spec.name} (${spec.inputSize}×${spec.inputSize}×${spec.inputChannels}, ${spec.classes} classes), ${context.batchText ?? `batch ${total}`}`;
  const budgetText = `memory budget ${gib(budget)} (${source}; ${gib(held)} already held by tensors)`;
  let chunk: number;
  if (options.chunkSize !== undefined) {
    chunk = options.chunkSize;
    if (!(Number.isInteger(chunk) && chunk > 0)) throw new Error(`${module}: chunkSize must be a positive integer, got ${String(chunk)}`);
    chunk = Math.min(chunk, total);
    if (need(chunk) > avail) {
      throw new Error(`${module}: ${what}: a chunk of ${chunk} examples needs about ${gib(need(chunk))} for a ${kind} pass, more than the ${budgetText}; use a smaller chunkSize or leave it unset`);
    }
  } else {
    if (need(1) > avail) {
      throw new Error(`${module}: ${what}: even one example needs about ${gib(need(1))} for a ${kind} pass, more than the ${budgetText}; use a smaller model or input, or raise memoryBudget (not possible beyond 4 GiB on wasm)`);
    }
    const perExample = SAFETY * (estimatePassBytes(spec, kind, 1) - estimatePassBytes(spec, kind, 0));
    const fixed = need(0);
    chunk = Math.max(1, Math.min(total, Math.floor((avail - fixed) / perExample)));
  }
  const sizes = balancedChunks(total, Math.ceil(total / chunk));
  return { total, sizes, chunkSize: sizes[0], estimateBytes: estimatePassBytes(spec, kind, sizes[0]), budgetBytes: budget, budgetSource: source, heldBytes: held };
}

/** Whether a spec has BatchNorm layers (then chunked passes normalise each chunk with its own statistics). */
export function hasBatchNorm(spec: ArchSpec): boolean {
  let bn = false;
  forEachLeafLayer(spec.layers, (l) => {
    if (l.kind === "batchnorm") bn = true;
  });
  return bn;
}

/**
 * Facts of a plan for a PruneResult's info. `batchNormPerChunk` is true when the chunking changes
 * the computation: BatchNorm in training mode over more than one chunk.
 */
export function planInfo(plan: ChunkPlan, spec: ArchSpec): Record<string, number | string | boolean> {
  return {
    chunks: plan.sizes.length,
    chunkSize: plan.chunkSize,
    memoryEstimateMiB: Math.round(plan.estimateBytes / 1024 ** 2),
    memoryBudgetMiB: Math.round(plan.budgetBytes / 1024 ** 2),
    memoryBudgetSource: plan.budgetSource,
    batchNormPerChunk: plan.sizes.length > 1 && hasBatchNorm(spec),
  };
}
