/**
 * The one decoded-tensor type that the model-file readers hand out (ONNX initializers and Constant
 * values, PyTorch state dicts, safetensors through `decodedFromSafetensors`): dims, the dtype as
 * stored, and the values in a typed array of their own (aligned, copied out of the file buffer).
 *
 * float16 and bfloat16 are widened to Float32Array (exactly: every value is representable) and keep
 * their stored `dataType`, so a caller can tell what the file held; bool is a Uint8Array of 0/1.
 * Decoding is O(elements); bytes are little-endian (the readers refuse big-endian hosts and files).
 */
import { endianness } from "node:os";
import { bfloat16BitsToFloat32, float16BitsToFloat32 } from "./float16";
import { readSafetensors } from "./safetensors";
import type { RawTensor, SafetensorsDtype } from "./safetensors";

export type TensorDataType = "float32" | "float16" | "bfloat16" | "float64" | "int64" | "int32" | "int8" | "uint8" | "bool";

export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

export interface DecodedTensor {
  /** Row-major (C order) dimensions; `[]` is a scalar. */
  readonly dims: readonly number[];
  /** The dtype the file stored (float16/bfloat16 data is widened to Float32Array). */
  readonly dataType: TensorDataType;
  readonly data: TensorData;
}

/** Bytes per stored element. */
export const TENSOR_ELEMENT_BYTES: Readonly<Record<TensorDataType, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/**
 * Largest tensor accepted (elements): 2^31 − 1, the longest typed array every Node 20 build allows.
 * A file claiming more is refused before anything is allocated.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

if (endianness() !== "LE") {
  // Typed arrays use the host byte order; every format read here is little-endian.
  throw new Error("io/tensor: big-endian hosts are not supported");
}

/**
 * Element count of `dims`, each checked to be a non-negative integer and the product to stay within
 * MAX_TENSOR_ELEMENTS. `where` (who speaks, file, tensor) prefixes the error.
 * @throws on a negative, fractional or huge dimension.
 */
export function checkedElementCount(dims: readonly number[], where: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new Error(`${where}: bad dimension ${d} in dims [${dims.join(", ")}]`);
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS) throw new Error(`${where}: dims [${dims.join(", ")}] hold more than ${MAX_TENSOR_ELEMENTS} elements`);
  }
  return n;
}

/**
 * Decodes `count` little-endian elements of `dataType` from `bytes` (which must hold exactly
 * `count × element size` bytes) into a fresh typed array.
 * @throws when the byte length does not match, or a bool byte is neither 0 nor 1.
 */
export function decodeLittleEndian(bytes: Uint8Array, dataType: TensorDataType, count: number, where: string): TensorData {
  const want = count * TENSOR_ELEMENT_BYTES[dataType];
  if (bytes.length !== want) throw new Error(`${where}: ${bytes.length} bytes of data for ${count} ${dataType} elements (expected ${want})`);
  // A copy into a fresh buffer: aligned for the typed array, and independent of the file buffer.
  const own = new Uint8Array(want);
  own.set(bytes);
  const buf = own.buffer;
  switch (dataType) {
    case "float32":
      return new Float32Array(buf);
    case "float64":
      return new Float64Array(buf);
    case "int64":
      return new BigInt64Array(buf);
    case "int32":
      return new Int32Array(buf);
    case "int8":
      return new Int8Array(buf);
    case "uint8":
      return own;
    case "bool":
      for (let i = 0; i < count; i++) if (own[i] > 1) throw new Error(`${where}: bool value ${own[i]} at flat index ${i} (expected 0 or 1)`);
      return own;
    case "float16":
    case "bfloat16": {
      const h = new Uint16Array(buf);
      const out = new Float32Array(count);
      const widen = dataType === "float16" ? float16BitsToFloat32 : bfloat16BitsToFloat32;
      for (let i = 0; i < count; i++) out[i] = widen(h[i]);
      return out;
    }
  }
}

const FROM_SAFETENSORS: Partial<Record<SafetensorsDtype, TensorDataType>> = {
  F64: "float64",
  F32: "float32",
  F16: "float16",
  BF16: "bfloat16",
  I64: "int64",
  I32: "int32",
  I8: "int8",
  U8: "uint8",
  BOOL: "bool",
};

/**
 * A safetensors tensor as a DecodedTensor (so the prune layout and the importers treat every format
 * alike). `where` names the file and tensor in errors.
 * @throws for I16 (no DecodedTensor dtype) and for bool bytes other than 0/1.
 */
export function decodedFromSafetensors(t: RawTensor, where: string): DecodedTensor {
  const dataType = FROM_SAFETENSORS[t.dtype];
  if (!dataType) throw new Error(`${where}: dtype ${t.dtype} is not supported here (supported: ${Object.keys(FROM_SAFETENSORS).join(", ")})`);
  const count = checkedElementCount(t.shape, where);
  return { dims: [...t.shape], dataType, data: decodeLittleEndian(t.bytes, dataType, count, where) };
}

/**
 * Every tensor of a safetensors file as a DecodedTensor, in data-offset order.
 * @throws what readSafetensors throws, and for I16 tensors.
 * @example const sd = readSafetensorsDecoded("pruned.safetensors"); mergePruneLayout(sd, "pruned.safetensors");
 */
export function readSafetensorsDecoded(file: string): Map<string, DecodedTensor> {
  const out = new Map<string, DecodedTensor>();
  for (const [name, t] of readSafetensors(file).tensors) out.set(name, decodedFromSafetensors(t, `io/safetensors: ${file}: tensor '${name}'`));
  return out;
}

/** The values as Float32 (a view when already float32; int64 beyond 2^24 rounds as float32 does). */
export function decodedToFloat32(t: DecodedTensor): Float32Array {
  const d = t.data;
  if (d instanceof Float32Array) return d;
  const out = new Float32Array(d.length);
  if (d instanceof BigInt64Array) for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  else for (let i = 0; i < d.length; i++) out[i] = d[i];
  return out;
}
