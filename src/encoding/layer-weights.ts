/**
 * A layer's weight and mask as the encoders read them (MGE and BGE alike): either may be absent
 * (an edge is present where the mask is 1 — or, without a mask, the weight is nonzero), not both,
 * and each must have the layer's PyTorch shape.
 */
import type { HostMask, HostTensor, MaskMap, WeightMap } from "../nn/tensors";
import { numel } from "../nn/tensors";

/** @throws naming the layer when neither is given or one has another shape or length. */
export function layerWeightAndMask(where: string, name: string, shape: readonly number[], weights: WeightMap | null, masks: MaskMap | null): { w: HostTensor | null; m: HostMask | null } {
  const w = weights ? weights.get(name) ?? null : null;
  const m = masks ? masks.get(name) ?? null : null;
  if (!w && !m) throw new Error(`${where}: no weight or mask for '${name}'`);
  for (const t of [w, m]) {
    if (t && t.shape.join(",") !== shape.join(",")) {
      throw new Error(`${where}: layer ${name.replace(/\.weight$/, "")}: '${name}' has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`);
    }
    if (t && t.data.length !== numel(shape)) throw new Error(`${where}: '${name}' has ${t.data.length} values for shape [${shape.join(", ")}]`);
  }
  return { w, m };
}
