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
  /** Descriptor of the tfjs buffer's layout. */
  readonly user: Uint8Array;
  /** dnnl_query_*_md that gives the primitive's own descriptor for it. */
  readonly query: number;
  readonly output: boolean;
}

interface Step {
  prim: Handle;
  args: Buffer;
  nargs: number;
  what: string;
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

/** How many native primitive calls ran in this process (tests check that the native path was taken). */
export function nativeRunCount(): number {
  return runs;
}

/**
 * Multiply-adds per thread below which another thread costs more than it saves (the OpenMP team
 * wake-up is ~10–50 µs, more on a loaded machine); small layers run on fewer threads.
 */
export const MACS_PER_THREAD = 1 << 21;

export class CachedPrimitive {
  private readonly userMems: Handle[] = [];
  private readonly steps: Step[] = [];
  private readonly maxThreads: number;

  /** `macs`: the work of one call, which caps its threads (MACS_PER_THREAD). */
  constructor(
    private readonly api: DnnlApi,
    pd: Handle,
    operands: readonly OperandSpec[],
    readonly what: string,
    macs: number,
  ) {
    this.maxThreads = Math.max(1, Math.floor(macs / MACS_PER_THREAD));
    const before: Step[] = [];
    const after: Step[] = [];
    const mainArgs: Array<[number, Handle]> = [];
    for (const op of operands) {
      const userMem = api.memory(op.user, DNNL.NONE, what);
      this.userMems.push(userMem);
      const wanted = api.queryMd(pd, op.query);
      if (api.mdEqual(wanted, op.user)) {
        mainArgs.push([op.arg, userMem]);
        continue;
      }
      const inner = api.memory(wanted, DNNL.ALLOCATE, what);
      mainArgs.push([op.arg, inner]);
      const [from, to] = op.output ? [wanted, op.user] : [op.user, wanted];
      const [fromMem, toMem] = op.output ? [inner, userMem] : [userMem, inner];
      const rpd = api.reorderDesc(from, to, `${what} (reorder)`);
      const step: Step = {
        prim: api.primitive(rpd, `${what} (reorder)`),
        args: argBuffer(api, [
          [DNNL.ARG_FROM, fromMem],
          [DNNL.ARG_TO, toMem],
        ]),
        nargs: 2,
        what: `${what} (reorder)`,
      };
      (op.output ? after : before).push(step);
    }
    const main: Step = { prim: api.primitive(pd, what), args: argBuffer(api, mainArgs), nargs: mainArgs.length, what };
    this.steps = [...before, main, ...after];
  }

  /** Runs the primitive on buffers at these host addresses (one per operand, in spec order). */
  run(addresses: readonly bigint[]): void {
    runs++;
    this.api.useThreads(Math.min(this.api.budget, this.maxThreads));
    for (let i = 0; i < this.userMems.length; i++) this.api.setHandle(this.userMems[i], addresses[i]);
    for (const s of this.steps) this.api.execute(s.prim, s.args, s.nargs, s.what);
  }
}

/** Shape-keyed cache of primitives; `null` records "oneDNN has no implementation" for a key. */
export class PrimitiveCache {
  private readonly map = new Map<string, CachedPrimitive | null>();

  get(key: string, build: () => CachedPrimitive | null): CachedPrimitive | null {
    if (this.map.has(key)) return this.map.get(key) ?? null;
    const p = build();
    this.map.set(key, p);
    return p;
  }

  get size(): number {
    return this.map.size;
  }
}
