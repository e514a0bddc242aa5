/** A whole file's bytes, with the error naming who reads it and the file ("io/onnx: cannot read X: …"). */
import { readFileSync } from "node:fs";

/**
 * @throws when the file cannot be read (missing, a folder, no permission).
 * @example const bytes = readFileBytes("net.onnx", "io/onnx");
 */
export function readFileBytes(file: string, who: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${who}: cannot read ${file}: ${(err as Error).message}`);
  }
}
