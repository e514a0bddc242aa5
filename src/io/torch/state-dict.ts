/**
 * PyTorch checkpoints (`.pt`, `.pth`) written by `torch.save(state_dict)` in the zip format (the
 * default since PyTorch 1.6): `<root>/data.pkl` (the pickled object), `<root>/data/<key>` (one raw
 * little-endian storage per key), `<root>/version`, and since 2.1 `<root>/byteorder`; `<root>` is
 * "archive" or, before 2.0, the file's stem. Read entirely in TypeScript, nothing executed: the
 * pickle goes through the allow-listed unpickler (pickle.ts) that knows only OrderedDict, the
 * storage types and `torch._utils._rebuild_tensor_v2` / `_rebuild_parameter`.
 *
 * What is returned is the state dict, name → DecodedTensor (keys in file order):
 * - the pickled object itself when it is a dict of tensors (`torch.save(model.state_dict())`);
 * - else its `state_dict` entry, else its `model` entry, when that is a dict of tensors (the common
 *   training-checkpoint layouts `{"epoch", "state_dict", "optimizer", …}` and `{"model", …}`); the
 *   other entries must still unpickle (numbers, strings, lists, dicts, tensors).
 * Tensors: float32, float16, bfloat16 (both widened to Float32Array), float64, int64, int32, int8,
 * uint8, bool; any storage offset and strides (views, transposes, `expand`ed stride-0 dims) are
 * gathered into a fresh contiguous array; tensors sharing a storage each get their own copy. The
 * device a storage was saved from (its location, "cuda:0") is ignored: everything is read to the CPU.
 * `torch.nn.utils.prune`'s `_orig`/`_mask` pairs are returned as stored: see prune-layout.ts.
 *
 * Refused, with the file named: the legacy (pre-1.6) non-zip format (say how to re-save);
 * TorchScript archives (`torch.jit.save`); big-endian files; a whole pickled model
 * (`torch.save(model)`) or any other global outside the allow-list (numpy scalars,
 * argparse.Namespace) — the error names the global; storages of int16 or complex type; a storage
 * whose size differs from its element count; a view reaching outside its storage; a dict with no
 * state dict in it. O(file size).
 */
import { readFileSync } from "node:fs";
import { readZipEntries, looksLikeZip } from "./zip";
import { unpickle, pickleTypeName, PickleGlobal } from "./pickle";
import type { PickleCallable, PickleDict, PickleObject, PickleValue } from "./pickle";
import { checkedElementCount, decodeLittleEndian, TENSOR_ELEMENT_BYTES } from "../tensor";
import type { DecodedTensor, TensorData, TensorDataType } from "../tensor";

/** A state dict: parameter and buffer name → tensor, in file order. */
export type TorchStateDict = Map<string, DecodedTensor>;

const STORAGE_TYPES: Readonly<Record<string, TensorDataType>> = {
  "torch.FloatStorage": "float32",
  "torch.HalfStorage": "float16",
  "torch.BFloat16Storage": "bfloat16",
  "torch.DoubleStorage": "float64",
  "torch.LongStorage": "int64",
  "torch.IntStorage": "int32",
  "torch.CharStorage": "int8",
  "torch.ByteStorage": "uint8",
  "torch.BoolStorage": "bool",
};
/** Named so that the error says "storage type … not supported" rather than "global not allowed". */
const REFUSED_STORAGE_TYPES = ["torch.ShortStorage", "torch.ComplexFloatStorage", "torch.ComplexDoubleStorage", "torch.QInt8Storage", "torch.QUInt8Storage", "torch.QInt32Storage"];

interface StorageRef extends PickleObject {
  readonly pickleKind: "torch storage";
  readonly key: string;
  readonly dataType: TensorDataType;
  readonly count: number;
}

interface TensorRef extends PickleObject {
  readonly pickleKind: "torch tensor";
  readonly storage: StorageRef;
  readonly offset: number;
  readonly size: readonly number[];
  readonly stride: readonly number[];
}

