/**
 * ONNX model files (`.onnx`, and gzip-compressed `.onnx.gz`, told by their magic bytes) read into a
 * plain typed structure: opsets, nodes with their attributes, initializers decoded into typed
 * arrays, and the graph's inputs, outputs and value_info. The file format layer only: it knows no
 * operator semantics (the architecture importer interprets the graph).
 *
 * Decoding is protobufjs's (reflection over onnx.proto, loaded from its JSON descriptor: ~10 ms, the
 * same as parsing the .proto, and it travels into dist/ with tsc); this module walks the decoded
 * messages and checks everything it hands out. O(file size).
 *
 * Tensors (initializers and the `value` of Constant nodes) come from `raw_data` (little-endian) or
 * the typed repeated fields (`float_data`, `int32_data` — also holding int8/uint8/bool values and
 * float16/bfloat16 bits —, `int64_data`, `double_data`); `dims × element size` must match the data
 * exactly. Element types: float32, float16, bfloat16 (both widened to Float32Array), float64,
 * int64 (BigInt64Array, exact), int32, int8, uint8, bool.
 *
 * Refused, each with an error naming the file and the tensor, node or attribute:
 * - bytes that do not decode as a ModelProto, or decode without an ir_version, opset_import or graph
 *   ("io/onnx: FILE: not a valid ONNX model (…)"): truncated files and garbage;
 * - external data (`data_location: EXTERNAL`, models over 2 GB saved with
 *   `save_as_external_data`): re-save with the weights inside the file;
 * - tensors split into segments, sparse initializers and sparse attributes;
 * - element types other than the nine above (string, int16, uint16, uint32, uint64, complex…);
 * - negative dims, dims holding more than 2^31 − 1 elements, data shorter or longer than the dims;
 *   typed-field values out of range for their type (an int8 of 300);
 * - graph-valued attributes (the bodies of If, Loop, Scan), and nodes that call a model-local
 *   function (functions no node calls are ignored);
 * - graph inputs, outputs or value_info whose type is not a tensor (sequence, map, optional);
 * - attributes whose type disagrees with the field they carry, or that carry no value;
 * - duplicate initializer or attribute names, nodes without an op_type.
 * Ignored: doc strings, metadata_props, training_info, quantization annotations.
 *
 * Integer attributes (`int`, `ints`) are numbers: exact within ±2^53; beyond it (only the INT64_MAX
 * and INT64_MIN "to the end" sentinels of Slice in practice) the nearest double.
 */
import * as protobuf from "protobufjs";
import { ONNX_DESCRIPTOR as descriptor } from "./onnx-descriptor";
import { readFileBytes } from "../read-file";
import { gunzipIfGzipped } from "../gzip";
import { checkedElementCount, decodeLittleEndian, TENSOR_ELEMENT_BYTES } from "../tensor";
import type { DecodedTensor, TensorData, TensorDataType } from "../tensor";

export interface OnnxTensor extends DecodedTensor {
  readonly name: string;
}

/** A node attribute (ONNX AttributeProto), by its type. */
export type OnnxAttribute =
  | { readonly type: "int"; readonly value: number }
  | { readonly type: "float"; readonly value: number }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "ints"; readonly value: readonly number[] }
  | { readonly type: "floats"; readonly value: readonly number[] }
  | { readonly type: "strings"; readonly value: readonly string[] }
  | { readonly type: "tensor"; readonly value: OnnxTensor };

export interface OnnxNode {
  /** The node's name ("" when the file gives none). */
  readonly name: string;
  readonly opType: string;
  /** Operator domain: "" (or "ai.onnx") for the standard operators. */
  readonly domain: string;
  /** Input value names; "" marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** By attribute name (a null-prototype object). */
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

/** Element type of a value: a TensorDataType, or the ONNX name in lower case for the others. */
export type OnnxElemType =
  | TensorDataType
  | "undefined"
  | "uint16"
  | "int16"
  | "string"
  | "uint32"
  | "uint64"
  | "complex64"
  | "complex128"
  | `onnx-type-${number}`;

export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxElemType;
  /**
   * Per dimension: its size, its symbolic name (dim_param, e.g. "batch"), or null when neither is
   * given. `null` for the whole list when the file gives no shape (unknown rank).
   */
  readonly dims: readonly (number | string | null)[] | null;
}

