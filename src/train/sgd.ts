/**
 * SGD with momentum and weight decay, PyTorch semantics (torch.optim.SGD, dampening 0, no Nesterov):
 *   d = g + wd·θ;  buf = d (first step) or μ·buf + d;  θ ← θ − lr·buf,
 * honouring masks: gradients are masked, and pruned weights and their momentum stay exactly 0
 * (reference §3: "masks are applied by zeroing weights and registering a gradient hook"; zeroing
 * the momentum as well keeps a regrown weight from inheriting stale momentum).
 * Invariants the caller keeps: weights are masked (model.applyMasks) and, after masks change
 * between steps, `maskMomentum` is called (the training loop does both).
 */
import * as tf from "@tensorflow/tfjs";
import type { TfSparseModel } from "../nn/model";

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
  /**
   * On the wasm backend, run each parameter's update as one fused SIMD pass over the tensor
   * buffers (default true). Bit-identical to the tfjs-op path; false forces the tfjs ops.
   */
  fused?: boolean;
}

/** The public BackendWasm methods the fused update uses (tensor memory on the wasm heap). */
interface HeapBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  getMemoryOffset(dataId: object): number;
}

function heapBackend(): HeapBackend | null {
  if (tf.getBackend() !== "wasm") return null;
  const b: unknown = tf.backend();
  if (typeof b !== "object" || b === null) return null;
  const o = b as { makeOutput?: unknown; getMemoryOffset?: unknown };
  return typeof o.makeOutput === "function" && typeof o.getMemoryOffset === "function" ? (b as HeapBackend) : null;
}

const allOnes = new WeakMap<tf.Tensor, boolean>();

/** Whether a mask keeps everything (cached per mask tensor: masks are replaced, never mutated). */
function isAllOnes(mask: tf.Tensor): boolean {
  let v = allOnes.get(mask);
  if (v === undefined) {
    v = tf.tidy(() => tf.min(mask).dataSync()[0]) === 1;
    allOnes.set(mask, v);
  }
  return v;
}

/**
 * A fused SGD update as a tiny hand-assembled WebAssembly module that imports the tfjs wasm
 * backend's own memory, so it reads and writes tensor buffers in place of 4–7 separate tfjs
 * kernels (each a full pass plus ~10 µs of dispatch). It uses f32x4 add/sub/mul in the order of the
 * tfjs-op path (no fused multiply-add), so both paths give bit-identical results.
 *
 *   sgd(p, g, m, o, pn, bn, n4, useWd, wd, mu, lr): for each of n4 4-float vectors at byte offset k
 *     d = g[k] (· m[k] when m ≠ 0);  d += p[k]·wd when useWd;  b = o ≠ 0 ? o[k]·mu + d : d
 *     bn[k] = b when bn ≠ 0;  pn[k] = p[k] − b·lr
 */
type SgdKernel = (p: number, g: number, m: number, o: number, pn: number, bn: number, n4: number, useWd: number, wd: number, mu: number, lr: number) => void;