const isTensorRef = (v: PickleValue): v is TensorRef => typeof v === "object" && v !== null && "pickleKind" in v && v.pickleKind === "torch tensor";
const isStorageRef = (v: PickleValue): v is StorageRef => typeof v === "object" && v !== null && "pickleKind" in v && v.pickleKind === "torch storage";

function intList(v: PickleValue, what: string, where: string): number[] {
  if (!Array.isArray(v)) throw new Error(`${where}: ${what} is a ${pickleTypeName(v)}, not a tuple of ints`);
  return v.map((x) => {
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) throw new Error(`${where}: ${what} (${v.map(String).join(", ")}) holds ${String(x)}, not a non-negative int`);
    return x;
  });
}

/** `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
const rebuildTensorV2: PickleCallable = (args, where) => {
  if (args.length < 6 || args.length > 7) throw new Error(`${where}: expected 6 or 7 arguments, got ${args.length}`);
  const [storage, offset, size, stride, requiresGrad, hooks] = args;
  if (!isStorageRef(storage)) throw new Error(`${where}: first argument is a ${pickleTypeName(storage)}, not a storage`);
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) throw new Error(`${where}: bad storage offset ${String(offset)}`);
  const sizes = intList(size, "size", where);
  const strides = intList(stride, "stride", where);
  if (sizes.length !== strides.length) throw new Error(`${where}: size (${sizes.join(", ")}) and stride (${strides.join(", ")}) differ in length`);
  if (typeof requiresGrad !== "boolean") throw new Error(`${where}: requires_grad is a ${pickleTypeName(requiresGrad)}`);
  if (!(hooks instanceof Map) || hooks.size > 0) throw new Error(`${where}: backward hooks are not an empty OrderedDict`);
  const ref: TensorRef = { pickleKind: "torch tensor", storage, offset, size: sizes, stride: strides };
  return ref;
};

/** `torch._utils._rebuild_parameter(data, requires_grad, backward_hooks)`: the tensor itself. */
const rebuildParameter: PickleCallable = (args, where) => {
  if (args.length !== 3 || !isTensorRef(args[0])) throw new Error(`${where}: expected (tensor, requires_grad, hooks)`);
  return args[0];
};

/** `collections.OrderedDict()` or `OrderedDict([(k, v), …])`. */
const orderedDict: PickleCallable = (args, where) => {
  const d = new Map<string, PickleValue>();
  if (args.length === 0) return d;
  const pairs = args[0];
  if (args.length !== 1 || !Array.isArray(pairs)) throw new Error(`${where}: expected no arguments or a list of pairs`);
  for (const p of pairs) {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== "string") throw new Error(`${where}: an item is not a (str, value) pair`);
    d.set(p[0], p[1]);
  }
  return d;
};

type NumberArray = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array;

function allocLike(src: TensorData, n: number): TensorData {
  if (src instanceof Float32Array) return new Float32Array(n);
  if (src instanceof Float64Array) return new Float64Array(n);
  if (src instanceof BigInt64Array) return new BigInt64Array(n);
  if (src instanceof Int32Array) return new Int32Array(n);
  if (src instanceof Int8Array) return new Int8Array(n);
  return new Uint8Array(n);
}

