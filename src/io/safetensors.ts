/**
 * safetensors reading and writing (format: 8-byte little-endian header length N, N bytes of JSON
 * header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`,
 * then the raw little-endian data; offsets are relative to the data section).
 *
 * A file named `*.safetensors.gz` is gunzipped first (io/gzip.ts), so compressed networks load the same way.
 * Files are treated as untrusted: every length, offset, dtype and shape is checked before any
 * byte is read, and every error names the file and the problem. Reading is O(file size); tensors
 * are copied out of the file buffer into their own aligned typed arrays.
 *
 * `loadNetwork` reads a sparse network as the reference fixtures store it (reference/README.md):
 * masked weights `<module>.weight` plus 0/1 masks `<module>.weight_mask`; checked against an
 * ArchSpec when one is given.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { endianness } from "node:os";
import { numel } from "../nn/tensors";
import { isGzipPath, readFileMaybeGzip } from "./gzip";
import { bfloat16BitsToFloat32, float16BitsToFloat32, float32ToBfloat16Bits, float32ToFloat16Bits } from "./float16";

export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

const DTYPE_SIZE: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
export const FLOAT_DTYPES: readonly SafetensorsDtype[] = ["F64", "F32", "F16", "BF16"];

/** A tensor as stored: dtype, shape and its raw little-endian bytes (an aligned copy). */
export interface RawTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

export interface SafetensorsFile {
  /** Tensors in data-offset order. */
  readonly tensors: Map<string, RawTensor>;
  readonly metadata: Record<string, string>;
}

if (endianness() !== "LE") {
  // Typed arrays use the host byte order; safetensors is little-endian.
  throw new Error("io/safetensors: big-endian hosts are not supported");
}

/** Largest header we accept (the reference implementation caps it at 100 MB). */
const MAX_HEADER = 100 * 1024 * 1024;

