/**
 * XGBoost (the C library, Debian `libxgboost0` 1.7) called through koffi: matrices from typed arrays
 * (NaN = missing), parameters, boosting, prediction, exact TreeSHAP contributions (`pred_contribs`,
 * option mask 4 of `XGBoosterPredict`, Lundberg et al. 2020), gain importance and model save/load
 * as JSON.
 *
 * Why FFI and not a JS port: the only JS ports are dead or inference-only, and TreeSHAP exists
 * only in the C++ library (ecosystem-notes §3). Why nthread = 1 by default: on the shared 2-core
 * machine OpenMP oversubscription made a 0.24 s fit take 20 s (ecosystem-notes §3.2), and one
 * thread keeps results bit-reproducible.
 *
 * Every C call is checked: a non-zero return becomes an Error carrying XGBGetLastError()'s text.
 * Native handles are freed by `dispose()`; a FinalizationRegistry frees forgotten ones.
 */
import fs from "node:fs";

type KoffiFn = (...args: unknown[]) => unknown;
/**
 * The part of koffi's API used here, declared locally: koffi's package is ESM-typed with a CJS
 * entry, and `typeof import("koffi")` resolves differently across installs under nodenext
 * (a fresh `npm ci` reported TS1479), while tslab resolves it the Node10 way.
 */
interface KoffiModule {
  load(path: string): { func(signature: string): KoffiFn };
  pointer(name: string, type: unknown): unknown;
  opaque(): unknown;
  type(name: string): unknown;
  decode(ptr: unknown, type: string, length: number): unknown;
  view(ptr: unknown, length: number): ArrayBuffer;
}

interface XgbApi {
  koffi: KoffiModule;
  libPath: string;
  getLastError: () => string;
  version: (major: number[], minor: number[], patch: number[]) => unknown;
  dmCreateFromMat: KoffiFn;
  dmSetFloatInfo: KoffiFn;
  dmNumRow: KoffiFn;
  dmNumCol: KoffiFn;
  dmFree: KoffiFn;
  bCreate: KoffiFn;
  bFree: KoffiFn;
  bSetParam: KoffiFn;
  bUpdateOneIter: KoffiFn;
  bPredict: KoffiFn;
  bSaveToBuffer: KoffiFn;
  bLoadFromBuffer: KoffiFn;
  bFeatureScore: KoffiFn;
  bBoostedRounds: KoffiFn;
}

/** Where the shared library is looked for, in order; `SNN_XGBOOST_LIB`, when set, is the only place. */
export function xgboostLibraryCandidates(): string[] {
  const env = process.env.SNN_XGBOOST_LIB;
  if (env && env.length > 0) return [env];
  const list = [
    "/usr/lib/x86_64-linux-gnu/libxgboost.so.0",
    "/usr/lib/aarch64-linux-gnu/libxgboost.so.0",
    "/usr/lib/x86_64-linux-gnu/libxgboost.so",
    "/usr/lib/libxgboost.so",
    "/usr/local/lib/libxgboost.so",
    "/opt/homebrew/lib/libxgboost.dylib",
    "/usr/local/lib/libxgboost.dylib",
  ];
  if (process.env.CONDA_PREFIX) list.push(`${process.env.CONDA_PREFIX}/lib/libxgboost.so`, `${process.env.CONDA_PREFIX}/lib/libxgboost.dylib`);
  return list;
}

const INSTALL_HINT =
  "install it with `sudo apt-get install libxgboost0` (Debian/Ubuntu; `npm run setup` does this), " +
  "`brew install xgboost` (macOS Homebrew) or `conda install -c conda-forge libxgboost`, " +
  "or point SNN_XGBOOST_LIB at libxgboost.so";

let api: XgbApi | null = null;

