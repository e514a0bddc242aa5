/**
 * tfjs backend selection for training and pruning.
 *
 * Preference: a native TensorFlow binding (@tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node)
 * when the user has installed one, else the wasm backend (SIMD, single thread) with the replacement
 * gradients of ./gradients (wasm lacks Conv2DBackpropFilter and is slow on several stock gradients;
 * see shared/docs/feasibility-tfjs.md §2, §7), else the pure-JS cpu backend.
 *
 * The replacement gradients are registered on every backend: besides speed on wasm they make
 * second-order gradients (GraSP, ProsPr) correct, which the stock gradients are not.
 */
import * as tf from "@tensorflow/tfjs";
import { registerFastGradients } from "./gradients";
import { installNativeKernels, nativeThreads, type NativeInfo } from "./native/index";

export type BackendName = "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  /** tfjs backend name in use ("tensorflow" for the native bindings). */
  readonly backend: BackendName;
  /** npm package that provides it. */
  readonly package: string;
  readonly tfjsVersion: string;
  /** Version of the backend package (tfjs-node, tfjs-backend-wasm; tfjs for cpu). */
  readonly backendVersion: string;
  /** wasm: whether the SIMD binary is used. */
  readonly simd?: boolean;
  readonly threads?: number;
  /** wasm: the native (oneDNN) kernels behind it, or why they are off (nn/native). */
  readonly native?: NativeInfo;
  /** Why a preferred backend was not taken (one line per candidate). */
  readonly notes: readonly string[];
}

let current: BackendInfo | null = null;
let wasmDead: string | null = null;

/** The hard cap of the wasm32 heap; allocations beyond it kill the wasm module. */
export const WASM_HEAP_LIMIT_BYTES = 4 * 1024 ** 3;

function packageVersion(pkg: string): string {
  try {
    const json = require(`${pkg}/package.json`) as { name?: unknown; version?: unknown };
    return typeof json.version === "string" ? json.version : "unknown";
  } catch {
    return "unknown";
  }
}

/** Name field of an installed package's package.json, or null when not installed. */
function installedName(pkg: string): string | null {
  try {
    const json = require(`${pkg}/package.json`) as { name?: unknown };
    return typeof json.name === "string" ? json.name : null;
  } catch {
    return null;
  }
}

function silenceCpuBanner(): void {
  // The cpu backend prints a "install tfjs-node" banner on its first tensor; we already choose the
  // best backend available, so the banner is noise in notebooks and test output.
  const cpu = tf.findBackend("cpu") as unknown;
  if (cpu && typeof cpu === "object" && "firstUse" in cpu) (cpu as { firstUse: boolean }).firstUse = false;
}

async function tryNative(pkg: string, notes: string[]): Promise<boolean> {
  // package.json overrides alias @tensorflow/tfjs-node to plain tfjs (for danfojs); only the real
  // package registers the "tensorflow" backend.
  const name = installedName(pkg);
  if (name === null) {
    notes.push(`${pkg}: not installed`);
    return false;
  }
  if (name !== pkg) {
    notes.push(`${pkg}: resolves to ${name} (an alias, not the native binding)`);
    return false;
  }
  try {
    require(pkg);
  } catch (err) {
    notes.push(`${pkg}: failed to load (${(err as Error).message.split("\n")[0]})`);
    return false;
  }
  if (!tf.findBackend("tensorflow")) {
    notes.push(`${pkg}: loaded but registered no 'tensorflow' backend (different tfjs-core instance?)`);
    return false;
  }
  const ok = await tf.setBackend("tensorflow");
  if (!ok) notes.push(`${pkg}: setBackend('tensorflow') failed`);
  return ok;
}

/**
 * Selects and initialises the backend (idempotent: later calls return the first result unless
 * `preferred` names a different backend). `preferred` forces one backend; it throws when that one
 * cannot be used. Without it: native → wasm → cpu.
 */