export interface OnnxGraph {
  readonly name: string;
  /** In file order (ONNX requires topological order; not checked here). */
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  /** Graph inputs (IR < 4 lists the initializers here too). */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly valueInfo: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  /** The path (or label) the model was read from. */
  readonly file: string;
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly opsetImports: readonly { readonly domain: string; readonly version: number }[];
  readonly graph: OnnxGraph;
}

/** Protobuf's own limit on a message; also the cap on gunzipped size. */
const MAX_MODEL_BYTES = 2 ** 31 - 1;

// ---- protobufjs's decoded messages (only the fields read here) ----
interface PbLong {
  low: number;
  high: number;
  unsigned: boolean;
}
type PbInt = number | PbLong;
interface PbTensor {
  dims: PbInt[];
  dataType: number;
  segment?: unknown;
  floatData: number[];
  int32Data: number[];
  stringData: Uint8Array[];
  int64Data: PbInt[];
  name: string;
  rawData: Uint8Array;
  externalData: unknown[];
  dataLocation: number;
  doubleData: number[];
  uint64Data: PbInt[];
}
interface PbAttribute {
  name: string;
  refAttrName: string;
  type: number;
  f: number;
  i: PbInt;
  s: Uint8Array;
  t?: PbTensor | null;
  floats: number[];
  ints: PbInt[];
  strings: Uint8Array[];
}
interface PbNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: PbAttribute[];
}
interface PbDimension {
  dimValue?: PbInt;
  dimParam?: string;
  value?: "dimValue" | "dimParam";
}
interface PbTypeProto {
  value?: string;
  tensorType?: { elemType: number; shape?: { dim: PbDimension[] } | null } | null;
}
interface PbValueInfo {
  name: string;
  type?: PbTypeProto | null;
}
interface PbGraph {
  node: PbNode[];
  name: string;
  initializer: PbTensor[];
  sparseInitializer: unknown[];
  input: PbValueInfo[];
  output: PbValueInfo[];
  valueInfo: PbValueInfo[];
}
interface PbModel {
  irVersion: PbInt;
  opsetImport: { domain: string; version: PbInt }[];
  producerName: string;
  producerVersion: string;
  graph?: PbGraph | null;
  functions: { name: string; domain: string }[];
}

let modelType: protobuf.Type | null = null;
function onnxModelType(): protobuf.Type {
  if (!modelType) modelType = protobuf.Root.fromJSON(descriptor as protobuf.INamespace).lookupType("onnx.ModelProto");
  return modelType;
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** A protobuf int64 as an exact bigint. */
function toBigInt(v: PbInt): bigint {
  if (typeof v === "number") return BigInt(v);
  const b = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return v.unsigned ? b : BigInt.asIntN(64, b);
}

/** A protobuf int64 as a number (exact within ±2^53, else the nearest double). */
function toNumber(v: PbInt): number {
  return typeof v === "number" ? v : Number(toBigInt(v));
}

/** ONNX TensorProto.DataType codes (onnx.proto) → names. */
const ONNX_TYPE_NAMES: readonly OnnxElemType[] = [
  "undefined",
  "float32",
  "uint8",
  "int8",
  "uint16",
  "int16",
  "int32",
  "int64",
  "string",
  "bool",
  "float16",
  "float64",
  "uint32",
  "uint64",
  "complex64",
  "complex128",
  "bfloat16",
];

function elemTypeName(code: number): OnnxElemType {
  return ONNX_TYPE_NAMES[code] ?? `onnx-type-${code}`;
}

const SUPPORTED: ReadonlySet<string> = new Set<TensorDataType>(["float32", "float16", "bfloat16", "float64", "int64", "int32", "int8", "uint8", "bool"]);

/** Valid ranges of the values int32_data holds for the narrower types. */
const INT32_FIELD_RANGE: Partial<Record<TensorDataType, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  bool: [0, 1],
  float16: [0, 0xffff],
  bfloat16: [0, 0xffff],
  int32: [-(2 ** 31), 2 ** 31 - 1],
};

