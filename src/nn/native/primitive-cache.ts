/**
 * A oneDNN primitive bound to plain-layout operands, built once per shape and cached.
 *
 * Operands are tfjs tensors in their own layout (NHWC activations, HWIO filters, row-major
 * matrices), described by "user" memory descriptors. When the primitive prefers another layout for
 * an operand (its descriptor was created with format `any`, typically blocked weights), a reorder
 * into an internal buffer runs before it (inputs) or after it (outputs); otherwise the user buffer is
 * passed straight through. Per call only the user buffers' addresses change (`run`).
 *
 * Creating a primitive descriptor costs 0.1–1 ms (oneDNN's own cache skips the JIT but not the
 * dispatch), so kernels look ops up by a shape key first.
 */
import { DNNL, type DnnlApi, type Handle } from "./dnnl";
import type { WasmHeap } from "./wasm-heap";

/** What a native kernel needs from its surroundings: the library, the heap, the primitive cache. */
export interface NativeContext {
  readonly api: DnnlApi;
  readonly heap: WasmHeap;
  readonly cache: PrimitiveCache;
}

export interface OperandSpec {
  /** DNNL_ARG_* of the operand. */
  readonly arg: number;
  /** Descriptor of the tfjs buffer's layout (or one the primitive gave, e.g. its workspace's). */
  readonly user: Uint8Array | Handle;
  /** dnnl_query_*_md that gives the primitive's own descriptor for it. */
  readonly query: number;
  /** Index for the query (DNNL.qExecArgMd takes the DNNL_ARG_* here); 0 when absent. */
  readonly index?: number;
  readonly output: boolean;
}

/** An operand the primitive describes by its execute argument (DNNL.qExecArgMd with the argument as index). */
export function execArgOperand(arg: number, user: Uint8Array | Handle, output: boolean): OperandSpec {
  return { arg, user, query: DNNL.qExecArgMd, index: arg, output };
}

interface Step {
  prim: Handle;
  args: Buffer;
  nargs: number;
  what: string;
  /** OpenMP threads for this step (a small reorder runs on one: waking a thread costs more). */
  threads: number;
}

function argBuffer(api: DnnlApi, pairs: Array<[number, Handle]>): Buffer {
  // dnnl_exec_arg_t is { int arg; dnnl_memory_t memory; }: 16 bytes on 64-bit targets.
  const b = Buffer.alloc(16 * pairs.length);
  pairs.forEach(([arg, mem], i) => {
    b.writeInt32LE(arg, 16 * i);
    b.writeBigUInt64LE(api.koffi.address(mem), 16 * i + 8);
  });
  return b;
}

let runs = 0;
let runMs = 0;

/**
 * Reorders of fewer elements run on one thread: waking the second costs more than they take (a
 * ResNet-20 conv's weights, 2–37 K elements, reorder in 4–17 µs on one thread; ONEDNN_VERBOSE).
 */
const SMALL_REORDER = 65536;

/** How many native primitive calls ran in this process (tests check that the native path was taken). */
export function nativeRunCount(): number {
  return runs;
}

/**
 * Wall seconds spent inside native primitive calls in this process (benches split a training step
 * into oneDNN's time and the rest, which is single-threaded; two clock reads a call, ~0.1 µs).
 */
export function nativeRunSeconds(): number {
  return runMs / 1000;
}

/**
 * Multiply-adds per thread below which another thread costs more than it saves (the OpenMP team
 * wake-up is ~10–50 µs, more on a loaded machine); small layers run on fewer threads.
 */
export const MACS_PER_THREAD = 1 << 21;

/** Threads for a call of this much work under the current budget (setNativeThreads). */
export function threadsFor(api: DnnlApi, work: number): number {
  return Math.min(api.budget, Math.max(1, Math.floor(work / MACS_PER_THREAD)));
}