function loadApi(): XgbApi {
  if (api) return api;
  const candidates = xgboostLibraryCandidates();
  const libPath = candidates.find((p) => fs.existsSync(p));
  if (!libPath) {
    throw new Error(`analysis/xgboost: the XGBoost shared library was not found (looked in ${candidates.join(", ")}); ${INSTALL_HINT}`);
  }
  // Loaded lazily so that importing the analysis barrel never needs the native library.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const koffi = require("koffi") as KoffiModule;
  let lib: ReturnType<KoffiModule["load"]>;
  try {
    lib = koffi.load(libPath);
  } catch (err) {
    throw new Error(`analysis/xgboost: could not load ${libPath}: ${(err as Error).message}; ${INSTALL_HINT}`);
  }
  // Opaque handle types; a second load (tests re-importing) must not redefine the names.
  const handleType = (name: string) => {
    try {
      return koffi.pointer(name, koffi.opaque());
    } catch {
      return koffi.type(name);
    }
  };
  handleType("XgbDMatrixHandle");
  handleType("XgbBoosterHandle");
  api = {
    koffi,
    libPath,
    getLastError: lib.func("const char *XGBGetLastError()") as () => string,
    version: lib.func("void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)"),
    dmCreateFromMat: lib.func(
      "int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ XgbDMatrixHandle *out)",
    ),
    dmSetFloatInfo: lib.func("int XGDMatrixSetFloatInfo(XgbDMatrixHandle h, const char *field, const float *array, uint64_t len)"),
    dmNumRow: lib.func("int XGDMatrixNumRow(XgbDMatrixHandle h, _Out_ uint64_t *out)"),
    dmNumCol: lib.func("int XGDMatrixNumCol(XgbDMatrixHandle h, _Out_ uint64_t *out)"),
    dmFree: lib.func("int XGDMatrixFree(XgbDMatrixHandle h)"),
    bCreate: lib.func("int XGBoosterCreate(XgbDMatrixHandle *dmats, uint64_t len, _Out_ XgbBoosterHandle *out)"),
    bFree: lib.func("int XGBoosterFree(XgbBoosterHandle h)"),
    bSetParam: lib.func("int XGBoosterSetParam(XgbBoosterHandle h, const char *name, const char *value)"),
    bUpdateOneIter: lib.func("int XGBoosterUpdateOneIter(XgbBoosterHandle h, int iter, XgbDMatrixHandle dtrain)"),
    bPredict: lib.func(
      "int XGBoosterPredict(XgbBoosterHandle h, XgbDMatrixHandle dmat, int option_mask, unsigned int ntree_limit, int training, _Out_ uint64_t *out_len, _Out_ const float **out_result)",
    ),
    bSaveToBuffer: lib.func("int XGBoosterSaveModelToBuffer(XgbBoosterHandle h, const char *config, _Out_ uint64_t *out_len, _Out_ const void **out_dptr)"),
    bLoadFromBuffer: lib.func("int XGBoosterLoadModelFromBuffer(XgbBoosterHandle h, const void *buf, uint64_t len)"),
    bFeatureScore: lib.func(
      "int XGBoosterFeatureScore(XgbBoosterHandle h, const char *config, _Out_ uint64_t *out_n_features, _Out_ const char ***out_features, _Out_ uint64_t *out_dim, _Out_ const uint64_t **out_shape, _Out_ const float **out_scores)",
    ),
    bBoostedRounds: lib.func("int XGBoosterBoostedRounds(XgbBoosterHandle h, _Out_ int *out)"),
  };
  return api;
}

/** True when the native library can be loaded (tests use it to explain a skip, never to hide a failure). */
export function xgboostAvailable(): boolean {
  try {
    loadApi();
    return true;
  } catch {
    return false;
  }
}

/** Version of the loaded library, e.g. "1.7.4". */
export function xgboostVersion(): string {
  const a = loadApi();
  const ma = [0];
  const mi = [0];
  const pa = [0];
  a.version(ma, mi, pa);
  return `${ma[0]}.${mi[0]}.${pa[0]}`;
}

function check(a: XgbApi, rc: unknown, what: string): void {
  if (rc !== 0) throw new Error(`analysis/xgboost: ${what} failed: ${a.getLastError()}`);
}

function toNumber(v: unknown, what: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  throw new Error(`analysis/xgboost: ${what} returned a ${typeof v}`);
}

const registry = new FinalizationRegistry<{ free: KoffiFn; handle: unknown }>((held) => {
  held.free(held.handle);
});

