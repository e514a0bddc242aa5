/**
 * gzip (RFC 1952) for data files: compressed fixtures and networks (`net.safetensors.gz`, chosen by
 * file name) and model files told by their magic bytes 1f 8b (no protobuf, zip or safetensors file
 * starts with them). Decompression is node:zlib's, O(file + output), and always capped, so a small
 * corrupt or hostile archive cannot exhaust memory.
 */
import { readFileSync } from "node:fs";
import { constants as bufferConstants } from "node:buffer";
import { gunzipSync } from "node:zlib";

/** Largest decompressed file we accept: 4 GiB, the largest Node buffer and far above any network file. */
export const MAX_GUNZIPPED_BYTES = Math.min(2 ** 32, bufferConstants.MAX_LENGTH);

/** True when `bytes` starts with the gzip magic. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** True when the file name says gzip (`*.gz`). */
export function isGzipPath(file: string): boolean {
  return file.toLowerCase().endsWith(".gz");
}

/** The one inflate: `failure` words the error after the caller's prefix. */
function inflate(bytes: Uint8Array, prefix: string, failure: string, maxBytes: number): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    throw new Error(`${prefix}: ${failure} (${(err as Error).message})`);
  }
}

/**
 * Decompresses a gzip buffer; `label` (the file name) prefixes every error.
 * @throws when the bytes are not gzip (bad magic), are truncated or corrupt, or inflate beyond `maxBytes`.
 */
export function gunzipBuffer(buf: Uint8Array, label = "<buffer>", maxBytes = MAX_GUNZIPPED_BYTES): Buffer {
  if (buf.length < 18 || !isGzip(buf)) {
    throw new Error(`io/gzip: ${label}: not a gzip file (${buf.length} bytes, magic ${Buffer.from(buf.subarray(0, 2)).toString("hex") || "none"}; expected 1f8b)`);
  }
  return inflate(buf, `io/gzip: ${label}`, "cannot decompress", maxBytes);
}

/** `bytes` gunzipped when they are gzip, else unchanged; `where` prefixes errors. */
export function gunzipIfGzipped(bytes: Uint8Array, where: string, maxBytes: number): Uint8Array {
  return isGzip(bytes) ? inflate(bytes, where, "bad gzip data", maxBytes) : bytes;
}

/**
 * Reads a file, gunzipping it when its name ends in `.gz`.
 * @example readFileMaybeGzip("data/reference/resnet-20_erk_0.98.safetensors.gz") // the safetensors bytes
 * @throws when the file cannot be read, or a `.gz` file is not valid gzip.
 */
export function readFileMaybeGzip(file: string): Buffer {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new Error(`io/gzip: cannot read ${file}: ${(err as Error).message}`);
  }
  return isGzipPath(file) ? gunzipBuffer(buf, file) : buf;
}