/** Parses a safetensors buffer; `label` (the file name) prefixes every error. */
export function parseSafetensors(buf: Uint8Array, label = "<buffer>"): SafetensorsFile {
  const where = `io/safetensors: ${label}`;
  if (buf.length < 8) throw new Error(`${where}: truncated file (${buf.length} bytes; the header length alone needs 8)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const nBig = dv.getBigUint64(0, true);
  if (nBig > BigInt(buf.length - 8)) throw new Error(`${where}: header length ${nBig} goes beyond the file (${buf.length} bytes)`);
  const n = Number(nBig);
  if (n > MAX_HEADER) throw new Error(`${where}: header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString("utf8"));
  } catch (err) {
    throw new Error(`${where}: bad header JSON (${(err as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new Error(`${where}: bad header JSON (not an object)`);
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${where}: __metadata__ is not an object`);
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== "string") throw new Error(`${where}: __metadata__.${k} is not a string`);
        metadata[k] = s;
      }
      continue;
    }
    if (typeof v !== "object" || v === null) throw new Error(`${where}: tensor '${name}': entry is not an object`);
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e.dtype !== "string" || !(e.dtype in DTYPE_SIZE)) throw new Error(`${where}: tensor '${name}': unsupported dtype ${JSON.stringify(e.dtype)}`);
    const dtype = e.dtype as SafetensorsDtype;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`${where}: tensor '${name}': bad shape ${JSON.stringify(e.shape)}`);
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[1] < off[0]) {
      throw new Error(`${where}: tensor '${name}': bad data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as number[];
    if (end > dataLen) throw new Error(`${where}: tensor '${name}': data_offsets [${begin}, ${end}] out of range (data section has ${dataLen} bytes; truncated file?)`);
    const want = numel(shape) * DTYPE_SIZE[dtype];
    if (end - begin !== want) throw new Error(`${where}: tensor '${name}': ${end - begin} bytes for ${dtype} shape [${shape.join(", ")}] (expected ${want})`);
    entries.push({ name, dtype, shape, begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of entries) {
    if (e.begin < pos) throw new Error(`${where}: tensor '${e.name}' overlaps the previous tensor (starts at ${e.begin}, previous ends at ${pos})`);
    if (e.begin > pos) throw new Error(`${where}: data offsets do not cover the data section: gap [${pos}, ${e.begin}) before tensor '${e.name}'`);
    pos = e.end;
  }
  if (pos !== dataLen) throw new Error(`${where}: data offsets do not cover the data section: tensors end at ${pos}, data section has ${dataLen} bytes`);
  const tensors = new Map<string, RawTensor>();
  for (const e of entries) {
    const bytes = new Uint8Array(e.end - e.begin);
    bytes.set(buf.subarray(dataStart + e.begin, dataStart + e.end));
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, bytes });
  }
  return { tensors, metadata };
}

/** Reads and parses a safetensors file. */
export function readSafetensors(file: string): SafetensorsFile {
  let buf: Buffer;
  try {
    buf = readFileMaybeGzip(file);
  } catch (err) {
    throw new Error(`io/safetensors: cannot read ${file}: ${(err as Error).message}`);
  }
  return parseSafetensors(buf, file);
}

/** Reads only the JSON header (cheap for large files). */
export function readSafetensorsHeader(file: string): Record<string, unknown> {
  if (isGzipPath(file)) return gzippedSafetensorsHeader(file);
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size < 8) throw new Error(`io/safetensors: ${file}: truncated file (${size} bytes; the header length alone needs 8)`);
    const lb = Buffer.alloc(8);
    readSync(fd, lb, 0, 8, 0);
    const n = lb.readBigUInt64LE(0);
    if (n > BigInt(size - 8) || n > BigInt(MAX_HEADER)) throw new Error(`io/safetensors: ${file}: header length ${n} goes beyond the file (${size} bytes)`);
    const hb = Buffer.alloc(Number(n));
    readSync(fd, hb, 0, hb.length, 8);
    try {
      return JSON.parse(hb.toString("utf8")) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`io/safetensors: ${file}: bad header JSON (${(err as Error).message})`);
    }
  } finally {
    closeSync(fd);
  }
}

/** The JSON header of a `.safetensors.gz` file (the whole file is inflated: gzip has no random access). */
function gzippedSafetensorsHeader(file: string): Record<string, unknown> {
  const buf = readFileMaybeGzip(file);
  if (buf.length < 8) throw new Error(`io/safetensors: ${file}: truncated file (${buf.length} bytes once inflated; the header length alone needs 8)`);
  const n = buf.readBigUInt64LE(0);
  if (n > BigInt(buf.length - 8) || n > BigInt(MAX_HEADER)) throw new Error(`io/safetensors: ${file}: header length ${n} goes beyond the file (${buf.length} bytes once inflated)`);
  try {
    return JSON.parse(buf.toString("utf8", 8, 8 + Number(n))) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`io/safetensors: ${file}: bad header JSON (${(err as Error).message})`);
  }
}

/** Converts a floating-point (or integer) tensor to Float32. */
export function toFloat32(t: RawTensor): Float32Array {
  const n = numel(t.shape);
  const b = t.bytes;
  const buf = b.buffer;
  const off = b.byteOffset;
  switch (t.dtype) {
    case "F32":
      return new Float32Array(buf, off, n);
    case "F64":
      return Float32Array.from(new Float64Array(buf, off, n));
    case "F16": {
      const h = new Uint16Array(buf, off, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = float16BitsToFloat32(h[i]);
      return out;
    }
    case "BF16": {
      const h = new Uint16Array(buf, off, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = bfloat16BitsToFloat32(h[i]);
      return out;
    }
    case "I64": {
      const a = new BigInt64Array(buf, off, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(a[i]);
      return out;
    }
    case "I32":
      return Float32Array.from(new Int32Array(buf, off, n));
    case "I16":
      return Float32Array.from(new Int16Array(buf, off, n));
    case "I8":
      return Float32Array.from(new Int8Array(buf, off, n));
    case "U8":
    case "BOOL":
      return Float32Array.from(b);
  }
}

/** A tensor to write: Float32 data stored as F32/F16/BF16, or bytes stored as U8/BOOL. */
export interface TensorToWrite {
  readonly dtype: "F32" | "F16" | "BF16" | "U8" | "BOOL";
  readonly shape: readonly number[];
  readonly data: Float32Array | Uint8Array;
}

function encodeTensor(name: string, t: TensorToWrite): Uint8Array {
  const n = numel(t.shape);
  if (t.data.length !== n) throw new Error(`io/safetensors: tensor '${name}' has ${t.data.length} values for shape [${t.shape.join(", ")}]`);
  switch (t.dtype) {
    case "F32": {
      if (!(t.data instanceof Float32Array)) throw new Error(`io/safetensors: tensor '${name}': F32 needs Float32Array data`);
      return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    }
    case "F16":
    case "BF16": {
      const h = new Uint16Array(n);
      const conv = t.dtype === "F16" ? float32ToFloat16Bits : float32ToBfloat16Bits;
      for (let i = 0; i < n; i++) h[i] = conv(t.data[i]);
      return new Uint8Array(h.buffer);
    }
    case "U8":
    case "BOOL": {
      if (!(t.data instanceof Uint8Array)) throw new Error(`io/safetensors: tensor '${name}': ${t.dtype} needs Uint8Array data`);
      if (t.dtype === "BOOL") for (let i = 0; i < n; i++) if (t.data[i] > 1) throw new Error(`io/safetensors: tensor '${name}': BOOL value ${t.data[i]} at ${i}`);
      return t.data;
    }
  }
}

/** Writes tensors (in the given order) and string metadata to a safetensors file. O(total bytes). */
export function writeSafetensors(file: string, tensors: Map<string, TensorToWrite> | [string, TensorToWrite][], metadata: Record<string, string> = {}): void {
  const list = tensors instanceof Map ? [...tensors.entries()] : tensors;
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const blobs: Uint8Array[] = [];
  let pos = 0;
  for (const [name, t] of list) {
    if (name === "__metadata__") throw new Error("io/safetensors: a tensor cannot be named __metadata__");
    const bytes = encodeTensor(name, t);
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [pos, pos + bytes.length] };
    blobs.push(bytes);
    pos += bytes.length;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned (as the Python writer does).
  const jsonLen = Buffer.byteLength(json, "utf8");
  json += " ".repeat((8 - (jsonLen % 8)) % 8);
  const hb = Buffer.from(json, "utf8");
  const lb = Buffer.alloc(8);
  lb.writeBigUInt64LE(BigInt(hb.length), 0);
  const fd = openSync(file, "w");
  try {
    writeSync(fd, lb);
    writeSync(fd, hb);
    for (const b of blobs) {
      let off = 0;
      while (off < b.length) off += writeSync(fd, b, off, Math.min(b.length - off, 1 << 26));
    }
  } finally {
    closeSync(fd);
  }
}
