/**
 * Network files checked against an architecture: the spec-aware side of io/network-file (which
 * knows no architecture). With a spec, every prunable weight must be present with its PyTorch shape;
 * the spec's other parameters (biases, BN parameters and buffers) are accepted and skipped, and any
 * other tensor is an error unless `allowUnknown`.
 */
import { readNetwork, type LoadedNetwork } from "../io/network-file";
import { forEachLeafLayer, prunableWeights } from "./architectures";
import type { ArchSpec } from "./spec";

export interface LoadNetworkOptions {
  /** Accept tensors that are neither prunable weights, their masks, nor the spec's other parameters. */
  readonly allowUnknown?: boolean;
}

/** Names of the spec's non-prunable state_dict entries (biases, BN parameters and buffers). */
function otherParameterNames(spec: ArchSpec): Set<string> {
  const s = new Set<string>();
  forEachLeafLayer(spec.layers, (l) => {
    if ((l.kind === "conv2d" || l.kind === "linear") && l.bias) s.add(`${l.name}.bias`);
    if (l.kind === "batchnorm") for (const p of ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]) s.add(`${l.name}.${p}`);
  });
  return s;
}

/**
 * Loads a sparse network file (weights, `<name>_mask` masks — where absent, mask = weight ≠ 0 —
 * and metadata), checked against `spec` when given.
 * @example
 *   const net = loadNetwork("resnet-20_er_0.9.safetensors", buildArchitecture("resnet20"));
 *   const mge = encodeMge(spec, net.masks, { weights: net.weights });
 * @throws on a missing weight or a wrong shape for the spec, an unknown tensor, a non-float weight,
 *   a NaN/Inf weight, or a mask that is not 0/1 or has no weight.
 */
export function loadNetwork(file: string, spec?: ArchSpec, options: LoadNetworkOptions = {}): LoadedNetwork {
  if (!spec) return readNetwork(file, { allowUnknown: options.allowUnknown });
  return readNetwork(file, {
    expected: new Map(prunableWeights(spec).map((w) => [w.name, w.shape])),
    others: otherParameterNames(spec),
    allowUnknown: options.allowUnknown,
    label: spec.name,
  });
}
