/**
 * Transparent gzip reading for data files (`net.safetensors.gz`, compressed fixtures): a file whose
 * name ends in `.gz` is gunzipped with node:zlib (RFC 1952; O(output size)), any other file is read
 * as is. The output is capped, so a corrupt or hostile archive cannot exhaust memory.
 */
import { readFileSync } from "node:fs";
import { constants as bufferConstants } from "node:buffer";
import { gunzipSync } from "node:zlib";

/** Largest decompressed file we accept: 4 GiB, the largest Node buffer and far above any network file. */
export const MAX_GUNZIPPED_BYTES = Math.min(2 ** 32, bufferConstants.MAX_LENGTH);

/** True when the file name says gzip (`*.gz`). */
export function isGzipPath(file: string): boolean {
  return file.toLowerCase().endsWith(".gz");
}

/**
 * Decompresses a gzip buffer; `label` (the file name) prefixes every error.
 * @throws when the bytes are not gzip (bad magic), are truncated or corrupt, or inflate beyond `maxBytes`.
 */
export function gunzipBuffer(buf: Uint8Array, label = "<buffer>", maxBytes = MAX_GUNZIPPED_BYTES): Buffer {
  if (buf.length < 18 || buf[0] !== 0x1f || buf[1] !== 0x8b) {
    throw new Error(`io/gzip: ${label}: not a gzip file (${buf.length} bytes, magic ${Buffer.from(buf.subarray(0, 2)).toString("hex") || "none"}; expected 1f8b)`);
  }
  try {
    return gunzipSync(buf, { maxOutputLength: maxBytes });
  } catch (err) {
    throw new Error(`io/gzip: ${label}: cannot decompress (${(err as Error).message})`);
  }
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