export async function initBackend(preferred?: BackendName): Promise<BackendInfo> {
  if (current && (preferred === undefined || preferred === current.backend)) {
    if (tf.getBackend() !== current.backend) await tf.setBackend(current.backend);
    return current;
  }
  silenceCpuBanner();
  registerFastGradients();
  const notes: string[] = [];
  const tfjsVersion = tf.version.tfjs;

  if (preferred === undefined || preferred === "tensorflow") {
    for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
      if (await tryNative(pkg, notes)) {
        current = { backend: "tensorflow", package: pkg, tfjsVersion, backendVersion: packageVersion(pkg), notes };
        return current;
      }
    }
    if (preferred === "tensorflow") throw new Error(`nn/backend: native backend unavailable: ${notes.join("; ")}`);
  }

  if (preferred === undefined || preferred === "wasm") {
    try {
      const wasm = require("@tensorflow/tfjs-backend-wasm") as { getThreadsCount?: () => number };
      const ok = await tf.setBackend("wasm");
      if (!ok) throw new Error("setBackend('wasm') returned false");
      await tf.ready();
      const simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
      current = {
        backend: "wasm",
        package: "@tensorflow/tfjs-backend-wasm",
        tfjsVersion,
        backendVersion: packageVersion("@tensorflow/tfjs-backend-wasm"),
        simd,
        threads: typeof wasm.getThreadsCount === "function" ? wasm.getThreadsCount() : 1,
        native: installNativeKernels(),
        notes,
      };
      return current;
    } catch (err) {
      notes.push(`@tensorflow/tfjs-backend-wasm: ${(err as Error).message.split("\n")[0]}`);
      if (preferred === "wasm") throw new Error(`nn/backend: wasm backend unavailable: ${notes.join("; ")}`);
    }
  }

  const ok = await tf.setBackend("cpu");
  if (!ok) throw new Error(`nn/backend: no usable tfjs backend: ${notes.join("; ")}`);
  await tf.ready();
  current = { backend: "cpu", package: "@tensorflow/tfjs-backend-cpu", tfjsVersion, backendVersion: packageVersion("@tensorflow/tfjs-backend-cpu"), notes };
  return current;
}

/** The backend chosen by `initBackend`, or null before it ran. */
export function backendInfo(): BackendInfo | null {
  return current;
}

/** One line for logs: "wasm (@tensorflow/tfjs-backend-wasm 4.22.0, SIMD, 1 thread), tfjs 4.22.0". */
export function describeBackend(info: BackendInfo | null = current): string {
  if (!info) return "no backend initialised";
  const native = info.native?.active ? ` + native ${info.native.library}, ${nativeThreads()} thread(s)` : "";
  const extra = info.backend === "wasm" ? `, ${info.simd ? "SIMD" : "no SIMD"}, ${info.threads ?? 1} thread(s)${native}` : "";
  return `${info.backend} (${info.package} ${info.backendVersion}${extra}), tfjs ${info.tfjsVersion}`;
}

const WASM_FAILURE = /memory access out of bounds|Aborted\(|Cannot enlarge memory|XNN status|out of memory|Out of memory/;

/**
 * Runs `fn`, turning a wasm heap failure into a clear, catchable error. The wasm module cannot be
 * used after such a failure, so later calls fail fast with the same explanation.
 */
export function guardWasm<T>(where: string, fn: () => T): T {
  if (wasmDead !== null && tf.getBackend() === "wasm") {
    throw new Error(`nn/backend: the wasm backend died earlier (${wasmDead}); restart the process`);
  }
  try {
    return fn();
  } catch (err) {
    throw translateWasmError(err, where);
  }
}

/** Async variant of `guardWasm`. */
export async function guardWasmAsync<T>(where: string, fn: () => Promise<T>): Promise<T> {
  if (wasmDead !== null && tf.getBackend() === "wasm") {
    throw new Error(`nn/backend: the wasm backend died earlier (${wasmDead}); restart the process`);
  }
  try {
    return await fn();
  } catch (err) {
    throw translateWasmError(err, where);
  }
}

function translateWasmError(err: unknown, where: string): unknown {
  const msg = err instanceof Error ? err.message : String(err);
  if (tf.getBackend() !== "wasm" || !WASM_FAILURE.test(msg)) return err;
  let held = "unknown";
  try {
    held = `${(tf.memory().numBytes / 1024 ** 3).toFixed(2)} GiB`;
  } catch {
    // memory() itself may fail on a dead module
  }
  wasmDead = `wasm heap exhausted at ${where}`;
  return new Error(
    `nn/backend: wasm heap exhausted at ${where} (tensors held: ${held}; the wasm heap is capped at 4 GiB); ` +
      `lower the batch size. The wasm module is unusable now: restart the process. (${msg.split("\n")[0]})`,
  );
}

/** Bytes held by tfjs tensors now (for heap budgeting before large second-order passes). */
export function heapBytes(): number {
  return tf.memory().numBytes;
}

/**
 * Size of the wasm module's linear memory now, or null off wasm. The heap only grows, so after a
 * run this is the high-water mark of that process (live tensors + allocator slack + kernel
 * workspaces), the figure that the 4 GiB cap applies to.
 */
export function wasmHeapSize(): number | null {
  if (tf.getBackend() !== "wasm") return null;
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  const heap = b.wasm?.HEAPU8;
  return heap ? heap.buffer.byteLength : null;
}

/** Whether an earlier wasm heap failure left the wasm backend unusable in this process. */
export function wasmBroken(): boolean {
  return wasmDead !== null;
}
