/** Shared helpers for the encoding tests: seeded masks/weights and edge-set extraction. */
import type { ArchSpec } from "../../src/nn/spec";
import type { MaskMap, WeightMap } from "../../src/nn/tensors";
import { prunableWeights } from "../../src/nn/architectures";
import { Rng } from "../../src/util/rng";
import type { CsrGraph } from "../../src/encoding/csr";

export function denseMasks(spec: ArchSpec): MaskMap {
  const m: MaskMap = new Map();
  for (const w of prunableWeights(spec)) m.set(w.name, { shape: w.shape, data: new Uint8Array(w.numel).fill(1) });
  return m;
}

/** Uniform random masks (keep probability `density`) and normal weights, seeded. */
export function randomNet(spec: ArchSpec, density: number, seed: number): { weights: WeightMap; masks: MaskMap } {
  const rng = new Rng(seed);
  const weights: WeightMap = new Map();
  const masks: MaskMap = new Map();
  for (const w of prunableWeights(spec)) {
    const m = new Uint8Array(w.numel);
    const d = new Float32Array(w.numel);
    for (let i = 0; i < w.numel; i++) {
      m[i] = rng.next() < density ? 1 : 0;
      d[i] = m[i] ? rng.normal() : 0;
    }
    weights.set(w.name, { shape: w.shape, data: d });
    masks.set(w.name, { shape: w.shape, data: m });
  }
  return { weights, masks };
}

/** Edges as sorted "s>t" strings (multiset). */
export function edgeList(g: CsrGraph): string[] {
  const out: string[] = [];
  for (let v = 0; v < g.numNodes; v++) for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) out.push(`${v}>${g.targets[e]}`);
  return out.sort();
}

/** Map "s>t" → weight (asserting no parallel edges). */
export function edgeMap(g: CsrGraph): Map<string, number> {
  const m = new Map<string, number>();
  for (let v = 0; v < g.numNodes; v++) {
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
      const k = `${v}>${g.targets[e]}`;
      if (m.has(k)) throw new Error(`parallel edge ${k}`);
      m.set(k, g.weights[e]);
    }
  }
  return m;
}

/** Checks CSR invariants: offsets monotone, targets in range and ascending within rows. */
export function checkCsr(g: CsrGraph): void {
  if (g.offsets[0] !== 0 || g.offsets[g.numNodes] !== g.numEdges) throw new Error("bad offsets ends");
  for (let v = 0; v < g.numNodes; v++) {
    if (g.offsets[v + 1] < g.offsets[v]) throw new Error(`offsets decrease at ${v}`);
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
      if (g.targets[e] < 0 || g.targets[e] >= g.numNodes) throw new Error(`target out of range at ${e}`);
      if (e > g.offsets[v] && g.targets[e] < g.targets[e - 1]) throw new Error(`row ${v} not sorted`);
    }
  }
}

/** y = W x for a dense [out, in] weight (the brute-force oracles' linear layer). */
export function denseLinear(x: Float64Array, w: Float32Array | Float64Array, out: number): Float64Array {
  const inF = x.length;
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let acc = 0;
    for (let i = 0; i < inF; i++) acc += w[o * inF + i] * x[i];
    y[o] = acc;
  }
  return y;
}
