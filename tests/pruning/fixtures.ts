// Test helper: reads the reference fixtures' masks (safetensors) without depending on src/io, so the
// pruning tests check against the official code's output independently of our own readers.
import { readFileMaybeGzip } from "../../src/io/gzip";
import { findReferenceNetwork, referenceNetworkFile } from "../../src/metrics/reference";
import type { PrunableLayer } from "../../src/pruning/types";

export interface FixtureMask {
  name: string;
  shape: number[];
  ones: number;
  total: number;
}

/** `file` is a fixture name with or without `.safetensors` (compressed or not on disk). */
export function fixtureExists(file: string): boolean {
  return findReferenceNetwork(file.replace(/\.safetensors$/, "")) !== null;
}

/** Masks of a fixture in the file's header order, which is the official model's state_dict order. */
export function readFixtureMasks(file: string): FixtureMask[] {
  const buf = readFileMaybeGzip(referenceNetworkFile(file.replace(/\.safetensors$/, "")));
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8")) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const byName = new Map<string, FixtureMask>();
  for (const [key, v] of Object.entries(header)) {
    if (!key.endsWith("_mask")) continue;
    if (v.dtype !== "U8") throw new Error(`fixture ${file}: mask ${key} has dtype ${v.dtype}`);
    const data = buf.subarray(base + v.data_offsets[0], base + v.data_offsets[1]);
    let ones = 0;
    for (let i = 0; i < data.length; i++) ones += data[i];
    const name = key.slice(0, -"_mask".length);
    byName.set(name, { name, shape: v.shape, ones, total: data.length });
  }
  return [...byName.values()];
}

export function layersOf(masks: FixtureMask[]): PrunableLayer[] {
  return masks.map((m) => ({
    name: m.name,
    shape: m.shape,
    role: m.shape.length === 2 ? ("linear" as const) : m.name.includes("hortcut") ? ("residual" as const) : ("conv" as const),
  }));
}
