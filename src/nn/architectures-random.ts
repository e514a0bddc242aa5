/**
 * Random sparse networks for trying the encoders without trained files: per layer, exactly
 * round((1 − sparsity)·numel) weights kept, chosen uniformly (layer-wise uniform sparsity, the
 * paper's "uniform" baseline), with Kaiming-normal (fan-in) values as the official models are
 * initialised (reference-notes §4). Seeded: same (spec, sparsity, seed) → same network.
 * O(total parameters).
 */
import type { Architecture } from "./architecture";
import type { MaskMap, WeightMap } from "./tensors";
import { architectureWeights } from "./architecture";
import { Rng } from "../util/rng";

export function randomSparseNetwork(spec: Architecture, sparsity: number, seed: number): { weights: WeightMap; masks: MaskMap } {
  if (!(sparsity >= 0 && sparsity <= 1)) throw new Error(`nn/architectures-random: sparsity must be in [0, 1], got ${sparsity}`);
  const rng = new Rng(seed);
  const weights: WeightMap = new Map();
  const masks: MaskMap = new Map();
  for (const w of architectureWeights(spec)) {
    const n = w.numel;
    const keep = Math.round((1 - sparsity) * n);
    const m = new Uint8Array(n);
    // Partial Fisher–Yates: the first `keep` slots of a random permutation.
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    for (let i = 0; i < keep; i++) {
      const j = i + rng.int(n - i);
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      m[idx[i]] = 1;
    }
    const fanIn = n / w.shape[0];
    const std = Math.sqrt(2 / fanIn);
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (!m[i]) continue;
      let v = 0;
      while (v === 0) v = rng.normal() * std;
      d[i] = v;
    }
    weights.set(w.name, { shape: w.shape, data: d });
    masks.set(w.name, { shape: w.shape, data: m });
  }
  return { weights, masks };
}
