/**
 * oneDNN (Debian `libdnnl2` 2.x, the library PyTorch's CPU convolutions use) loaded through koffi:
 * the C API subset the native kernels need, one CPU engine and stream, and the OpenMP thread count.
 *
 * Why oneDNN through koffi (measurements in ./README.md): its AVX-512 convolutions run 3–6× faster
 * per core than XNNPACK on wasm at Conv-6/ResNet-20 shapes, it threads (OpenMP; Debian's build links
 * libgomp), and koffi hands it pointers straight into the wasm heap (`koffi.address` of the
 * WebAssembly.Memory buffer), so tensors are never copied.
 *
 * ABI: oneDNN 2.x passes descriptors as C structs by pointer; their sizes and the enum values below
 * are those of 2.x headers (dumped by ./abi-dump.c) and are checked against `dnnl_version()` (major 2)
 * at load. Every call is checked: a non-zero status becomes an Error naming the call and carrying
 * oneDNN's own status text (`dnnl_status2str`).
 */
import fs from "node:fs";

type KoffiFn = (...args: unknown[]) => unknown;
/** The part of koffi's API used here, declared locally for the same reason as in analysis/xgboost. */
export interface KoffiModule {
  load(path: string): { func(signature: string): KoffiFn };
  address(value: unknown): bigint;
  decode(ptr: unknown, type: string, length?: number): unknown;
  struct(name: string, def: Record<string, string>): unknown;
}

/** Opaque native handle (a koffi external). */
export type Handle = unknown;

/** oneDNN 2.x constants (oneapi/dnnl/dnnl_types.h), dumped by ./abi-dump.c. */
export const DNNL = {
  MD_BYTES: 696,
  OP_DESC_BYTES: 5976,
  f32: 3,
  any: 1,
  nhwc: 20,
  hwio: 30,
  hwigo: 33,
  /** Plain 1-D layout ([C]). */
  a: 2,
  ndhwc: 21,
  /** Channels blocked by 16 (AVX-512) and by 8 (AVX2), ranks 4 and 5: oneDNN pads C up to the block. */
  nChw16c: 69,
  nCdhw16c: 112,
  nChw8c: 93,
  nCdhw8c: 133,
  /** dnnl_use_global_stats: normalise by given mean and variance (inference with running statistics). */
  bnUseGlobalStats: 0x1,
  /** Batch normalization flags: separate scale (γ) and shift (β) vectors. */
  bnUseScale: 0x8,
  bnUseShift: 0x10,
  /** dnnl_fuse_norm_relu: y = max(BN(x), 0); training keeps the mask as a workspace (1 bit per element). */
  bnFuseNormRelu: 0x4,
  forwardTraining: 64,
  backwardData: 160,
  backwardWeights: 192,
  /** dnnl_backward: data and parameter gradients (batch normalization). */
  backward: 128,
  /** dnnl_eltwise_relu (with alpha 0: max(x, 0); its backward passes dy where x > 0). */
  eltwiseRelu: 31,
  /** dnnl_eltwise_clip (alpha = lower, beta = upper bound; its backward passes dy where alpha < x ≤ beta). */
  eltwiseClip: 255,
  binaryAdd: 131056,
  binaryMul: 131057,
  /** dnnl_binary_ge: 1 where src0 ≥ src1, else 0 (as f32). */
  binaryGe: 131062,
  poolingMax: 511,
  forwardInference: 96,
  convDirect: 1,
  cpu: 1,
  ARG_SRC: 1,
  ARG_DST: 17,
  /** DNNL_ARG_SRC_1: a binary primitive's second input (the first is ARG_SRC). */
  ARG_SRC_1: 2,
  ARG_WEIGHTS: 33,
  ARG_DIFF_SRC: 129,
  ARG_DIFF_DST: 145,
  ARG_DIFF_WEIGHTS: 161,
  ARG_MEAN: 49,
  ARG_VARIANCE: 50,
  ARG_SCALE: 51,
  ARG_SHIFT: 52,
  ARG_DIFF_SCALE: 255,
  ARG_DIFF_SHIFT: 256,
  /** DNNL_ARG_WORKSPACE: what a forward pass keeps for its backward (batch norm + ReLU: the mask). */
  ARG_WORKSPACE: 64,
  ARG_FROM: 1,
  ARG_TO: 17,
  qSrcMd: 129,
  qDiffSrcMd: 130,
  qWeightsMd: 131,
  qDiffWeightsMd: 132,
  qDstMd: 133,
  qDiffDstMd: 134,
  qWorkspaceMd: 135,
  /** dnnl_query_exec_arg_md: the descriptor of the execute argument given as the index. */
  qExecArgMd: 255,
  qImplInfo: 8,
  /** DNNL_MEMORY_ALLOCATE: let oneDNN allocate the buffer. */
  ALLOCATE: 0xffffffffffffffffn,
  /** DNNL_MEMORY_NONE: no buffer yet (set per call). */
  NONE: 0n,
  /** dnnl_cpu_isa_t values are bit sets, each set containing the older ones (avx2 = sse41 | avx | avx2 bits). */
  isaAvx2: 0x7,
} as const;

