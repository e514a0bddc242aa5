/**
 * Masks in a state dict, in the two layouts a pruned network is saved in:
 * - `torch.nn.utils.prune` (any of its methods, `global_unstructured` included, before
 *   `prune.remove`): `<p>_orig` (the dense parameter) + `<p>_mask` (float 0/1, same shape); the
 *   pruned parameter is `<p> = <p>_orig · <p>_mask` (what the module's forward pre-hook computes);
 * - masked weights + masks, as the reference fixtures store them (reference/README.md): `<p>`
 *   (already masked) + `<p>_mask`.
 * A pure function over a name → tensor map (from a `.pt` or a safetensors file alike): it returns
 * the tensors with every pair replaced by `<p>` (and `<p>_orig` removed) and the masks by `<p>`.
 * Parameters without a mask are passed through with no mask (callers default to `weight ≠ 0`).
 *
 * The product is exact: masks are 0/1, so float16/bfloat16 weights (already widened to float32)
 * keep every value; `<p>` keeps `<p>_orig`'s dataType. A pruned negative weight gives −0, as in
 * PyTorch. O(total elements).
 *
 * Refused, naming the tensors: a `<p>_orig` without `<p>_mask` or the reverse (when `<p>` is not
 * there either), `<p>_orig` beside `<p>`, shapes that differ, a mask value other than 0 or 1,
 * a non-float `<p>_orig`.
 */
import type { DecodedTensor } from "./tensor";

export interface PruneLayout {
  /** The state dict with `<p>_orig`/`<p>_mask` merged into `<p>` and masks removed, in input order. */
  readonly tensors: Map<string, DecodedTensor>;
  /** 0/1 masks (dataType "bool", Uint8Array data) by the parameter's name `<p>`. */
  readonly masks: Map<string, DecodedTensor>;
}

const ORIG = "_orig";
const MASK = "_mask";

const sameDims = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function maskBits(t: DecodedTensor, name: string, where: string): Uint8Array {
  const out = new Uint8Array(t.data.length);
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v === 1 || v === 1n) out[i] = 1;
    else if (v !== 0 && v !== 0n) throw new Error(`${where}: mask '${name}' has value ${v} at flat index ${i} (expected 0 or 1)`);
  }
  return out;
}

/**
 * Merges the prune layout of `tensors` (see the module comment). `where` ("io/torch: FILE")
 * prefixes errors.
 * @throws for a lone `_orig`/`_mask`, a `_orig` beside its parameter, shape mismatches, non-0/1 masks.
 * @example const { tensors, masks } = mergePruneLayout(readTorchStateDict("pruned.pt"), "pruned.pt");
 */
export function mergePruneLayout(tensors: ReadonlyMap<string, DecodedTensor>, where: string): PruneLayout {
  const out = new Map<string, DecodedTensor>();
  const masks = new Map<string, DecodedTensor>();
  for (const [name, t] of tensors) {
    if (name.endsWith(MASK)) {
      const p = name.slice(0, -MASK.length);
      if (!tensors.has(p + ORIG) && !tensors.has(p)) throw new Error(`${where}: mask '${name}' has neither '${p}${ORIG}' nor '${p}' beside it`);
      continue;
    }
    if (name.endsWith(ORIG)) {
      const p = name.slice(0, -ORIG.length);
      const m = tensors.get(p + MASK);
      if (!m) throw new Error(`${where}: '${name}' has no '${p}${MASK}' beside it (torch.nn.utils.prune saves both)`);
      if (tensors.has(p)) throw new Error(`${where}: both '${name}' and '${p}' are present`);
      if (!sameDims(t.dims, m.dims)) throw new Error(`${where}: '${name}' has shape [${t.dims.join(", ")}] but '${p}${MASK}' has [${m.dims.join(", ")}]`);
      if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) throw new Error(`${where}: '${name}' has dtype ${t.dataType}, not a float dtype`);
      const bits = maskBits(m, p + MASK, where);
      const w = t.data instanceof Float32Array ? new Float32Array(bits.length) : new Float64Array(bits.length);
      for (let i = 0; i < bits.length; i++) w[i] = t.data[i] * bits[i];
      out.set(p, { dims: t.dims, dataType: t.dataType, data: w });
      masks.set(p, { dims: m.dims, dataType: "bool", data: bits });
      continue;
    }
    out.set(name, t);
    const m = tensors.get(name + MASK);
    if (m && !tensors.has(name + ORIG)) {
      if (!sameDims(t.dims, m.dims)) throw new Error(`${where}: '${name}' has shape [${t.dims.join(", ")}] but '${name}${MASK}' has [${m.dims.join(", ")}]`);
      masks.set(name, { dims: m.dims, dataType: "bool", data: maskBits(m, name + MASK, where) });
    }
  }
  return { tensors: out, masks };
}