/** A dense feature matrix (row-major, n × p). NaN marks a missing value. */
export interface Matrix {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

/** Builds a Matrix from row arrays, refusing ragged input. */
export function matrixFromRows(rows: ArrayLike<number>[], cols?: number): Matrix {
  const p = cols ?? (rows.length > 0 ? rows[0].length : 0);
  const data = new Float64Array(rows.length * p);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.length !== p) throw new Error(`analysis/xgboost: row ${i} has ${r.length} values, expected ${p}`);
    for (let j = 0; j < p; j++) data[i * p + j] = r[j];
  }
  return { data, rows: rows.length, cols: p };
}

/** Rows `idx` of a matrix, as a new matrix. */
export function takeRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Float64Array(idx.length * m.cols);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    if (!(i >= 0 && i < m.rows)) throw new Error(`analysis/xgboost: row index ${i} out of range [0, ${m.rows})`);
    for (let j = 0; j < m.cols; j++) out[k * m.cols + j] = m.data[i * m.cols + j];
  }
  return { data: out, rows: idx.length, cols: m.cols };
}

/** XGBoost's DMatrix: features (+ optional label and weights) held by the library. */
export class DMatrix {
  /** Opaque native handle; only valid until dispose(). */
  handle: unknown;
  readonly rows: number;
  readonly cols: number;
  private disposed = false;

  constructor(x: Matrix, label?: ArrayLike<number>, weight?: ArrayLike<number>) {
    const a = loadApi();
    if (x.data.length !== x.rows * x.cols) {
      throw new Error(`analysis/xgboost: matrix data has ${x.data.length} values, expected ${x.rows}×${x.cols}`);
    }
    if (x.rows === 0 || x.cols === 0) throw new Error(`analysis/xgboost: empty matrix (${x.rows}×${x.cols})`);
    for (let i = 0; i < x.data.length; i++) {
      const v = x.data[i];
      if (v === Infinity || v === -Infinity) {
        throw new Error(`analysis/xgboost: infinite feature value at row ${Math.floor(i / x.cols)}, column ${i % x.cols}`);
      }
    }
    const f32 = x.data instanceof Float32Array ? x.data : Float32Array.from(x.data);
    const out: unknown[] = [null];
    check(a, a.dmCreateFromMat(f32, x.rows, x.cols, NaN, out), "XGDMatrixCreateFromMat");
    this.handle = out[0];
    this.rows = x.rows;
    this.cols = x.cols;
    registry.register(this, { free: a.dmFree, handle: this.handle }, this);
    if (label) this.setFloatInfo("label", label);
    if (weight) this.setFloatInfo("weight", weight);
  }

  setFloatInfo(field: "label" | "weight" | "base_margin", values: ArrayLike<number>): void {
    const a = loadApi();
    this.assertLive();
    if (values.length !== this.rows && field !== "base_margin") {
      throw new Error(`analysis/xgboost: ${field} has ${values.length} values for ${this.rows} rows`);
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new Error(`analysis/xgboost: ${field}[${i}] is ${values[i]} (must be finite)`);
    }
    check(a, a.dmSetFloatInfo(this.handle, field, Float32Array.from(values), values.length), `XGDMatrixSetFloatInfo(${field})`);
  }

  /** Rows and columns as the library sees them (a cross-check on the hand-off). */
  shape(): [number, number] {
    const a = loadApi();
    this.assertLive();
    const r: unknown[] = [0];
    const c: unknown[] = [0];
    check(a, a.dmNumRow(this.handle, r), "XGDMatrixNumRow");
    check(a, a.dmNumCol(this.handle, c), "XGDMatrixNumCol");
    return [toNumber(r[0], "XGDMatrixNumRow"), toNumber(c[0], "XGDMatrixNumCol")];
  }

  dispose(): void {
    if (this.disposed) return;
    const a = loadApi();
    registry.unregister(this);
    check(a, a.dmFree(this.handle), "XGDMatrixFree");
    this.disposed = true;
  }

  assertLive(): void {
    if (this.disposed) throw new Error("analysis/xgboost: DMatrix used after dispose()");
  }
}

/** Booster parameters; values are passed to XGBoosterSetParam as strings. */
export type XgbParams = Record<string, string | number | boolean>;