function decodeTensor(t: PbTensor, where: string): OnnxTensor {
  const name = t.name ?? "";
  const at = `${where}: tensor '${name}'`;
  if (t.dataLocation === 1 || t.externalData.length > 0) {
    throw new Error(`${at} keeps its data in an external file (data_location EXTERNAL), which is not supported: load the model with onnx.load (which reads the external files) and save it again with onnx.save_model(model, path, save_as_external_data=False)`);
  }
  if (t.segment) throw new Error(`${at} is split into segments, which is not supported`);
  const typeName = elemTypeName(t.dataType);
  if (!SUPPORTED.has(typeName)) throw new Error(`${at} has element type ${typeName} (data_type ${t.dataType}); supported: ${[...SUPPORTED].join(", ")}`);
  const dataType = typeName as TensorDataType;
  const dims = t.dims.map((d) => {
    const b = toBigInt(d);
    if (b < 0n || b > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${at}: bad dimension ${b} in its dims`);
    return Number(b);
  });
  const count = checkedElementCount(dims, at);
  const typed: Record<string, number> = {
    float_data: t.floatData.length,
    int32_data: t.int32Data.length,
    int64_data: t.int64Data.length,
    double_data: t.doubleData.length,
    uint64_data: t.uint64Data.length,
    string_data: t.stringData.length,
  };
  const usedTyped = Object.keys(typed).filter((k) => typed[k] > 0);
  const hasRaw = has(t, "rawData") && t.rawData.length > 0;
  if (hasRaw && usedTyped.length > 0) throw new Error(`${at} has both raw_data and ${usedTyped.join(", ")}`);
  if (usedTyped.length > 1) throw new Error(`${at} has several data fields (${usedTyped.join(", ")})`);
  let data: TensorData;
  if (hasRaw || (count === 0 && usedTyped.length === 0)) {
    const raw = hasRaw ? t.rawData : new Uint8Array(0);
    if (raw.length !== count * TENSOR_ELEMENT_BYTES[dataType]) {
      throw new Error(`${at}: dims [${dims.join(", ")}] of ${dataType} need ${count * TENSOR_ELEMENT_BYTES[dataType]} bytes, raw_data has ${raw.length}`);
    }
    data = decodeLittleEndian(raw, dataType, count, at);
  } else {
    data = decodeTypedField(t, dataType, count, at, usedTyped[0]);
  }
  return { name, dims, dataType, data };
}

function decodeTypedField(t: PbTensor, dataType: TensorDataType, count: number, at: string, used: string | undefined): TensorData {
  const field = dataType === "float32" ? "float_data" : dataType === "float64" ? "double_data" : dataType === "int64" ? "int64_data" : "int32_data";
  if (used === undefined) throw new Error(`${at}: dims [${t.dims.map(toNumber).join(", ")}] hold ${count} elements but the tensor has no data`);
  if (used !== field) throw new Error(`${at}: ${dataType} values stored in ${used} (expected ${field} or raw_data)`);
  const src: readonly PbInt[] = field === "float_data" ? t.floatData : field === "double_data" ? t.doubleData : field === "int64_data" ? t.int64Data : t.int32Data;
  if (src.length !== count) throw new Error(`${at}: dims hold ${count} elements, ${field} has ${src.length}`);
  switch (dataType) {
    case "float32":
      return Float32Array.from(t.floatData);
    case "float64":
      return Float64Array.from(t.doubleData);
    case "int64": {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = toBigInt(t.int64Data[i]);
      return out;
    }
    default: {
      const [lo, hi] = INT32_FIELD_RANGE[dataType] as readonly [number, number];
      const v = t.int32Data;
      for (let i = 0; i < count; i++) {
        if (!Number.isInteger(v[i]) || v[i] < lo || v[i] > hi) throw new Error(`${at}: int32_data value ${v[i]} at flat index ${i} is out of range for ${dataType}`);
      }
      if (dataType === "float16" || dataType === "bfloat16") {
        const bytes = new Uint8Array(Uint16Array.from(v).buffer);
        return decodeLittleEndian(bytes, dataType, count, at);
      }
      if (dataType === "int32") return Int32Array.from(v);
      if (dataType === "int8") return Int8Array.from(v);
      return Uint8Array.from(v);
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
function decodeString(b: Uint8Array, where: string): string {
  try {
    return utf8.decode(b);
  } catch {
    throw new Error(`${where}: string is not valid UTF-8`);
  }
}

/** AttributeProto.AttributeType codes of the refused kinds → names. */
const REFUSED_ATTRIBUTE_TYPES: Readonly<Record<number, string>> = {
  5: "a graph (sub-graphs of If/Loop/Scan are not supported)",
  9: "a list of tensors (not supported)",
  10: "a list of graphs (sub-graphs of If/Loop/Scan are not supported)",
  11: "a sparse tensor (not supported)",
  12: "a list of sparse tensors (not supported)",
  13: "a type (not supported)",
  14: "a list of types (not supported)",
};

/** AttributeProto value fields by type code: protobufjs name, ONNX field name, type name. */
const ATTRIBUTE_FIELDS: Readonly<Record<number, readonly [string, string, string]>> = {
  1: ["f", "f", "FLOAT"],
  2: ["i", "i", "INT"],
  3: ["s", "s", "STRING"],
  4: ["t", "t", "TENSOR"],
  5: ["g", "g", "GRAPH"],
  6: ["floats", "floats", "FLOATS"],
  7: ["ints", "ints", "INTS"],
  8: ["strings", "strings", "STRINGS"],
  9: ["tensors", "tensors", "TENSORS"],
  10: ["graphs", "graphs", "GRAPHS"],
  11: ["sparseTensor", "sparse_tensor", "SPARSE_TENSOR"],
  12: ["sparseTensors", "sparse_tensors", "SPARSE_TENSORS"],
  13: ["tp", "tp", "TYPE_PROTO"],
  14: ["typeProtos", "type_protos", "TYPE_PROTOS"],
};

/** The value fields an attribute carries (scalars: present on the wire; lists: non-empty). */
function presentFields(a: PbAttribute): string[] {
  const rec = a as unknown as Record<string, unknown>;
  return Object.values(ATTRIBUTE_FIELDS)
    .filter(([pb]) => (Array.isArray(rec[pb]) ? (rec[pb] as unknown[]).length > 0 : has(a, pb) && rec[pb] !== null))
    .map(([, onnx]) => onnx);
}

function decodeAttribute(a: PbAttribute, where: string): OnnxAttribute {
  const at = `${where}: attribute '${a.name}'`;
  if (a.refAttrName) throw new Error(`${at} refers to a function attribute ('${a.refAttrName}'), which is only valid inside functions`);
  const field = ATTRIBUTE_FIELDS[a.type];
  if (field) {
    const present = presentFields(a);
    const others = present.filter((f) => f !== field[1]);
    if (others.length > 0) throw new Error(`${at} has type ${field[2]} but carries ${others.join(", ")}`);
    if (a.type <= 5 && present.length === 0) throw new Error(`${at} has type ${field[2]} but no value (field ${field[1]})`);
  }
  switch (a.type) {
    case 1:
      return { type: "float", value: a.f };
    case 2:
      return { type: "int", value: toNumber(a.i) };
    case 3:
      return { type: "string", value: decodeString(a.s, at) };
    case 4:
      if (!a.t) throw new Error(`${at} has type TENSOR but no tensor`);
      return { type: "tensor", value: decodeTensor(a.t, at) };
    case 6:
      return { type: "floats", value: [...a.floats] };
    case 7:
      return { type: "ints", value: a.ints.map(toNumber) };
    case 8:
      return { type: "strings", value: a.strings.map((s) => decodeString(s, at)) };
    default: {
      const refused = REFUSED_ATTRIBUTE_TYPES[a.type];
      throw new Error(`${at} is ${refused ?? `of unknown type ${a.type} (IR ≥ 2 files must set it)`}`);
    }
  }
}

function decodeNode(n: PbNode, index: number, where: string): OnnxNode {
  const at = `${where}: node ${index} '${n.name}' (${n.opType || "no op_type"})`;
  if (!n.opType) throw new Error(`${at} has no op_type`);
  const attributes: Record<string, OnnxAttribute> = Object.create(null) as Record<string, OnnxAttribute>;
  for (const a of n.attribute) {
    if (!a.name) throw new Error(`${at}: an attribute has no name`);
    if (a.name in attributes) throw new Error(`${at}: attribute '${a.name}' appears twice`);
    attributes[a.name] = decodeAttribute(a, at);
  }
  return { name: n.name, opType: n.opType, domain: n.domain, inputs: [...n.input], outputs: [...n.output], attributes };
}

function decodeValueInfo(v: PbValueInfo, where: string): OnnxValueInfo {
  const at = `${where}: value '${v.name}'`;
  if (!v.type) throw new Error(`${at} has no type`);
  const tt = v.type.tensorType;
  if (!tt) throw new Error(`${at} is not a tensor (its type is ${v.type.value ?? "empty"}); only tensor values are supported`);
  let dims: (number | string | null)[] | null = null;
  if (tt.shape) {
    dims = tt.shape.dim.map((d, i) => {
      if (d.value === "dimValue" && d.dimValue !== undefined) {
        const b = toBigInt(d.dimValue);
        if (b < 0n || b > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${at}: bad dimension ${b} at axis ${i}`);
        return Number(b);
      }
      if (d.value === "dimParam" && d.dimParam !== undefined) return d.dimParam;
      return null;
    });
  }
  return { name: v.name, elemType: elemTypeName(tt.elemType), dims };
}