function sgdModuleBytes(): Uint8Array {
  const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;
  const get = (i: number): number[] => [0x20, i];
  const set = (i: number): number[] => [0x21, i];
  const load = [0xfd, 0x00, 0x00, 0x00];
  const store = [0xfd, 0x0b, 0x00, 0x00];
  const splat = [0xfd, 0x13];
  const add = [0xfd, 0xe4, 0x01];
  const sub = [0xfd, 0xe5, 0x01];
  const mul = [0xfd, 0xe6, 0x01];
  const addr = (ptr: number): number[] => [...get(ptr), ...get(12), 0x6a]; // ptr + k
  // params 0 p, 1 g, 2 m, 3 o, 4 pn, 5 bn, 6 n4, 7 useWd, 8 wd, 9 mu, 10 lr; locals 11 i, 12 k, 13 vwd, 14 vmu, 15 vlr, 16 d, 17 pv, 18 b
  const body = [
    0x02, 0x02, I32, 0x06, V128, // locals: 2 × i32, 6 × v128
    ...get(8), ...splat, ...set(13), ...get(9), ...splat, ...set(14), ...get(10), ...splat, ...set(15),
    0x02, 0x40, 0x03, 0x40, // block, loop
    ...get(11), ...get(6), 0x4f, 0x0d, 0x01, // if i ≥ n4: break
    ...get(11), 0x41, 0x04, 0x74, ...set(12), // k = i << 4
    ...addr(1), ...load, ...set(16), // d = g
    ...get(2), 0x04, 0x40, ...get(16), ...addr(2), ...load, ...mul, ...set(16), 0x0b, // if m: d *= m
    ...addr(0), ...load, ...set(17), // pv = p
    ...get(7), 0x04, 0x40, ...get(16), ...get(17), ...get(13), ...mul, ...add, ...set(16), 0x0b, // if useWd: d += pv·wd
    ...get(16), ...set(18), // b = d
    ...get(3), 0x04, 0x40, ...addr(3), ...load, ...get(14), ...mul, ...get(16), ...add, ...set(18), 0x0b, // if o: b = o·mu + d
    ...get(5), 0x04, 0x40, ...addr(5), ...get(18), ...store, 0x0b, // if bn: bn = b
    ...addr(4), ...get(17), ...get(18), ...get(15), ...mul, ...sub, ...store, // pn = pv − b·lr
    ...get(11), 0x41, 0x01, 0x6a, ...set(11), // i++
    0x0c, 0x00, 0x0b, 0x0b, // br loop; end loop; end block
    0x0b,
  ];
  const section = (id: number, content: number[]): number[] => [id, ...leb(content.length), ...content];
  const params = [I32, I32, I32, I32, I32, I32, I32, I32, F32, F32, F32];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, params.length, ...params, 0x00]),
    ...section(2, [0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x00]), // import "e" "m": memory, min 0
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, 0x03, 0x73, 0x67, 0x64, 0x00, 0x00]), // export "sgd"
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => object;
}

const kernels = new WeakMap<object, SgdKernel | null>();

/** The fused kernel bound to the current wasm backend's memory, or null (other backend, no SIMD). */
function fusedKernel(be: HeapBackend): SgdKernel | null {
  const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  const mem = (be as unknown as { wasm?: { asm?: { memory?: unknown } } }).wasm?.asm?.memory;
  if (!WA || typeof mem !== "object" || mem === null || !(mem instanceof WA.Memory)) return null;
  let k = kernels.get(mem);
  if (k === undefined) {
    k = null;
    try {
      const bytes = sgdModuleBytes();
      if (WA.validate(bytes)) {
        const inst = new WA.Instance(new WA.Module(bytes), { e: { m: mem } });
        const f = inst.exports.sgd;
        if (typeof f === "function") k = f as SgdKernel;
      }
    } catch {
      k = null; // no wasm SIMD in this runtime: the tfjs-op path is used
    }
    kernels.set(mem, k);
  }
  return k;
}

export class MaskedSgd {
  readonly options: SgdOptions;
  /** Momentum buffers by parameter name (tfjs layout); absent before a parameter's first step. */
  readonly momentum = new Map<string, tf.Tensor>();

  constructor(options: SgdOptions) {
    if (!(options.momentum >= 0 && options.momentum < 1)) throw new Error(`train/sgd: momentum must be in [0, 1), got ${options.momentum}`);
    if (!(options.weightDecay >= 0)) throw new Error(`train/sgd: weight decay must be ≥ 0, got ${options.weightDecay}`);
    this.options = options;
  }

  /**
   * One update of every parameter in `grads` (keyed by parameter name). Only the gradient needs
   * masking: the stored weight and the momentum are already 0 at pruned positions (model and
   * `maskMomentum` invariants), so d, buf and the new weight are exactly 0 there too
   * (0·x + 0 = 0, 0 − lr·0 = 0), and all-ones masks are skipped altogether. Fewer elementwise ops
   * matter: they cost ~2 ns per element on wasm.
   */
  step(model: TfSparseModel, grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    const be = this.options.fused === false ? null : heapBackend();
    const kernel = be ? fusedKernel(be) : null;
    for (const [name, g0] of grads) {
      const p = model.params.get(name);
      if (!p) throw new Error(`train/sgd: gradient for unknown parameter '${name}'`);
      if (model.frozen.has(name)) continue;
      if (g0.size !== p.size || g0.dtype !== "float32") throw new Error(`train/sgd: gradient of '${name}' is ${g0.dtype} [${g0.shape}], the parameter float32 [${p.shape}]`);
      const mask = model.masks.get(name);
      const m = mask !== undefined && !isAllOnes(mask) ? mask : null;
      const old = this.momentum.get(name) ?? null;
      const next = be && kernel ? this.fusedStep(be, kernel, p, g0, m, old, lr) : this.opStep(p, g0, m, old, lr);
      if (next === null) continue;
      this.momentum.set(name, tf.keep(next)); // survives a caller's tf.tidy
      old?.dispose();
    }
  }