/** The protocol's defaults (tree_method hist, one thread, seed 0). */
export const DEFAULT_XGB_PARAMS: Readonly<XgbParams> = { tree_method: "hist", nthread: 1, seed: 0, verbosity: 0 };

/** A trained (or loaded) XGBoost model. */
export class Booster {
  handle: unknown;
  private disposed = false;
  /** Number of features the model was trained on (needed for importance vectors). */
  numFeatures: number;

  private constructor(handle: unknown, numFeatures: number) {
    const a = loadApi();
    this.handle = handle;
    this.numFeatures = numFeatures;
    registry.register(this, { free: a.bFree, handle }, this);
  }

  /** Creates a booster bound to training matrices (for caching) and sets `params` over the defaults. */
  static create(params: XgbParams, cache: DMatrix[] = []): Booster {
    const a = loadApi();
    for (const d of cache) d.assertLive();
    const out: unknown[] = [null];
    const handles = cache.map((d) => d.handle);
    check(a, a.bCreate(handles.length > 0 ? handles : null, handles.length, out), "XGBoosterCreate");
    const b = new Booster(out[0], cache.length > 0 ? cache[0].cols : 0);
    b.setParams({ ...DEFAULT_XGB_PARAMS, ...params });
    return b;
  }

  /** Loads a model saved by `toJSON()` (or by any XGBoost ≥ 1.0 `save_model("x.json")`). */
  static fromJSON(json: string): Booster {
    const a = loadApi();
    const b = Booster.create({});
    const bytes = Buffer.from(json, "utf8");
    check(a, a.bLoadFromBuffer(b.handle, bytes, bytes.length), "XGBoosterLoadModelFromBuffer");
    const parsed = JSON.parse(json) as { learner?: { learner_model_param?: { num_feature?: string } } };
    b.numFeatures = Number(parsed.learner?.learner_model_param?.num_feature ?? 0);
    return b;
  }

  setParams(params: XgbParams): void {
    const a = loadApi();
    this.assertLive();
    for (const [k, v] of Object.entries(params)) {
      check(a, a.bSetParam(this.handle, k, typeof v === "boolean" ? (v ? "1" : "0") : String(v)), `XGBoosterSetParam(${k}=${v})`);
    }
  }

  /** One boosting round on `dtrain`. */
  updateOneIter(iter: number, dtrain: DMatrix): void {
    const a = loadApi();
    this.assertLive();
    dtrain.assertLive();
    this.numFeatures = dtrain.cols;
    check(a, a.bUpdateOneIter(this.handle, iter, dtrain.handle), `XGBoosterUpdateOneIter(round ${iter})`);
  }

  boostedRounds(): number {
    const a = loadApi();
    const out = [0];
    check(a, a.bBoostedRounds(this.handle, out), "XGBoosterBoostedRounds");
    return out[0];
  }

  private predictRaw(d: DMatrix, mask: number): Float64Array {
    const a = loadApi();
    this.assertLive();
    d.assertLive();
    const len: unknown[] = [0];
    const ptr: unknown[] = [null];
    check(a, a.bPredict(this.handle, d.handle, mask, 0, 0, len, ptr), "XGBoosterPredict");
    const n = toNumber(len[0], "XGBoosterPredict length");
    if (n === 0) return new Float64Array(0);
    const view = a.koffi.decode(ptr[0], "float", n) as ArrayLike<number>;
    // The buffer belongs to the booster and is overwritten by the next call: copy it now.
    return Float64Array.from(view);
  }

  /**
   * Predictions: n values (regression, binary), or n × k class probabilities (multi:softprob),
   * row-major. `outputMargin` gives raw scores before the link function.
   */
  predict(d: DMatrix, outputMargin = false): Float64Array {
    return this.predictRaw(d, outputMargin ? 1 : 0);
  }

  /**
   * Exact TreeSHAP contributions: n × (p + 1) values per output group (bias last); for k classes
   * the layout is n × k × (p + 1). Each row sums to the raw margin prediction.
   */
  predictContribs(d: DMatrix): Float64Array {
    return this.predictRaw(d, 4);
  }

