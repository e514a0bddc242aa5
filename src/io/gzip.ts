/**
 * Bytes that may be gzip-compressed, told by their magic bytes (1f 8b), not a file name: no
 * protobuf, zip or safetensors file starts with them. Decompression is node:zlib's, bounded by
 * `maxBytes` so that a small hostile file cannot inflate without limit. O(file + output).
 */
import { gunzipSync } from "node:zlib";

/** True when `bytes` starts with the gzip magic. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** `bytes` gunzipped when they are gzip, else unchanged; `where` prefixes errors. */
export function gunzipIfGzipped(bytes: Uint8Array, where: string, maxBytes: number): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    throw new Error(`${where}: bad gzip data (${(err as Error).message})`);
  }
}