  /** The update as tfjs ops (any backend). Returns the new momentum buffer, or null when μ = 0. */
  private opStep(p: tf.Variable, g0: tf.Tensor, mask: tf.Tensor | null, old: tf.Tensor | null, lr: number): tf.Tensor | null {
    const { momentum: mu, weightDecay: wd } = this.options;
    const next = tf.tidy(() => {
      let d = mask ? tf.mul(g0, mask) : g0;
      if (wd !== 0) d = tf.add(d, tf.mul(p, wd));
      let buf = mu === 0 || !old ? d : tf.add(tf.mul(old, mu), d);
      if (buf === g0) buf = tf.clone(g0); // never alias the caller's gradient
      p.assign(tf.sub(p, tf.mul(buf, lr)));
      return buf;
    });
    if (mu !== 0) return next;
    next.dispose();
    return null;
  }

  /**
   * The same update by the fused kernel, into fresh tensors (never in place: the wasm backend
   * caches packed matMul weights by tensor id). The n mod 4 tail runs on the host with float32
   * rounding of every operation (Math.fround of a double result equals the float32 operation).
   */
  private fusedStep(be: HeapBackend, kernel: SgdKernel, p: tf.Variable, g0: tf.Tensor, mask: tf.Tensor | null, old: tf.Tensor | null, lr: number): tf.Tensor | null {
    const f = Math.fround;
    const mu = f(this.options.momentum);
    const wd = f(this.options.weightDecay);
    const lr32 = f(lr);
    const useWd = this.options.weightDecay !== 0;
    const keepBuf = this.options.momentum !== 0;
    const shape = [...p.shape];
    const pOut = be.makeOutput(shape, "float32");
    const bOut = keepBuf ? be.makeOutput(shape, "float32") : null;
    const off = (t: tf.TensorInfo | null): number => (t ? be.getMemoryOffset(t.dataId) : 0);
    const oIn = keepBuf ? old : null;
    const n = p.size;
    const n4 = n >> 2;
    const P = off(p), G = off(g0), Mk = off(mask), O = off(oIn), PN = off(pOut), BN = off(bOut);
    if (n4 > 0) kernel(P, G, Mk, O, PN, BN, n4, useWd ? 1 : 0, wd, mu, lr32);
    if (n4 * 4 < n) {
      const heap = (tf.backend() as unknown as { wasm: { HEAPF32: Float32Array } }).wasm.HEAPF32;
      for (let i = n4 * 4; i < n; i++) {
        const pi = heap[(P >> 2) + i];
        let d = Mk ? f(heap[(G >> 2) + i] * heap[(Mk >> 2) + i]) : heap[(G >> 2) + i];
        if (useWd) d = f(d + f(pi * wd));
        const b = O ? f(f(heap[(O >> 2) + i] * mu) + d) : d;
        if (BN) heap[(BN >> 2) + i] = b;
        heap[(PN >> 2) + i] = f(pi - f(b * lr32));
      }
    }
    const engine = tf.engine();
    const pNew = engine.makeTensorFromTensorInfo(pOut);
    p.assign(pNew);
    pNew.dispose();
    return bOut ? engine.makeTensorFromTensorInfo(bOut) : null;
  }

  /** Re-applies the model's masks to the momentum buffers (after a hook changed masks). */
  maskMomentum(model: TfSparseModel): void {
    for (const name of model.prunable) {
      const m = model.masks.get(name);
      const b = this.momentum.get(name);
      if (!m || !b) continue;
      this.momentum.set(name, tf.tidy(() => tf.mul(b, m)));
      b.dispose();
    }
  }

  /** Replaces the momentum buffers (checkpoint resumption); tensors are copied. */
  loadMomentum(buffers: ReadonlyMap<string, tf.Tensor>): void {
    this.dispose();
    for (const [k, v] of buffers) this.momentum.set(k, tf.keep(v.clone()));
  }

  dispose(): void {
    for (const b of this.momentum.values()) b.dispose();
    this.momentum.clear();
  }
}