/** oneDNN 2.6's names of its dnnl_cpu_isa_t values (the instruction set its kernels use on this CPU). */
const ISA_NAMES: Record<number, string> = {
  0x0: "all",
  0x1: "sse41",
  0x3: "avx",
  0x7: "avx2",
  0xf: "avx512_mic",
  0x1f: "avx512_mic_4ops",
  0x27: "avx512_core",
  0x67: "avx512_core_vnni",
  0xe7: "avx512_core_bf16",
  0x3e7: "avx512_core_amx",
  0x407: "avx2_vnni",
};

/** How `primitiveDesc` chooses among oneDNN's implementations, and what it asks of them. */
export interface PrimitiveChoice {
  /** The first implementation whose name starts with this, in oneDNN's order, where there is one (else oneDNN's first choice). */
  readonly prefer?: string;
  /** Implementations never to take (known bugs); none left gives null. */
  readonly avoid?: (impl: string) => boolean;
  /** A post-op: "relu" makes the primitive write max(result, 0) (oneDNN's eltwise post-op). */
  readonly postOp?: "relu";
}

export interface DnnlApi {
  readonly koffi: KoffiModule;
  readonly libPath: string;
  readonly version: string;
  /**
   * The instruction set oneDNN's kernels use on this CPU (`dnnl_get_effective_cpu_isa`, capped by
   * ONEDNN_MAX_CPU_ISA): its name and whether it includes AVX2.
   */
  readonly isa: { readonly name: string; readonly avx2: boolean };
  readonly engine: Handle;
  readonly stream: Handle;
  mdInitByTag(md: Uint8Array, dims: readonly number[], tag: number): void;
  mdInitByStrides(md: Uint8Array, dims: readonly number[], strides: readonly number[]): void;
  mdEqual(a: Uint8Array | Handle, b: Uint8Array | Handle): boolean;
  /** Bytes of a buffer in this layout. */
  mdBytes(md: Uint8Array | Handle): number;
  /**
   * Primitive descriptor for an op descriptor (with a forward hint for backward ops), or null where
   * oneDNN has no implementation (for this op with these options).
   */
  primitiveDesc(opDesc: Uint8Array, hint: Handle | null, what: string, options?: PrimitiveChoice): Handle | null;
  /** A reorder's descriptor; `accumulate`: it adds into the destination (oneDNN's sum post-op) instead of overwriting it. */
  reorderDesc(from: Uint8Array | Handle, to: Uint8Array | Handle, what: string, accumulate?: boolean): Handle;
  queryMd(pd: Handle, query: number, index?: number): Handle;
  /** oneDNN's name for the implementation it picked (e.g. "bnorm_jit:avx512_core"). */
  implInfo(pd: Handle): string;
  primitive(pd: Handle, what: string): Handle;
  /** A memory object over `md`; `buffer` is DNNL.ALLOCATE or DNNL.NONE (then set per call). */
  memory(md: Uint8Array | Handle, buffer: bigint, what: string): Handle;
  setHandle(mem: Handle, address: bigint): void;
  execute(prim: Handle, args: Buffer, nargs: number, what: string): void;
  convForwardInit(d: Uint8Array, src: Uint8Array, w: Uint8Array, dst: Uint8Array, s: BigInt64Array, dil: BigInt64Array, pl: BigInt64Array, pr: BigInt64Array, what: string): void;
  convBackwardDataInit(d: Uint8Array, dsrc: Uint8Array, w: Uint8Array, ddst: Uint8Array, s: BigInt64Array, dil: BigInt64Array, pl: BigInt64Array, pr: BigInt64Array, what: string): void;
  convBackwardWeightsInit(d: Uint8Array, src: Uint8Array, dw: Uint8Array, ddst: Uint8Array, s: BigInt64Array, dil: BigInt64Array, pl: BigInt64Array, pr: BigInt64Array, what: string): void;
  matmulInit(d: Uint8Array, a: Uint8Array, b: Uint8Array, c: Uint8Array, what: string): void;
  /** `prop`: DNNL.forwardTraining (batch statistics) or DNNL.forwardInference (with bnUseGlobalStats). */
  batchNormForwardInit(d: Uint8Array, data: Uint8Array, eps: number, flags: number, what: string, prop?: number): void;
  batchNormBackwardInit(d: Uint8Array, diffData: Uint8Array, data: Uint8Array, eps: number, flags: number, what: string): void;
  eltwiseForwardInit(d: Uint8Array, alg: number, data: Uint8Array, alpha: number, beta: number, what: string): void;
  eltwiseBackwardInit(d: Uint8Array, alg: number, diffData: Uint8Array, data: Uint8Array, alpha: number, beta: number, what: string): void;
  binaryInit(d: Uint8Array, alg: number, src0: Uint8Array, src1: Uint8Array, dst: Uint8Array, what: string): void;
  /** Pooling forward (inference: no workspace); dilation 0 = dense windows, oneDNN's convention. */
  poolingForwardInit(d: Uint8Array, alg: number, src: Uint8Array, dst: Uint8Array, s: BigInt64Array, k: BigInt64Array, dil: BigInt64Array, pl: BigInt64Array, pr: BigInt64Array, what: string): void;
  /** Upper bound on the threads of any call (set by nn/native's setNativeThreads). */
  budget: number;
  /** OpenMP threads for the following oneDNN calls (libgomp's omp_set_num_threads; skipped when unchanged). */
  useThreads(n: number): void;
}