/** The tensor's elements in C order, gathered from its storage through offset and strides. */
function materialize(ref: TensorRef, storageData: TensorData, where: string): TensorData {
  const { size, stride, offset } = ref;
  const n = checkedElementCount(size, where);
  const st = ref.storage;
  if (n === 0) return allocLike(storageData, 0);
  let last = offset;
  for (let d = 0; d < size.length; d++) last += (size[d] - 1) * stride[d];
  if (last >= st.count) {
    throw new Error(`${where}: size (${size.join(", ")}), stride (${stride.join(", ")}) and offset ${offset} reach element ${last} of storage '${st.key}', which has ${st.count}`);
  }
  let contiguous = true;
  for (let d = size.length - 1, expect = 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expect) contiguous = false;
    expect *= size[d];
  }
  if (contiguous) return storageData.slice(offset, offset + n);
  const out = allocLike(storageData, n);
  const rank = size.length;
  const idx = new Array<number>(rank).fill(0);
  let src = offset;
  const big = storageData instanceof BigInt64Array;
  for (let i = 0; i < n; i++) {
    if (big) (out as BigInt64Array)[i] = (storageData as BigInt64Array)[src];
    else (out as NumberArray)[i] = (storageData as NumberArray)[src];
    // Odometer step over the multi-index, last axis fastest.
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < size[d]) {
        src += stride[d];
        break;
      }
      src -= (size[d] - 1) * stride[d];
      idx[d] = 0;
    }
  }
  return out;
}

const LEGACY_HINT =
  "load it with PyTorch and save it again with torch.save(obj, path), whose zip format (PyTorch ≥ 1.6, _use_new_zipfile_serialization=True) is the one read here";

/**
 * Parses the bytes of a `torch.save` zip checkpoint; `fileName` names the source in every error.
 * @throws see the module comment for what is refused.
 * @example const sd = parseTorchStateDict(readFileSync("net.pt"), "net.pt"); sd.get("conv1.weight")?.dims;
 */
export function parseTorchStateDict(bytes: Uint8Array, fileName = "<buffer>"): TorchStateDict {
  const where = `io/torch: ${fileName}`;
  if (!looksLikeZip(bytes)) {
    if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) throw new Error(`${where}: legacy (pre-1.6, non-zip) torch.save format, not supported: ${LEGACY_HINT}`);
    if (bytes.length >= 262 && Buffer.from(bytes.subarray(257, 262)).toString("latin1") === "ustar") throw new Error(`${where}: legacy tar torch.save format (PyTorch < 0.4), not supported: ${LEGACY_HINT}`);
    throw new Error(`${where}: not a PyTorch checkpoint (not a zip archive; ${LEGACY_HINT})`);
  }
  let root: string | null = null;
  const { entries, names } = readZipEntries(bytes, where, (name) => {
    const m = /^([^/]+)\/(data\.pkl|byteorder|data\/[^/]+)$/.exec(name);
    return m !== null;
  });
  if (names.some((n) => /^[^/]+\/constants\.pkl$/.test(n) || /^[^/]+\/code\//.test(n))) {
    throw new Error(`${where}: a TorchScript archive (torch.jit.save), not supported: save model.state_dict() with torch.save, or export the model to ONNX`);
  }
  for (const name of names) {
    const m = /^([^/]+)\/data\.pkl$/.exec(name);
    if (!m) continue;
    if (root !== null) throw new Error(`${where}: the archive holds several data.pkl ('${root}/data.pkl', '${name}')`);
    root = m[1];
  }
  if (root === null) {
    throw new Error(`${where}: not a torch.save archive (no <root>/data.pkl among its ${names.length} entries)`);
  }
  const byteorder = entries.get(`${root}/byteorder`);
  if (byteorder) {
    const order = Buffer.from(byteorder).toString("latin1").trim();
    if (order !== "little") throw new Error(`${where}: byteorder '${order}' is not supported (only little-endian)`);
  }
  const storages = new Map<string, StorageRef>();
  const decoded = new Map<string, TensorData>();
  const persistentLoad = (pid: PickleValue, at: string): PickleValue => {
    if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== "storage") throw new Error(`${at}: persistent id is not ('storage', type, key, location, numel)`);
    const [, type, key, , numel] = pid;
    if (!(type instanceof PickleGlobal)) throw new Error(`${at}: storage type is a ${pickleTypeName(type)}`);
    const dataType = STORAGE_TYPES[type.qualifiedName];
    if (!dataType) throw new Error(`${at}: storage type ${type.qualifiedName} is not supported (supported: ${Object.keys(STORAGE_TYPES).join(", ")})`);
    if (typeof key !== "string" || typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0) throw new Error(`${at}: bad storage key or size`);
    const seen = storages.get(key);
    if (seen) {
      if (seen.dataType !== dataType || seen.count !== numel) throw new Error(`${at}: storage '${key}' is referenced as ${dataType}×${numel} and as ${seen.dataType}×${seen.count}`);
      return seen;
    }
    const raw = entries.get(`${root}/data/${key}`);
    if (!raw) throw new Error(`${at}: storage '${key}' has no entry '${root}/data/${key}' in the archive`);
    const want = numel * TENSOR_ELEMENT_BYTES[dataType];
    if (raw.length !== want) throw new Error(`${at}: storage '${key}' has ${raw.length} bytes, ${numel} ${dataType} elements need ${want}`);
    const ref: StorageRef = { pickleKind: "torch storage", key, dataType, count: numel };
    storages.set(key, ref);
    return ref;
  };
  const obj = unpickle(entries.get(`${root}/data.pkl`) as Uint8Array, {
    where: `${where}: ${root}/data.pkl`,
    callables: {
      "collections.OrderedDict": orderedDict,
      "torch._utils._rebuild_tensor_v2": rebuildTensorV2,
      "torch._utils._rebuild_parameter": rebuildParameter,
    },
    names: new Set([...Object.keys(STORAGE_TYPES), ...REFUSED_STORAGE_TYPES]),
    persistentLoad,
  });
  const [entryName, dict] = findStateDict(obj, where);
  const out: TorchStateDict = new Map();
  for (const [k, v] of dict) {
    const at = `${where}: ${entryName ? `'${entryName}' entry: ` : ""}tensor '${String(k)}'`;
    if (typeof k !== "string") throw new Error(`${where}: state dict key ${String(k)} is not a string`);
    const ref = v as TensorRef; // findStateDict checked every value
    const s = ref.storage;
    let data = decoded.get(s.key);
    if (!data) {
      data = decodeLittleEndian(entries.get(`${root}/data/${s.key}`) as Uint8Array, s.dataType, s.count, `${where}: storage '${s.key}'`);
      decoded.set(s.key, data);
    }
    out.set(k, { dims: [...ref.size], dataType: s.dataType, data: materialize(ref, data, at) });
  }
  return out;
}

