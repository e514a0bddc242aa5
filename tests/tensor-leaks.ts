// Test helper: which tfjs tensors a call leaves alive. The count is tf.memory().numTensors after minus
// before (what a long notebook or grid session accumulates); the description names each leaked
// non-variable tensor's dtype, shape and the first src/ frame that created it, so a failing test
// says where to look. Variables are only counted: assign() re-registers a live variable, which would
// otherwise show up as "created". The list can also name tensors the call rightly handed to a
// long-lived owner (a DST hook's new masks, whose predecessors it disposed); only the count is asserted.
import * as tf from "@tensorflow/tfjs";
import type { TestContext } from "node:test";
import { initBackend } from "../src/nn/backend";
import { installNativeKernels, nativeInfo, uninstallNativeKernels } from "../src/nn/native/index";

interface EngineHooks {
  trackTensor(a: tf.Tensor, backend: unknown): void;
  disposeTensor(a: tf.Tensor): void;
}

export interface LeakReport<T> {
  readonly result: T;
  /** Tensors alive after the call minus before. */
  readonly count: number;
  /** "float32 [3,3,1,4] at src/…:line" for each non-variable tensor created by the call and still alive. */
  readonly leaked: string[];
}

export function leakedTensors<T>(fn: () => T): LeakReport<T> {
  const engine = tf.engine() as unknown as EngineHooks;
  const track = engine.trackTensor;
  const dispose = engine.disposeTensor;
  const live = new Map<number, string>();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  engine.trackTensor = function (this: EngineHooks, a: tf.Tensor, backend: unknown): void {
    if (!(a instanceof tf.Variable)) {
      const frame = (new Error().stack ?? "").split("\n").find((l) => /[\\/]src[\\/]/.test(l) && !l.includes("tfjs-core")) ?? "(no src/ frame)";
      live.set(a.id, `${a.dtype} [${a.shape.join(",")}] ${frame.trim()}`);
    }
    track.call(this, a, backend);
  };
  engine.disposeTensor = function (this: EngineHooks, a: tf.Tensor): void {
    live.delete(a.id);
    dispose.call(this, a);
  };
  const before = tf.memory().numTensors;
  try {
    const result = fn();
    return { result, count: tf.memory().numTensors - before, leaked: [...live.values()] };
  } finally {
    engine.trackTensor = track;
    engine.disposeTensor = dispose;
    Error.stackTraceLimit = limit;
  }
}

/** Asserts that `fn` leaves no tensor alive; the message lists the leaked ones. */
export function assertNoLeak<T>(what: string, fn: () => T): T {
  const r = leakedTensors(fn);
  if (r.count !== 0) throw new Error(`${what} left ${r.count} tfjs tensor(s) alive:\n  ${r.leaked.join("\n  ") || "(variables only)"}`);
  return r.result;
}

export const KERNEL_MODES = ["native", "wasm"] as const;

/**
 * Sets up the wasm backend with the native kernels on ("native") or off ("wasm", as SNN_NATIVE=0).
 * Returns false (the test is skipped) when the native kernels are asked for but unavailable.
 */
export async function useKernels(t: TestContext, mode: (typeof KERNEL_MODES)[number]): Promise<boolean> {
  await initBackend("wasm");
  if (mode === "wasm") {
    uninstallNativeKernels();
    return true;
  }
  const info = installNativeKernels();
  if (!info.active) {
    t.skip(`native kernels unavailable: ${nativeInfo().reason ?? "unknown"}`);
    return false;
  }
  return true;
}
