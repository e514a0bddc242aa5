import type { ArchSpec, LayerSpec } from "../nn/spec";
import { numel } from "../nn/tensors";
import type { PrunableLayer } from "./types";

/**
 * The prunable weights of an architecture, in state_dict order: every conv (including 1×1 projection
 * shortcuts) and linear weight, as in reference-notes §3 ("all conv, shortcut-conv and linear weight
 * tensors"). BatchNorm parameters and biases are never pruned. Inside a residual block the order is
 * pre, body, shortcut, post, which is the order of the official modules' `named_parameters` for the
 * ResNet BasicBlock (conv1, conv2, shortcut.0) and the WRN block (conv1, conv2, convShortcut).
 */
export function prunableLayers(spec: ArchSpec): PrunableLayer[] {
  const out: PrunableLayer[] = [];
  const seen = new Set<string>();
  const visit = (layers: readonly LayerSpec[]): void => {
    for (const l of layers) {
      if (l.kind === "conv2d") {
        if (l.inChannels % l.groups !== 0) {
          throw new Error(`pruning/layers: ${spec.name} layer ${l.name}: inChannels ${l.inChannels} not divisible by groups ${l.groups}`);
        }
        push({
          name: `${l.name}.weight`,
          shape: [l.outChannels, l.inChannels / l.groups, l.kernel, l.kernel],
          kind: l.role === "residual" ? "residual" : "conv",
          biasShape: l.bias ? [l.outChannels] : undefined,
        });
      } else if (l.kind === "linear") {
        push({ name: `${l.name}.weight`, shape: [l.outFeatures, l.inFeatures], kind: "linear", biasShape: l.bias ? [l.outFeatures] : undefined });
      } else if (l.kind === "residual") {
        visit(l.pre);
        visit(l.body);
        visit(l.shortcut);
        visit(l.post);
      }
    }
  };
  const push = (p: PrunableLayer): void => {
    if (seen.has(p.name)) throw new Error(`pruning/layers: ${spec.name}: duplicate weight name '${p.name}'`);
    if (p.shape.some((d) => !(Number.isInteger(d) && d > 0))) {
      throw new Error(`pruning/layers: ${spec.name}: weight '${p.name}' has invalid shape [${p.shape.join(", ")}]`);
    }
    seen.add(p.name);
    out.push(p);
  };
  visit(spec.layers);
  if (out.length === 0) throw new Error(`pruning/layers: architecture '${spec.name}' has no conv or linear weights to prune`);
  return out;
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