/**
 * Parses ONNX model bytes (gzip-compressed or not). `fileName` names the source in every error.
 * @throws see the module comment for what is refused.
 * @example const model = parseOnnx(readFileSync("net.onnx"), "net.onnx");
 */
export function parseOnnx(bytes: Uint8Array, fileName = "<buffer>"): OnnxModel {
  const where = `io/onnx: ${fileName}`;
  const buf = gunzipIfGzipped(bytes, where, MAX_MODEL_BYTES);
  let m: PbModel;
  try {
    m = onnxModelType().decode(buf) as unknown as PbModel;
  } catch (err) {
    throw new Error(`${where}: not a valid ONNX model (protobuf decoding failed: ${(err as Error).message}; truncated or not an ONNX file?)`);
  }
  const missing = [!has(m, "irVersion") && "ir_version", m.opsetImport.length === 0 && "opset_import", !m.graph && "graph"].filter(Boolean);
  if (missing.length > 0) throw new Error(`${where}: not a valid ONNX model (no ${missing.join(", no ")}; truncated or not an ONNX file?)`);
  const g = m.graph as PbGraph;
  // Model-local functions (torch.onnx.export(export_modules_as_functions=…), the dynamo exporter):
  // a node calling one is refused; unused ones are ignored.
  const functions = new Set(m.functions.map((f) => `${f.domain ?? ""}::${f.name ?? ""}`));
  if (g.sparseInitializer.length > 0) throw new Error(`${where}: the graph has ${g.sparseInitializer.length} sparse initializer(s), which are not supported`);
  const initializers = new Map<string, OnnxTensor>();
  for (const t of g.initializer) {
    const tensor = decodeTensor(t, `${where}: initializer`);
    if (!tensor.name) throw new Error(`${where}: an initializer has no name`);
    if (initializers.has(tensor.name)) throw new Error(`${where}: initializer '${tensor.name}' appears twice`);
    initializers.set(tensor.name, tensor);
  }
  return {
    file: fileName,
    irVersion: toNumber(m.irVersion),
    producerName: m.producerName ?? "",
    producerVersion: m.producerVersion ?? "",
    opsetImports: m.opsetImport.map((o) => ({ domain: o.domain ?? "", version: toNumber(o.version) })),
    graph: {
      name: g.name ?? "",
      nodes: g.node.map((n, i) => {
        if (functions.has(`${n.domain ?? ""}::${n.opType}`)) {
          throw new Error(`${where}: node ${i} '${n.name}' calls the model-local function ${n.domain ? `${n.domain}.` : ""}${n.opType}, which is not supported: inline it first (onnx.inliner.inline_local_functions, onnx ≥ 1.15) or export without export_modules_as_functions`);
        }
        return decodeNode(n, i, where);
      }),
      initializers,
      inputs: g.input.map((v) => decodeValueInfo(v, `${where}: graph input`)),
      outputs: g.output.map((v) => decodeValueInfo(v, `${where}: graph output`)),
      valueInfo: g.valueInfo.map((v) => decodeValueInfo(v, `${where}: value_info`)),
    },
  };
}

/**
 * Reads an `.onnx` or `.onnx.gz` file.
 * @throws when the file cannot be read, and for everything the module comment lists.
 * @example const { graph } = readOnnx("resnet18.onnx.gz"); graph.initializers.get("fc.weight")?.dims;
 */
export function readOnnx(path: string): OnnxModel {
  const bytes = readFileBytes(path, "io/onnx");
  return parseOnnx(bytes, path);
}
