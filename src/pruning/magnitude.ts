/**
 * Magnitude pruning (Han et al., "Learning both Weights and Connections", NeurIPS 2015; the
 * baseline of most pruning studies and of `torch.nn.utils.prune.l1_unstructured` /
 * `global_unstructured(…, L1Unstructured)`): keep the weights of largest |w|.
 * - global: one threshold over all prunable weights pooled; exactly round((1 − s)·N) are kept;
 * - layer-wise: each layer keeps exactly round((1 − s)·n_l) of its own n_l.
 * Ties at the threshold are broken by the seeded Rng (./scores.ts `selectGlobal`), so the count is
 * exact and the same seed gives the same masks. Weights already masked out (`masks`) score 0.
 * Needs the weights (a trained or imported network); shape-only otherwise, so it works on imported
 * DAGs as well as built-in ArchSpecs. O(N) expected time.
 */
import type { MaskMap, WeightMap } from "../nn/tensors";
import { numel } from "../nn/tensors";
import { Rng } from "../util/rng";
import { checkLayers } from "./layers";
import { makeResult } from "./result";
import { selectGlobal } from "./scores";
import { checkSeed, checkSparsity, type PrunableLayer, type PruneResult } from "./types";

export interface MagnitudeOptions {
  readonly seed: number;
  /** "global" (default) or "layerwise". */
  readonly scope?: "global" | "layerwise";
  /** Existing masks: masked-out weights score 0. */
  readonly masks?: MaskMap;
}

function scoresOf(module: string, layers: readonly PrunableLayer[], weights: WeightMap, masks?: MaskMap): Float32Array[] {
  return layers.map((l) => {
    const w = weights.get(l.name);
    if (!w) throw new Error(`${module}: no weight '${l.name}' (magnitude pruning needs the weights)`);
    const n = numel(l.shape);
    if (w.shape.join(",") !== l.shape.join(",") || w.data.length !== n) throw new Error(`${module}: weight '${l.name}' has shape [${w.shape.join(", ")}], expected [${l.shape.join(", ")}]`);
    const m = masks?.get(l.name);
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) s[i] = m && m.data[i] === 0 ? 0 : Math.abs(w.data[i]);
    return s;
  });
}

/**
 * @example pruneMagnitude(prunableLayers(dag), weights, 0.95, { seed: 0 }).masks
 * @throws on a sparsity outside (0, 1), a missing or mis-shaped weight, a NaN weight.
 */
export function pruneMagnitude(layers: readonly PrunableLayer[], weights: WeightMap, sparsity: number, options: MagnitudeOptions): PruneResult {
  const scope = options.scope ?? "global";
  const module = `pruning/magnitude (${scope})`;
  checkSparsity(module, sparsity);
  checkSeed(module, options.seed);
  checkLayers(module, layers);
  if (scope !== "global" && scope !== "layerwise") throw new Error(`pruning/magnitude: unknown scope '${String(scope)}' (global | layerwise)`);
  const scores = scoresOf(module, layers, weights, options.masks);
  const rng = new Rng(options.seed);
  let data: Uint8Array[];
  if (scope === "global") {
    const total = scores.reduce((a, s) => a + s.length, 0);
    data = selectGlobal(scores, total - Math.round(sparsity * total), rng, "largest", module);
  } else {
    data = scores.map((s) => selectGlobal([s], s.length - Math.round(sparsity * s.length), rng, "largest", module)[0]);
  }
  return makeResult(scope === "global" ? "magnitude" : "magnitude-layerwise", layers, data, sparsity, options.seed, { scope });
}
