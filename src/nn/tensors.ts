/**
 * Named host tensors (weights, masks) in PyTorch layout, as read from or written to safetensors.
 * This is the hand-off format between pruning/training (tfjs) and encoding (typed arrays).
 */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface HostMask {
  readonly shape: readonly number[];
  /** 1 = kept, 0 = pruned. */
  readonly data: Uint8Array;
}

/** Weights by state_dict name (e.g. "layer1.0.conv1.weight"). */
export type WeightMap = Map<string, HostTensor>;
/** Masks by the *weight's* state_dict name (the file stores them as `${name}_mask`). */
export type MaskMap = Map<string, HostMask>;

/** Whether two shapes have the same dimensions. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
