import type { MaskMap } from "../nn/tensors";
import { numel } from "../nn/tensors";
import type { DensityReport, LayerDensity, PrunableLayer } from "./types";

/**
 * Realised density of a set of masks, counted from the masks (ones / elements), globally and per
 * layer. This is how the reference reports sparsity (`no_weights / no_params` in its CSVs, i.e. the
 * masks as they are), so ER's overshoot and DSR's drift show up here rather than being hidden
 * behind the requested value. `layers` fixes the order and checks that every layer has a mask of
 * the right shape.
 */
export function maskDensity(masks: MaskMap, layers?: readonly PrunableLayer[]): DensityReport {
  const names = layers ? layers.map((l) => l.name) : [...masks.keys()];
  const perLayer: LayerDensity[] = [];
  let kept = 0;
  let total = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const m = masks.get(name);
    if (!m) throw new Error(`pruning/density: no mask for layer '${name}'`);
    const n = numel(m.shape);
    if (m.data.length !== n) throw new Error(`pruning/density: mask '${name}' has ${m.data.length} values for shape [${m.shape.join(", ")}]`);
    if (layers) {
      const want = layers[i].shape;
      if (want.length !== m.shape.length || want.some((d, j) => d !== m.shape[j])) {
        throw new Error(`pruning/density: mask '${name}' has shape [${m.shape.join(", ")}], layer has [${want.join(", ")}]`);
      }
    }
    let k = 0;
    const d = m.data;
    for (let j = 0; j < d.length; j++) {
      const v = d[j];
      if (v === 1) k++;
      else if (v !== 0) throw new Error(`pruning/density: mask '${name}' holds ${v} at ${j}; masks are 0/1`);
    }
    perLayer.push({ name, density: n > 0 ? k / n : 0, kept: k, total: n });
    kept += k;
    total += n;
  }
  if (total === 0) throw new Error("pruning/density: no mask elements to count");
  return { global: kept / total, perLayer };
}

/** Realised sparsity (1 − density) of a report. */
export function sparsityOf(report: DensityReport): number {
  return 1 - report.global;
}
