/**
 * Either kind of architecture the library studies: a built-in `ArchSpec` (./spec.ts: the paper's
 * seven, trainable with tfjs) or a general `DagSpec` (./dag.ts: any imported CNN; encoders,
 * metrics and shape-only pruners only). One list of their conv/linear weights serves both.
 */
import type { ArchSpec } from "./spec";
import type { DagSpec } from "./dag";
import { dagWeights, isDagSpec } from "./dag";
import { prunableWeights, type PrunableWeight } from "./architectures";
import { numel } from "./tensors";

export type Architecture = ArchSpec | DagSpec;

/**
 * The conv and linear weights of either kind, in layer order (ArchSpec: state_dict order; DAG: node order).
 * @example architectureWeights(torchvisionResnet("resnet18")).length // 21
 */
export function architectureWeights(arch: Architecture): PrunableWeight[] {
  if (!isDagSpec(arch)) return prunableWeights(arch);
  return dagWeights(arch).map((w) => ({ name: w.name, layer: w.layer, shape: w.shape, role: w.role, numel: numel(w.shape), biasShape: w.biasShape }));
}

/**
 * Refuses an imported DAG where a built-in ArchSpec is needed (tfjs model, data-driven pruners,
 * training), naming the caller.
 * @throws for a DagSpec.
 */
export function requireArchSpec(arch: Architecture, who: string): ArchSpec {
  if (isDagSpec(arch)) {
    throw new Error(`${who}: needs one of the built-in architectures (conv6, resnet20, resnet32, wrn28-2, mobilenetv2, lenet300-100, lenet5); '${arch.name}' is an imported DAG, which the encoders, metrics and shape-only pruners (uniform, er, erk, magnitude) accept but tfjs models, training and data-driven pruners do not`);
  }
  return arch;
}