/** The dict of tensors in the unpickled object: itself, or its 'state_dict' or 'model' entry. */
function findStateDict(obj: PickleValue, where: string): [string | null, PickleDict] {
  const isTensorDict = (v: PickleValue | undefined): v is PickleDict => v instanceof Map && [...v.values()].every(isTensorRef);
  if (isTensorDict(obj)) return [null, obj];
  if (obj instanceof Map) {
    for (const key of ["state_dict", "model"]) if (isTensorDict(obj.get(key))) return [key, obj.get(key) as PickleDict];
    const keys = [...obj.keys()].map(String);
    const [k, v] = [...obj].find(([, x]) => !isTensorRef(x)) as [PickleValue, PickleValue];
    throw new Error(`${where}: no state dict found: the saved dict (keys ${keys.slice(0, 12).join(", ")}${keys.length > 12 ? ", …" : ""}) is not a dict of tensors (its entry '${String(k)}' is a ${pickleTypeName(v)}), and has no 'state_dict' or 'model' entry that is one`);
  }
  throw new Error(`${where}: no state dict found: the saved object is a ${pickleTypeName(obj)}, not a dict of tensors`);
}

/**
 * Reads a `.pt`/`.pth` checkpoint written by `torch.save` (see the module comment).
 * @throws when the file cannot be read, and for everything the module comment lists.
 * @example const sd = readTorchStateDict("resnet18.pth"); sd.get("fc.weight")?.dims; // [1000, 512]
 */
export function readTorchStateDict(path: string): TorchStateDict {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`io/torch: cannot read ${path}: ${(err as Error).message}`);
  }
  return parseTorchStateDict(bytes, path);
}