  /**
   * Per-feature importance of the given type (`gain` = average loss reduction of the splits on the
   * feature, `total_gain`, `weight`, `cover`, `total_cover`). Features never used get 0. For
   * multi-class models the library reports per-class gains for gblinear only; trees give one vector.
   */
  featureImportance(type: "gain" | "total_gain" | "weight" | "cover" | "total_cover" = "gain"): Float64Array {
    const a = loadApi();
    this.assertLive();
    const nf: unknown[] = [0];
    const names: unknown[] = [null];
    const dim: unknown[] = [0];
    const shape: unknown[] = [null];
    const scores: unknown[] = [null];
    check(a, a.bFeatureScore(this.handle, JSON.stringify({ importance_type: type }), nf, names, dim, shape, scores), "XGBoosterFeatureScore");
    const n = toNumber(nf[0], "XGBoosterFeatureScore count");
    const d = toNumber(dim[0], "XGBoosterFeatureScore dim");
    if (d !== 1) {
      // gblinear multi-class models report a features × classes matrix; trees report one vector.
      throw new Error(`analysis/xgboost: feature importance with ${d} dimensions (per-class scores of gblinear) is not supported`);
    }
    const out = new Float64Array(this.numFeatures);
    if (n === 0) return out;
    const namePtrs = a.koffi.decode(names[0], "const char *", n) as string[];
    const vals = a.koffi.decode(scores[0], "float", n) as ArrayLike<number>;
    for (let i = 0; i < n; i++) {
      const m = /^f(\d+)$/.exec(namePtrs[i]);
      if (!m) throw new Error(`analysis/xgboost: unexpected feature name '${namePtrs[i]}' in importance`);
      const j = Number(m[1]);
      if (j >= out.length) throw new Error(`analysis/xgboost: importance names feature ${j} but the model has ${out.length}`);
      out[j] = vals[i];
    }
    return out;
  }

  /** The model as XGBoost's JSON format (`XGBoosterSaveModelToBuffer` with format json). */
  toJSON(): string {
    const a = loadApi();
    this.assertLive();
    const len: unknown[] = [0];
    const ptr: unknown[] = [null];
    check(a, a.bSaveToBuffer(this.handle, JSON.stringify({ format: "json" }), len, ptr), "XGBoosterSaveModelToBuffer");
    const n = toNumber(len[0], "XGBoosterSaveModelToBuffer length");
    const bytes = new Uint8Array(a.koffi.view(ptr[0], n).slice(0));
    return Buffer.from(bytes).toString("utf8");
  }

  save(file: string): void {
    fs.writeFileSync(file, this.toJSON());
  }

  static load(file: string): Booster {
    if (!fs.existsSync(file)) throw new Error(`analysis/xgboost: model file not found: ${file}`);
    return Booster.fromJSON(fs.readFileSync(file, "utf8"));
  }

  dispose(): void {
    if (this.disposed) return;
    const a = loadApi();
    registry.unregister(this);
    check(a, a.bFree(this.handle), "XGBoosterFree");
    this.disposed = true;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error("analysis/xgboost: Booster used after dispose()");
  }
}

/** Trains `rounds` boosting rounds on (x, y). */
export function trainXgb(params: XgbParams, x: Matrix, y: ArrayLike<number>, rounds: number, weight?: ArrayLike<number>): Booster {
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`analysis/xgboost: rounds must be a positive integer, got ${rounds}`);
  const d = new DMatrix(x, y, weight);
  try {
    const b = Booster.create(params, [d]);
    for (let i = 0; i < rounds; i++) b.updateOneIter(i, d);
    return b;
  } finally {
    d.dispose();
  }
}

/** Predicts (x) with a booster, handling the DMatrix lifetime. */
export function predictXgb(b: Booster, x: Matrix, outputMargin = false): Float64Array {
  const d = new DMatrix(x);
  try {
    return b.predict(d, outputMargin);
  } finally {
    d.dispose();
  }
}

/** TreeSHAP contributions for (x), handling the DMatrix lifetime; see Booster.predictContribs. */
export function shapXgb(b: Booster, x: Matrix): Float64Array {
  const d = new DMatrix(x);
  try {
    return b.predictContribs(d);
  } finally {
    d.dispose();
  }
}
