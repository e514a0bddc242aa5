import { architectureWeights, type Architecture } from "../nn/architecture";
import { numel } from "../nn/tensors";
import type { PrunableLayer } from "./types";

/**
 * The prunable weights of an architecture, in state_dict order: every conv (including 1×1 projection
 * shortcuts) and linear weight, as in reference-notes §3 ("all conv, shortcut-conv and linear weight
 * tensors"). BatchNorm parameters and biases are never pruned. Inside a residual block the order is
 * pre, body, shortcut, post, which is the order of the official modules' `named_parameters` for the
 * ResNet BasicBlock (conv1, conv2, shortcut.0) and the WRN block (conv1, conv2, convShortcut).
 * An imported DAG (src/nn/dag.ts) gives its conv/linear weights in node order.
 */
export function prunableLayers(spec: Architecture): PrunableLayer[] {
  const layers: PrunableLayer[] = architectureWeights(spec).map((w) => ({ name: w.name, shape: w.shape, role: w.role, biasShape: w.biasShape }));
  if (layers.length === 0) throw new Error(`pruning/layers: architecture '${spec.name}' has no conv or linear weights to prune`);
  checkLayers(`pruning/layers: ${spec.name}`, layers);
  return layers;
}

/** Checks a hand-made layer list (names unique, shapes positive integers) and returns it. */
export function checkLayers(module: string, layers: readonly PrunableLayer[]): readonly PrunableLayer[] {
  if (layers.length === 0) throw new Error(`${module}: no prunable layers given`);
  const seen = new Set<string>();
  for (const l of layers) {
    if (seen.has(l.name)) throw new Error(`${module}: duplicate layer name '${l.name}'`);
    seen.add(l.name);
    if (l.shape.length < 2 || l.shape.some((d) => !(Number.isInteger(d) && d > 0))) {
      throw new Error(`${module}: layer '${l.name}' has invalid shape [${l.shape.join(", ")}] (need ≥ 2 positive integer dims)`);
    }
  }
  return layers;
}

/** Total number of prunable weights. */
export function totalWeights(layers: readonly PrunableLayer[]): number {
  let n = 0;
  for (const l of layers) n += numel(l.shape);
  return n;
}
