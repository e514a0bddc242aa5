/**
 * Zip archives as PyTorch writes them (`torch.save` since 1.6: STORED entries whose data is
 * 64-byte aligned through padding in the local header's extra field; ZIP64 records past 4 GiB),
 * read with fflate's `unzipSync`, with the checks fflate leaves out on untrusted input: fflate
 * reads past the end of the buffer as zeros and slices short without a word, so every extracted
 * entry must have exactly the size the central directory declares (which catches truncated files
 * and offsets out of range), entry names must be unique, sizes bounded, methods STORED or DEFLATE.
 * CRCs are not checked (fflate does not expose them). O(size of the wanted entries).
 */
import { unzipSync } from "fflate";

/** Zip local-file-header signature "PK\x03\x04", the first bytes of any non-empty zip archive. */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Largest entry extracted (bytes): the longest Uint8Array every Node 20 build allows. */
const MAX_ENTRY_BYTES = 2 ** 31 - 1;

/**
 * The entries of a zip archive whose names pass `wanted`, by name, as fresh byte arrays; the names
 * of all entries come back in `names`. `where` (who speaks and the file) prefixes every error.
 * @throws when the bytes are not a zip archive, an entry name repeats, an entry is compressed with
 *   another method than STORED/DEFLATE or is larger than 2^31 − 1 bytes, or an extracted entry's
 *   size differs from the directory's (truncated archive, offset out of range, corrupt deflate data).
 * @example const { entries } = readZipEntries(bytes, "io/torch: a.pt", (n) => n.endsWith(".pkl"));
 */
export function readZipEntries(bytes: Uint8Array, where: string, wanted: (name: string) => boolean): { entries: Map<string, Uint8Array>; names: string[] } {
  if (!looksLikeZip(bytes)) throw new Error(`${where}: not a zip archive (no local file header at byte 0)`);
  const declared = new Map<string, number>();
  const names: string[] = [];
  const seen = new Set<string>();
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (seen.has(f.name)) throw new Error(`entry '${f.name}' appears twice`);
        seen.add(f.name);
        names.push(f.name);
        if (!wanted(f.name)) return false;
        if (f.compression !== 0 && f.compression !== 8) throw new Error(`entry '${f.name}' uses compression method ${f.compression} (only STORED and DEFLATE are supported)`);
        if (f.originalSize > MAX_ENTRY_BYTES || f.size > bytes.length) throw new Error(`entry '${f.name}' declares ${f.originalSize} bytes (${f.size} compressed), more than the archive can hold`);
        declared.set(f.name, f.originalSize);
        return true;
      },
    });
  } catch (err) {
    throw new Error(`${where}: not a valid zip archive (${(err as Error).message})`);
  }
  const entries = new Map<string, Uint8Array>();
  for (const [name, size] of declared) {
    const data = files[name];
    if (!data || data.length !== size) {
      throw new Error(`${where}: zip entry '${name}' has ${data ? data.length : 0} bytes where the central directory declares ${size} (truncated archive or data offset out of range)`);
    }
    entries.set(name, data);
  }
  return { entries, names };
}
