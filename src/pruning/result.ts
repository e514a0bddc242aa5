import type { MaskMap } from "../nn/tensors";
import { maskDensity } from "./density";
import type { PrunableLayer, PruneResult } from "./types";

/** Packs per-layer 0/1 arrays (in `layers` order) into a PruneResult with the density counted from them. */
export function makeResult(
  method: string,
  layers: readonly PrunableLayer[],
  data: readonly Uint8Array[],
  sparsity: number,
  seed: number,
  info: Record<string, number | string | boolean> = {},
): PruneResult {
  if (data.length !== layers.length) throw new Error(`pruning/${method}: ${data.length} masks for ${layers.length} layers`);
  const masks: MaskMap = new Map();
  for (let i = 0; i < layers.length; i++) masks.set(layers[i].name, { shape: layers[i].shape.slice(), data: data[i] });
  return { masks, density: maskDensity(masks, layers), method, sparsity, seed, info };
}