/** Where libdnnl is looked for, in order; `SNN_DNNL_LIB`, when set, is the only place. */
export function dnnlLibraryCandidates(): string[] {
  const env = process.env.SNN_DNNL_LIB;
  if (env && env.length > 0) return [env];
  return [
    "/usr/lib/x86_64-linux-gnu/libdnnl.so.2",
    "/usr/lib/aarch64-linux-gnu/libdnnl.so.2",
    "/usr/lib/libdnnl.so.2",
    "/usr/local/lib/libdnnl.so.2",
  ];
}

export const DNNL_INSTALL_HINT = "install it with `sudo apt-get install libdnnl2` (Debian/Ubuntu; `npm run setup` does this) or point SNN_DNNL_LIB at libdnnl.so.2";

/** Loads oneDNN and creates its engine and stream; throws with the reason when it cannot. */
export function loadDnnl(): DnnlApi {
  const candidates = dnnlLibraryCandidates();
  const libPath = candidates.find((p) => fs.existsSync(p));
  if (!libPath) throw new Error(`nn/native: oneDNN (libdnnl.so.2) not found (looked in ${candidates.join(", ")})`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const koffi = require("koffi") as KoffiModule;
  // Worker threads sleep between kernels instead of spinning: between two oneDNN calls the main
  // thread runs wasm kernels for a while, and spinning threads would take that time from other
  // processes (on the shared 2-core machine, 2 spinning threads made a small ResNet's training 10×
  // slower in wall time). Read by libgomp when it loads, so set before loading oneDNN; a user's
  // own setting wins.
  if (process.env.OMP_WAIT_POLICY === undefined) process.env.OMP_WAIT_POLICY = "PASSIVE";
  let lib: ReturnType<KoffiModule["load"]>;
  try {
    lib = koffi.load(libPath);
  } catch (err) {
    throw new Error(`nn/native: could not load ${libPath}: ${(err as Error).message}`);
  }
  try {
    koffi.struct("snn_dnnl_version_t", { major: "int", minor: "int", patch: "int", hash: "const char *", cpu_runtime: "uint32_t", gpu_runtime: "uint32_t" });
  } catch {
    // already declared by an earlier load in this process
  }
  const versionFn = lib.func("const snn_dnnl_version_t *dnnl_version()");
  const v = koffi.decode(versionFn(), "snn_dnnl_version_t") as { major: number; minor: number; patch: number; cpu_runtime: number };
  const version = `${v.major}.${v.minor}.${v.patch}`;
  const isaCode = lib.func("int dnnl_get_effective_cpu_isa()")() as number;
  const isa = { name: ISA_NAMES[isaCode] ?? `isa 0x${isaCode.toString(16)}`, avx2: (isaCode & DNNL.isaAvx2) === DNNL.isaAvx2 };
  if (v.major !== 2) throw new Error(`nn/native: ${libPath} is oneDNN ${version}; the native kernels are written against the oneDNN 2.x C API`);
  const status2str = lib.func("const char *dnnl_status2str(int status)") as (s: number) => string;
  const check = (status: unknown, call: string, what: string): void => {
    if (status !== 0) throw new Error(`nn/native: oneDNN ${call} failed for ${what}: ${status2str(status as number)} (status ${String(status)})`);
  };

  const f = (sig: string): KoffiFn => lib.func(sig);
  const engineCreate = f("int dnnl_engine_create(_Out_ void **engine, int kind, size_t index)");
  const streamCreate = f("int dnnl_stream_create(_Out_ void **stream, void *engine, uint32_t flags)");
  const mdByTag = f("int dnnl_memory_desc_init_by_tag(void *md, int ndims, const int64_t *dims, int dt, int tag)");
  const mdByStrides = f("int dnnl_memory_desc_init_by_strides(void *md, int ndims, const int64_t *dims, int dt, const int64_t *strides)");
  const mdEqual = f("int dnnl_memory_desc_equal(const void *a, const void *b)");
  const mdSize = f("size_t dnnl_memory_desc_get_size(const void *md)");
  const pdCreate = f("int dnnl_primitive_desc_create(_Out_ void **pd, const void *op, const void *attr, void *engine, const void *hint)");
  const reorderCreate = f("int dnnl_reorder_primitive_desc_create(_Out_ void **pd, const void *src, void *se, const void *dst, void *de, const void *attr)");
  const queryMd = f("const void *dnnl_primitive_desc_query_md(const void *pd, int what, int index)");
  const primCreate = f("int dnnl_primitive_create(_Out_ void **prim, const void *pd)");
  const memCreate = f("int dnnl_memory_create(_Out_ void **mem, const void *md, void *engine, uintptr_t handle)");
  const setHandle = f("int dnnl_memory_set_data_handle(void *mem, uintptr_t handle)");
  const execute = f("int dnnl_primitive_execute(const void *prim, void *stream, int nargs, const void *args)");
  const streamWait = f("int dnnl_stream_wait(void *stream)");
  const convFwd = f(
    "int dnnl_dilated_convolution_forward_desc_init(void *d, int prop, int alg, const void *src, const void *w, const void *bias, const void *dst, const int64_t *s, const int64_t *dil, const int64_t *pl, const int64_t *pr)",
  );
  const convBwdData = f(
    "int dnnl_dilated_convolution_backward_data_desc_init(void *d, int alg, const void *dsrc, const void *w, const void *ddst, const int64_t *s, const int64_t *dil, const int64_t *pl, const int64_t *pr)",
  );
  const convBwdWeights = f(
    "int dnnl_dilated_convolution_backward_weights_desc_init(void *d, int alg, const void *src, const void *dw, const void *dbias, const void *ddst, const int64_t *s, const int64_t *dil, const int64_t *pl, const int64_t *pr)",
  );
  const matmulInit = f("int dnnl_matmul_desc_init(void *d, const void *a, const void *b, const void *bias, const void *c)");
  const bnFwd = f("int dnnl_batch_normalization_forward_desc_init(void *d, int prop, const void *data, float eps, uint32_t flags)");
  const bnBwd = f("int dnnl_batch_normalization_backward_desc_init(void *d, int prop, const void *diff, const void *data, float eps, uint32_t flags)");
  const eltFwd = f("int dnnl_eltwise_forward_desc_init(void *d, int prop, int alg, const void *data, float alpha, float beta)");
  const eltBwd = f("int dnnl_eltwise_backward_desc_init(void *d, int alg, const void *diff, const void *data, float alpha, float beta)");
  const binary = f("int dnnl_binary_desc_init(void *d, int alg, const void *src0, const void *src1, const void *dst)");
  const poolFwd = f(
    "int dnnl_pooling_v2_forward_desc_init(void *d, int prop, int alg, const void *src, const void *dst, const int64_t *s, const int64_t *k, const int64_t *dil, const int64_t *pl, const int64_t *pr)",
  );
  const pdQuery = f("int dnnl_primitive_desc_query(const void *pd, int what, int index, _Out_ const char **result)");
  const itCreate = f("int dnnl_primitive_desc_iterator_create(_Out_ void **it, const void *op, const void *attr, void *engine, const void *hint)");
  const itNext = f("int dnnl_primitive_desc_iterator_next(void *it)");
  const itFetch = f("void *dnnl_primitive_desc_iterator_fetch(const void *it)");
  const itDestroy = f("int dnnl_primitive_desc_iterator_destroy(void *it)");
  const pdDestroy = f("int dnnl_primitive_desc_destroy(void *pd)");
  const attrCreate = f("int dnnl_primitive_attr_create(_Out_ void **attr)");
  const postOpsCreate = f("int dnnl_post_ops_create(_Out_ void **post_ops)");
  const postOpsAppendSum = f("int dnnl_post_ops_append_sum(void *post_ops, float scale)");
  const postOpsAppendEltwise = f("int dnnl_post_ops_append_eltwise(void *post_ops, float scale, int alg, float alpha, float beta)");
  const attrSetPostOps = f("int dnnl_primitive_attr_set_post_ops(void *attr, const void *post_ops)");
  // attributes with one post-op each, made on first use and kept: "dst += result" (a sum post-op
  // with scale 1) and "dst = max(result, 0)" (an eltwise ReLU post-op)
  const attrs = new Map<"sum" | "relu", unknown>();
  const postOpAttr = (kind: "sum" | "relu", what: string): unknown => {
    const kept = attrs.get(kind);
    if (kept !== undefined) return kept;
    const a: unknown[] = [null];
    const po: unknown[] = [null];
    check(attrCreate(a), "dnnl_primitive_attr_create", what);
    check(postOpsCreate(po), "dnnl_post_ops_create", what);
    if (kind === "sum") check(postOpsAppendSum(po[0], 1), "dnnl_post_ops_append_sum", what);
    else check(postOpsAppendEltwise(po[0], 1, DNNL.eltwiseRelu, 0, 0), "dnnl_post_ops_append_eltwise", what);
    check(attrSetPostOps(a[0], po[0]), "dnnl_primitive_attr_set_post_ops", what);
    attrs.set(kind, a[0]);
    return a[0];
  };

  // Debian's libdnnl2 is built with the OpenMP runtime (cpu_runtime 2) and links libgomp: the
  // thread count is OpenMP's. Other runtimes (TBB, threadpool) are accepted with their own default.
  let setThreads = (_n: number): void => undefined;
  if (v.cpu_runtime === 2) {
    for (const gomp of ["libgomp.so.1", "libiomp5.so", "libomp.so"]) {
      try {
        const g = koffi.load(gomp);
        const set = g.func("void omp_set_num_threads(int n)");
        setThreads = (n) => void set(n);
        break;
      } catch {
        // next OpenMP runtime name
      }
    }
  }

  const out: unknown[] = [null];
  check(engineCreate(out, DNNL.cpu, 0), "dnnl_engine_create", "the CPU engine");
  const engine = out[0];
  check(streamCreate(out, engine, 1), "dnnl_stream_create", "the CPU stream");
  const stream = out[0];
  let current = -1;
  const dims64 = (d: readonly number[]): BigInt64Array => BigInt64Array.from(d, (x) => BigInt(x));

  return {
    koffi,
    libPath,
    version,
    isa,
    engine,
    stream,
    mdInitByTag(md, dims, tag) {
      check(mdByTag(md, dims.length, dims64(dims), DNNL.f32, tag), "dnnl_memory_desc_init_by_tag", `dims [${dims.join(",")}] tag ${tag}`);
    },
    mdInitByStrides(md, dims, strides) {
      check(mdByStrides(md, dims.length, dims64(dims), DNNL.f32, dims64(strides)), "dnnl_memory_desc_init_by_strides", `dims [${dims.join(",")}]`);
    },
    mdEqual: (a, b) => mdEqual(a, b) === 1,
    mdBytes: (md) => Number(mdSize(md)),
    primitiveDesc(opDesc, hint, what, options = {}) {
      const { prefer, avoid, postOp } = options;
      const attr = postOp === undefined ? null : postOpAttr(postOp, what);
      if (prefer !== undefined || avoid !== undefined) {
        const st = itCreate(out, opDesc, attr, engine, hint) as number;
        if (st === 3) return null;
        check(st, "dnnl_primitive_desc_iterator_create", what);
        const it = out[0];
        // the iterator yields oneDNN's first choice first: the first one not avoided stands in where none is preferred
        let first: Handle | null = null;
        try {
          // dnnl_iterator_ends (1) after the last implementation
          do {
            const pd = itFetch(it);
            if (pd === null) throw new Error(`nn/native: oneDNN dnnl_primitive_desc_iterator_fetch failed for ${what}`);
            const impl = this.implInfo(pd);
            if (avoid?.(impl)) pdDestroy(pd);
            else if (prefer === undefined || impl.startsWith(prefer)) {
              if (first !== null) pdDestroy(first);
              return pd;
            } else if (first === null) first = pd;
            else pdDestroy(pd);
          } while (itNext(it) === 0);
        } finally {
          itDestroy(it);
        }
        return first;
      }
      const st = pdCreate(out, opDesc, attr, engine, hint) as number;
      if (st === 3) return null; // dnnl_unimplemented: the caller falls back to the wasm kernel
      check(st, "dnnl_primitive_desc_create", what);
      return out[0];
    },
    reorderDesc(from, to, what, accumulate = false) {
      check(reorderCreate(out, from, engine, to, engine, accumulate ? postOpAttr("sum", what) : null), "dnnl_reorder_primitive_desc_create", what);
      return out[0];
    },
    queryMd: (pd, query, index = 0) => queryMd(pd, query, index),
    implInfo(pd) {
      const r: unknown[] = [null];
      check(pdQuery(pd, DNNL.qImplInfo, 0, r), "dnnl_primitive_desc_query", "the implementation name");
      return String(r[0]);
    },
    primitive(pd, what) {
      check(primCreate(out, pd), "dnnl_primitive_create", what);
      return out[0];
    },
    memory(md, buffer, what) {
      check(memCreate(out, md, engine, buffer), "dnnl_memory_create", what);
      return out[0];
    },
    setHandle(mem, address) {
      check(setHandle(mem, address), "dnnl_memory_set_data_handle", "a kernel buffer");
    },
    execute(prim, args, nargs, what) {
      check(execute(prim, stream, nargs, args), "dnnl_primitive_execute", what);
      check(streamWait(stream), "dnnl_stream_wait", what);
    },
    convForwardInit(d, src, w, dst, s, dil, pl, pr, what) {
      check(convFwd(d, DNNL.forwardTraining, DNNL.convDirect, src, w, null, dst, s, dil, pl, pr), "dnnl_dilated_convolution_forward_desc_init", what);
    },
    convBackwardDataInit(d, dsrc, w, ddst, s, dil, pl, pr, what) {
      check(convBwdData(d, DNNL.convDirect, dsrc, w, ddst, s, dil, pl, pr), "dnnl_dilated_convolution_backward_data_desc_init", what);
    },
    convBackwardWeightsInit(d, src, dw, ddst, s, dil, pl, pr, what) {
      check(convBwdWeights(d, DNNL.convDirect, src, dw, null, ddst, s, dil, pl, pr), "dnnl_dilated_convolution_backward_weights_desc_init", what);
    },
    matmulInit(d, a, b, c, what) {
      check(matmulInit(d, a, b, null, c), "dnnl_matmul_desc_init", what);
    },
    batchNormForwardInit(d, data, eps, flags, what, prop = DNNL.forwardTraining) {
      check(bnFwd(d, prop, data, eps, flags), "dnnl_batch_normalization_forward_desc_init", what);
    },
    batchNormBackwardInit(d, diff, data, eps, flags, what) {
      check(bnBwd(d, DNNL.backward, diff, data, eps, flags), "dnnl_batch_normalization_backward_desc_init", what);
    },
    eltwiseForwardInit(d, alg, data, alpha, beta, what) {
      check(eltFwd(d, DNNL.forwardTraining, alg, data, alpha, beta), "dnnl_eltwise_forward_desc_init", what);
    },
    eltwiseBackwardInit(d, alg, diff, data, alpha, beta, what) {
      check(eltBwd(d, alg, diff, data, alpha, beta), "dnnl_eltwise_backward_desc_init", what);
    },
    binaryInit(d, alg, src0, src1, dst, what) {
      check(binary(d, alg, src0, src1, dst), "dnnl_binary_desc_init", what);
    },
    poolingForwardInit(d, alg, src, dst, s, k, dil, pl, pr, what) {
      check(poolFwd(d, DNNL.forwardInference, alg, src, dst, s, k, dil, pl, pr), "dnnl_pooling_v2_forward_desc_init", what);
    },
    budget: 1,
    useThreads(n) {
      if (n === current) return;
      current = n;
      setThreads(n);
    },
  };
}