export class CachedPrimitive {
  private readonly userMems: Handle[] = [];
  private readonly steps: Step[] = [];
  /** The OpenMP threads it was built for and runs on (see PrimitiveCache). */
  readonly threads: number;
  /** oneDNN's name for the implementation it chose (tests and benches report it). */
  readonly impl: string;

  /** `macs`: the work of one call, which caps its threads (`threadsFor`; build it inside PrimitiveCache.get). */
  constructor(
    private readonly api: DnnlApi,
    pd: Handle,
    operands: readonly OperandSpec[],
    readonly what: string,
    macs: number,
  ) {
    this.threads = threadsFor(api, macs);
    this.impl = api.implInfo(pd);
    const before: Step[] = [];
    const after: Step[] = [];
    const mainArgs: Array<[number, Handle]> = [];
    for (const op of operands) {
      const userMem = api.memory(op.user, DNNL.NONE, what);
      this.userMems.push(userMem);
      const wanted = api.queryMd(pd, op.query, op.index ?? 0);
      if (api.mdEqual(wanted, op.user)) {
        mainArgs.push([op.arg, userMem]);
        continue;
      }
      const inner = api.memory(wanted, DNNL.ALLOCATE, what);
      mainArgs.push([op.arg, inner]);
      const [from, to] = op.output ? [wanted, op.user] : [op.user, wanted];
      const [fromMem, toMem] = op.output ? [inner, userMem] : [userMem, inner];
      // a small reorder (a conv's weights) runs on one thread, and is planned for one: oneDNN fixes
      // the work split when the descriptor is made, and one made for 2 threads and run on 1 took
      // 0.06 ms instead of 0.004 (16×16×3×3 weights)
      const threads = api.mdBytes(op.user) / 4 < SMALL_REORDER ? 1 : this.threads;
      api.useThreads(threads);
      const rpd = api.reorderDesc(from, to, `${what} (reorder)`);
      api.useThreads(this.threads);
      const step: Step = {
        prim: api.primitive(rpd, `${what} (reorder)`),
        args: argBuffer(api, [
          [DNNL.ARG_FROM, fromMem],
          [DNNL.ARG_TO, toMem],
        ]),
        nargs: 2,
        what: `${what} (reorder)`,
        threads,
      };
      (op.output ? after : before).push(step);
    }
    const main: Step = { prim: api.primitive(pd, what), args: argBuffer(api, mainArgs), nargs: mainArgs.length, what, threads: this.threads };
    this.steps = [...before, main, ...after];
  }

  /** Runs the primitive on buffers at these host addresses (one per operand, in spec order). */
  run(addresses: readonly bigint[]): void {
    runs++;
    const t0 = performance.now();
    for (let i = 0; i < this.userMems.length; i++) this.api.setHandle(this.userMems[i], addresses[i]);
    for (const s of this.steps) {
      this.api.useThreads(s.threads);
      this.api.execute(s.prim, s.args, s.nargs, s.what);
    }
    runMs += performance.now() - t0;
  }
}

/**
 * Shape-keyed cache of primitives, one per thread count. oneDNN plans a primitive's work split for
 * the OpenMP thread count at the time its descriptor is created, and running it on fewer threads is
 * slow (a batch-norm backward made for 2 threads took 8 ms on 1 thread instead of 2 ms), so the
 * count is set before building and is part of the key. `null` records "oneDNN has no
 * implementation" for a key.
 */
export class PrimitiveCache {
  private readonly map = new Map<string, unknown>();

  constructor(private readonly api: DnnlApi) {}

  /** `work`: multiply-adds (or equivalent) of one call, which sets its threads (`threadsFor`). */
  get<T>(key: string, work: number, build: () => T | null): T | null {
    const threads = threadsFor(this.api, work);
    const k = `${key} t${threads}`;
    if (this.map.has(k)) return (this.map.get(k) as T | null) ?? null;
    this.api.useThreads(threads);
    const p = build();
    this.map.set(k, p);
    return p;
  }

  get size(): number {
    return this.map.size;
  }
}
